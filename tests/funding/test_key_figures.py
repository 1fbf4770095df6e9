"""Supplying the figures of a key the agreement text lacks: rules, round trip, allocation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naravard.funding.agreement_files import (
    agreement_from_dict,
    agreement_to_dict,
    find_agreement,
    shipped_agreements,
)
from naravard.funding.agreements import Agreement
from naravard.funding.display import sv_number
from naravard.funding.key_figures import (
    as_figure,
    figure_problems,
    keep_supplied_keys,
    lines_using,
    needs_whole_numbers,
    with_key_figures,
)
from naravard.funding.line_allocation import allocate_agreement
from naravard.reference.population import shipped_population
from naravard.web.key_form import initial_values, parse_figure

COUNTIES = ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17",
            "18", "19", "20", "21", "22", "23", "24", "25")


@pytest.fixture(scope="module")
def gonv() -> Agreement:
    return find_agreement(shipped_agreements(), "gonv-2020")


def test_which_lines_use_a_key_and_whether_it_counts_people(gonv: Agreement) -> None:
    assert lines_using(gonv, "khsv-2020") == ("medarbetare-kommuner",)
    assert lines_using(gonv, "bhv-2020") == ("barnhalsovard",)
    assert needs_whole_numbers(gonv, "khsv-2020")  # the municipal key: care recipients
    assert not needs_whole_numbers(gonv, "bhv-2020")  # a share


def test_every_problem_is_named_with_its_field(gonv: Agreement) -> None:
    figures: dict[str, int | Decimal | None] = dict.fromkeys(COUNTIES, 100)
    figures.update({"01": None, "03": -5, "04": Decimal("10.5"), "99": 3})
    found = {(p.field, p.message) for p in figure_problems(gonv, "khsv-2020", figures, "  ")}
    assert found == {
        ("source", "The source of the figures must be stated."),
        ("_form", "Unknown county code 99."),
        ("weight.01", "A figure is needed for every county."),
        ("weight.03", "The figure must not be negative."),
        ("weight.04", "The key counts people: enter a whole number."),
    }
    # a share key takes decimals
    shares = {c: Decimal("0.0476") for c in COUNTIES}
    assert figure_problems(gonv, "bhv-2020", shares, "Socialstyrelsen") == []
    zeros = dict.fromkeys(COUNTIES, 0)
    assert [p.message for p in figure_problems(gonv, "bhv-2020", zeros, "S")] == [
        "The figures must not all be zero."]


def test_supplied_figures_survive_the_round_trip_and_allocate(gonv: Agreement) -> None:
    supplied = with_key_figures(gonv, "bhv-2020", dict.fromkeys(COUNTIES, 1),
                                "Socialstyrelsen, nyckel 2020", " 2019 ")
    key = supplied.key("bhv-2020")
    assert key.available and key.missing == () and key.reference_period == "2019"
    assert key.source == "Socialstyrelsen, nyckel 2020"
    assert [e.name for e in key.entries] == [e.name for e in gonv.key("bhv-2020").entries]
    assert agreement_from_dict(agreement_to_dict(supplied)) == supplied
    result = allocate_agreement(supplied, shipped_population())
    line = next(la for la in result.lines if la.line.id == "barnhalsovard")
    assert line.table is not None and line.missing_key is None
    # 114 500 000 kr in 21 equal parts: 5 452 380 kr each and 20 kr left, one each to 20 of them
    amounts = sorted(r.amount_sek for r in line.table.rows)
    assert amounts == [5_452_380] + [5_452_381] * 20
    # the municipal line still waits for its own key, and says which
    municipal = next(la for la in result.lines if la.line.id == "medarbetare-kommuner")
    assert municipal.table is None and municipal.missing_key == "khsv-2020"
    assert result.allocated_sek == 5_750_500_000  # all but the 500 MSEK municipal line


def test_loading_the_shipped_file_again_keeps_supplied_figures(gonv: Agreement) -> None:
    supplied = with_key_figures(gonv, "khsv-2020", dict.fromkeys(COUNTIES, 1000), "SoS")
    kept = keep_supplied_keys(gonv, supplied)
    assert kept.key("khsv-2020") == supplied.key("khsv-2020")
    assert kept.key("bhv-2020") == gonv.key("bhv-2020")  # nothing supplied: the shipped one
    assert keep_supplied_keys(gonv, gonv) == gonv


def test_figures_are_stored_as_integers_or_exact_decimals() -> None:
    assert as_figure(Fraction(7)) == 7 and isinstance(as_figure(Fraction(7)), int)
    assert as_figure(Fraction(1, 4)) == Decimal("0.25")
    assert as_figure(Decimal("0.0475")) == Decimal("0.0475")
    with pytest.raises(ValueError, match="no finite decimal form"):
        as_figure(Fraction(1, 3))


@pytest.mark.parametrize(("typed", "value"), [
    ("12 345", 12345), ("12\u202f345", 12345), ("0,0475", Decimal("0.0475")),
    ("0.0475", Decimal("0.0475")), ("3,0", 3), ("", None), ("  ", None),
])
def test_typed_figures(typed: str, value: int | Decimal | None) -> None:
    assert parse_figure(typed) == value


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "1e5", "12 kr", "--1", "NaN"])
def test_text_that_is_not_a_figure(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_figure(typed)


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False,
                   allow_infinity=False))
def test_a_figure_shown_the_swedish_way_reads_back_exactly(value: Decimal) -> None:
    assert parse_figure(sv_number(value)) == value


def test_the_form_shows_stored_figures_so_that_they_read_back() -> None:
    values = initial_values([("01", 12345), ("03", Decimal("1E-7")), ("04", None)], "S", "")
    assert (values["w_01"], values["w_03"], values["w_04"]) == ("12345", "0,0000001", "")
    assert parse_figure(values["w_03"]) == Decimal("0.0000001")
