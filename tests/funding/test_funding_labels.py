"""Funding terms on the pages follow the page's language (keys, parties, reasons)."""

from __future__ import annotations

import datetime as dt

from naravard.storage.funding_tables import AllocationRun
from naravard.web.funding_labels import basis_label, or_not_stated, parties_label, reason_label
from naravard.web.i18n import gettext_for

SV, EN = gettext_for("sv"), gettext_for("en")
DAY = dt.date(2020, 12, 31)


def run(kind: str, basis: str, day: dt.date | None = DAY) -> AllocationRun:
    return AllocationRun(method_kind=kind, basis=basis, population_date=day)


def test_each_kind_of_key_in_swedish_and_english() -> None:
    population = run("population_share", "population 2020-12-31")
    assert basis_label(population, SV) == "befolkningen 2020-12-31"
    assert basis_label(population, EN) == "population on 2020-12-31"
    municipal = run("municipal_key", "key khsv-2020 (half) and population 2020-12-31 (half)")
    assert basis_label(municipal, SV) == (
        "nyckeln khsv-2020 (till hälften) och befolkningen 2020-12-31 (till hälften)")
    assert basis_label(municipal, EN) == (
        "key khsv-2020 (half) and population on 2020-12-31 (half)")
    imported = run("imported_key", "key bhv-2020", None)
    assert basis_label(imported, SV) == "nyckeln bhv-2020"
    assert basis_label(run("fixed_amounts", "fixed amounts", None), SV) == "fasta belopp"
    assert basis_label(run("population_share", "population", None), SV) == "befolkningen"
    # a kind this version does not know is shown as recorded
    assert basis_label(run("future_kind", "something new"), SV) == "something new"


def test_parties_reasons_and_what_the_source_leaves_open() -> None:
    assert parties_label(("skr", "government"), SV) == "SKR, regeringen"
    assert parties_label(("regions", "rss"), EN) == "the regions, the RSS"
    assert reason_label("the line's allocation method is not known", SV) == (
        "Radens fördelningsmetod är inte känd.")
    assert reason_label("the line's amount is not known", EN) == (
        "The line's amount is not known.")
    # reasons that name keys and data are shown as they are, as a sentence
    assert reason_label("key bhv-2020 is not available: supply it.", SV) == (
        "Key bhv-2020 is not available: supply it.")
    assert reason_label(None, SV) == ""
    assert or_not_stated("not stated", SV) == "inte angivet"
    assert or_not_stated("", EN) == "not stated"
    assert or_not_stated("3.4.1", SV) == "3.4.1"


def test_the_key_id_is_read_back_from_the_recorded_basis() -> None:
    from naravard.storage.funding_repo import _basis, basis_key

    assert basis_key(_basis("municipal_key", "khsv-2020", DAY)) == "khsv-2020"
    assert basis_key(_basis("imported_key", "bhv-2020", None)) == "bhv-2020"
    assert basis_key(_basis("population_share", None, DAY)) == ""
    assert basis_key(_basis("fixed_amounts", None, None)) == ""
