"""Allocating every line of an agreement by its own method."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from naravard.funding.agreement_files import find_agreement, shipped_agreements
from naravard.funding.agreements import Agreement
from naravard.funding.allocation import KeyRow
from naravard.funding.line_allocation import allocate_agreement, allocate_line, override_from_rows
from naravard.reference.population import PopulationCount

from .test_keys import COUNTIES, fake_population

DAY = dt.date(2020, 12, 31)


def gonv2020() -> Agreement:
    return find_agreement(shipped_agreements(), "gonv-2020")


def test_population_lines_use_the_closest_date_and_sum_exactly() -> None:
    # fake counties weigh 1000, 2000, …, 21000 (sum 231 000); line 5.7 is 100 000 000 kr
    result = allocate_line(gonv2020(), gonv2020().line("karriartjanster-ssk"), fake_population())
    assert result.table is not None
    assert result.requested_population_date == dt.date(2019, 11, 1)
    assert result.population_date == DAY and result.date_substituted
    assert result.table.allocated_sek == 100_000_000
    # Stockholm: 100 000 000 × 1000 / 231 000 = 432 900.43… → 432 900 (remainder .43 too small)
    assert result.table.amount_of("01") == 432_900
    # Norrbotten: 100 000 000 × 21 000 / 231 000 = 9 090 909.09… → 9 090 909
    assert result.table.amount_of("25") == 9_090_909


def test_lines_without_figures_are_reported_not_dropped() -> None:
    result = allocate_agreement(gonv2020(), fake_population())
    missing = {la.line.id: la.unavailable for la in result.unallocated_lines}
    assert set(missing) == {"barnhalsovard", "medarbetare-kommuner"}
    assert "key khsv-2020 is not available" in (missing["medarbetare-kommuner"] or "")
    assert result.stated_sek == 6_250_500_000
    assert result.allocated_sek == 6_250_500_000 - 114_500_000 - 500_000_000


def test_municipal_line_with_supplied_counts() -> None:
    # care counts equal in every county (1/21 each) and population as in fake_population
    counts = override_from_rows([KeyRow(f"RSS{c}", c, Fraction(50)) for c in COUNTIES])
    result = allocate_agreement(gonv2020(), fake_population(), {"khsv-2020": counts})
    line = next(la for la in result.lines if la.line.id == "medarbetare-kommuner")
    assert line.table is not None and line.table.allocated_sek == 500_000_000
    first = line.municipal_rows[0]
    assert (first.code, first.care_recipients, first.population) == ("RSS01", 50, 1000)
    # RSS01: (1/21 + 1000/231 000) / 2 = (11/231 + 1/231) / 2 = 6/231;
    # 500 000 000 × 6/231 = 12 987 012.98… → 12 987 013
    assert line.table.rows[0].share == Fraction(6, 231)
    assert line.table.amount_of("RSS01") == 12_987_013
    assert result.allocated_sek == 6_250_500_000 - 114_500_000


def test_imported_region_key_with_supplied_weights_and_unknown_codes() -> None:
    weights = {c: Fraction(1) for c in COUNTIES}
    line = gonv2020().line("barnhalsovard")
    ok = allocate_line(gonv2020(), line, fake_population(), {"bhv-2020": weights})
    assert ok.table is not None and ok.table.allocated_sek == 114_500_000
    # 114 500 000 / 21 = 5 452 380.95…: 20 kronor left over, to the 20 smallest codes
    assert ok.table.amount_of("01") == 5_452_381
    assert ok.table.amount_of("25") == 5_452_380
    bad = allocate_line(gonv2020(), line, fake_population(), {"bhv-2020": {"99": Fraction(1)}})
    assert bad.table is None and bad.unavailable == "key bhv-2020: unknown county codes 99"


def test_partial_agreements_report_unknown_methods() -> None:
    a2023 = find_agreement(shipped_agreements(), "gonv-2023")
    result = allocate_agreement(a2023, fake_population())
    assert [la.unavailable for la in result.lines] == [
        "the line's allocation method is not known",
        "the line's amount is not known",
    ]


def test_no_population_at_all() -> None:
    empty: list[PopulationCount] = []
    result = allocate_line(gonv2020(), gonv2020().line("nara-vard"), empty)
    assert result.table is None
    assert result.unavailable == "no population reference dates are loaded"
