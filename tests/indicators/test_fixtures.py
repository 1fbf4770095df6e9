"""Hand-computed fixtures for every indicator, run on both engines.

Each test writes a tiny register by hand; the expected values are worked out in the comments.
Keys of the results: (variant, period, area level, area code, sex).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute
from naravard.indicators.definition import Variant
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.engines.reference import ReferenceEngine
from naravard.indicators.intervals import wilson
from naravard.indicators.loader import ValidationError

from .conftest import SMALL, definition
from .helpers import (
    D,
    assessment,
    contact,
    cost,
    data,
    episode,
    listing,
    mhc,
    person,
    pop,
    unit,
)

approx = pytest.approx


def vals(res: Any, variant: str, period: str, level: str, code: str, sex: str
         ) -> tuple[Any, Any, Any, str]:
    r = res[(variant, period, level, code, sex)]
    return r["numerator"], r["denominator"], r["value"], r["status"]


def limits(res: Any, variant: str, period: str, level: str, code: str, sex: str
           ) -> tuple[Any, Any]:
    r = res[(variant, period, level, code, sex)]
    return r["ci_low"], r["ci_high"]


#: Exact 95 % limits of a Poisson count k (χ²(0.025; 2k) / 2, χ²(0.975; 2k + 2) / 2), from
#: the χ² table: what the intervals of fewer than 10 events are made of.
EXACT = {1: (0.025318, 5.571643), 2: (0.242209, 7.224688), 3: (0.618672, 8.767273),
         4: (1.089865, 10.241589)}


# --- avoidable inpatient care --------------------------------------------------------------

def test_avoidable_inpatient_care_standardised(run: Any) -> None:
    d = definition("avoidable_inpatient_chronic")
    reg = data(
        persons=[
            person(1, "K", D(1952, 1, 15)),   # A: 71 at admission → ESP group 70-74
            person(2, "K", D(2003, 3, 1)),    # B: exactly 20 on 2023-03-01 → counted
            person(3, "K", D(2003, 3, 2)),    # C: 19 on 2023-03-01 → outside 20+
            person(4, "M", D(1938, 1, 1)),    # D: 85 → group 85-89
        ],
        population=[pop("0114", "K", 20, 1000), pop("0114", "K", 70, 500),
                    pop("0114", "M", 85, 200), pop("0114", "K", 19, 300)],
        inpatient_episodes=[
            # A: heart failure, transferred on the discharge day → one chain, counted once
            episode(1, 1, D(2023, 3, 1), D(2023, 3, 5), diag="I509", to="transfer"),
            episode(2, 1, D(2023, 3, 5), D(2023, 3, 10), diag="I509"),
            # A: a planned asthma stay also counts (unplanned_only is false)
            episode(3, 1, D(2023, 9, 1), D(2023, 9, 2), diag="J459", planned=True),
            episode(4, 2, D(2023, 3, 1), D(2023, 3, 3), diag="E119"),
            episode(5, 3, D(2023, 3, 1), D(2023, 3, 3), diag="E119"),
            episode(6, 4, D(2023, 6, 1), D(2023, 6, 3), diag="J441"),
            episode(7, 4, D(2023, 7, 1), D(2023, 7, 3), diag="K359"),  # not in the list
        ],
    )
    res = run(reg, [2023], d)
    # ESP 2013 weights from age 20 sum to 78 500.
    # K: 20-24: 1 event / 1 000 × 6 000 = 6; 70-74: 2 / 500 × 5 000 = 20 → 26 / 78 500 × 1e5
    assert vals(res, "all", "2023", "municipality", "0114", "K") == (
        3.0, 1500.0, approx(2_600_000 / 78_500, rel=1e-12), "ok")
    # M: 85-89: 1 / 200 × 1 500 = 7.5 → 7.5 / 78 500 × 1e5
    assert vals(res, "all", "2023", "municipality", "0114", "M") == (
        1.0, 200.0, approx(750_000 / 78_500, rel=1e-12), "ok")
    # T (age only): 6 + 20 + 7.5 = 33.5 → 33.5 / 78 500 × 1e5 = 42.675…
    assert vals(res, "all", "2023", "nation", "00", "T") == (
        4.0, 1700.0, approx(3_350_000 / 78_500, rel=1e-12), "ok")
    # heart failure, K: 1 / 500 × 5 000 = 10 → 10 / 78 500 × 1e5 = 12.738…
    assert vals(res, "heart_failure", "2023", "region", "01", "K") == (
        1.0, 1500.0, approx(1_000_000 / 78_500, rel=1e-12), "ok")
    # crude (variant all_crude): events / population 20+ × 1e5, no age groups
    # K: 3 / 1 500 × 1e5 = 200; M: 1 / 200 × 1e5 = 500; T: 4 / 1 700 × 1e5 = 235.29…
    assert vals(res, "all_crude", "2023", "municipality", "0114", "K") == (
        3.0, 1500.0, approx(200.0, rel=1e-12), "ok")
    assert vals(res, "all_crude", "2023", "municipality", "0114", "M") == (
        1.0, 200.0, approx(500.0, rel=1e-12), "ok")
    assert vals(res, "all_crude", "2023", "nation", "00", "T") == (
        4.0, 1700.0, approx(400_000 / 1_700, rel=1e-12), "ok")
    # asthma: the planned stay
    assert res[("asthma", "2023", "nation", "00", "K")]["numerator"] == 1.0
    # Dobson's interval, K: variance = Σ w² d / p² × (1e5 / Σ w)²
    #   = (6 000² × 1 / 1 000² + 5 000² × 2 / 500²) × (1e5 / 78 500)² = 236 × (1e5 / 78 500)²;
    # the rate moves by √(variance / 3) per event from 3 to the count's limits (exact: 3 < 10)
    rate, step = 2_600_000 / 78_500, (236 * (1e5 / 78_500) ** 2 / 3) ** 0.5
    assert limits(res, "all", "2023", "municipality", "0114", "K") == (
        approx(rate + step * (EXACT[3][0] - 3), rel=1e-5),
        approx(rate + step * (EXACT[3][1] - 3), rel=1e-5))
    # M: one event in 85-89: variance 1 500² × 1 / 200² × (1e5 / 78 500)²; √(variance / 1)
    rate, step = 750_000 / 78_500, 1_500 / 200 * 1e5 / 78_500
    assert limits(res, "all", "2023", "municipality", "0114", "M") == (
        approx(rate + step * (EXACT[1][0] - 1), rel=1e-5),
        approx(rate + step * (EXACT[1][1] - 1), rel=1e-5))
    # the crude rate: the count's limits over the population (Dobson without weights)
    assert limits(res, "all_crude", "2023", "municipality", "0114", "K") == (
        approx(EXACT[3][0] / 1500 * 1e5, rel=1e-5), approx(EXACT[3][1] / 1500 * 1e5, rel=1e-5))
    # no events: Dobson's method has no interval; a missing value has none either
    assert limits(res, "heart_failure", "2023", "municipality", "0114", "M") == (None, None)
    assert limits(res, "all", "2023", "region", "12", "T") == (None, None)
    # region 12 has no population → missing; municipality 0180 likewise
    assert vals(res, "all", "2023", "region", "12", "T") == (0.0, 0.0, None, "missing")


def test_avoidable_care_standardised_to_sweden_in_a_year(run: Any) -> None:
    shipped = definition("avoidable_inpatient_chronic")
    d = dataclasses.replace(shipped, variants=(
        Variant("sweden", shipped.variants[0].title, {}, "sweden_2023"),))
    reg = data(
        persons=[person(1, "K", D(1952, 1, 15)), person(2, "K", D(2003, 3, 1)),
                 person(4, "M", D(1938, 1, 1))],
        # Sweden 2023, ages 20+: 20-24 1 000 (K), 70-74 500 (K), 85-89 200 (M) = 1 700; the
        # 300 aged 19 are outside the indicator's ages and weigh nothing
        population=[pop("0114", "K", 20, 1000), pop("0114", "K", 70, 500),
                    pop("0114", "M", 85, 200), pop("0114", "K", 19, 300)],
        inpatient_episodes=[
            episode(1, 1, D(2023, 3, 1), D(2023, 3, 5), diag="I509"),
            episode(3, 1, D(2023, 9, 1), D(2023, 9, 2), diag="J459"),
            episode(4, 2, D(2023, 3, 1), D(2023, 3, 3), diag="E119"),
            episode(6, 4, D(2023, 6, 1), D(2023, 6, 3), diag="J441"),
        ],
    )
    res = run(reg, [2023], d)
    # K: 20-24 1 / 1 000 × 1 000 + 70-74 2 / 500 × 500 = 3 → 3 / 1 700 × 1e5 = 176.47…
    assert vals(res, "sweden", "2023", "municipality", "0114", "K") == (
        3.0, 1500.0, approx(300_000 / 1_700, rel=1e-12), "ok")
    # M: 85-89 1 / 200 × 200 = 1 → 1 / 1 700 × 1e5
    assert vals(res, "sweden", "2023", "municipality", "0114", "M") == (
        1.0, 200.0, approx(100_000 / 1_700, rel=1e-12), "ok")
    # Riket T standardised to its own population is its crude rate: 4 / 1 700 × 1e5
    assert vals(res, "sweden", "2023", "nation", "00", "T") == (
        4.0, 1700.0, approx(400_000 / 1_700, rel=1e-12), "ok")
    # a year the data do not hold is refused before anything is computed
    other = dataclasses.replace(shipped, variants=(
        Variant("sweden", shipped.variants[0].title, {}, "sweden_2000"),))
    with pytest.raises(ValueError, match="needs the population of 2000, which the data do"):
        run(reg, [2023], other)


def test_avoidable_events_without_population_are_missing(run: Any) -> None:
    d = definition("avoidable_inpatient_chronic")
    reg = data(persons=[person(1, "M", D(1950, 1, 1))],
               population=[pop("0114", "M", 30, 100)],
               inpatient_episodes=[episode(1, 1, D(2023, 2, 1), D(2023, 2, 2))])
    res = run(reg, [2023], d)
    # the event is in group 70-74, where there is no population: the rate is undefined
    assert vals(res, "all", "2023", "municipality", "0114", "M") == (1.0, 100.0, None, "missing")
    # the crude rate needs no group's population: 1 / 100 × 1e5
    assert vals(res, "all_crude", "2023", "municipality", "0114", "M") == (
        1.0, 100.0, approx(1000.0, rel=1e-12), "ok")


def test_avoidable_care_on_the_mean_population(run: Any) -> None:
    d = definition("avoidable_inpatient_chronic", population_basis="mean")
    reg = data(
        persons=[person(1, "K", D(1952, 1, 15), year=2022), person(1, "K", D(1952, 1, 15))],
        # 31 December 2022 and 2023, women of 0114 in group 70-74: 300 and 500; in 2023 also
        # 100 women aged 20 who were 19 (outside 20+) at the end of 2022
        population=[pop("0114", "K", 70, 300, year=2022), pop("0114", "K", 70, 500),
                    pop("0114", "K", 19, 100, year=2022), pop("0114", "K", 20, 100)],
        inpatient_episodes=[episode(1, 1, D(2023, 3, 1), D(2023, 3, 5), diag="I509"),
                            episode(2, 1, D(2022, 3, 1), D(2022, 3, 5), diag="I509")],
    )
    res = run(reg, [2022, 2023], d)
    # 2023: mean population 70-74 = (300 + 500) / 2 = 400, 20-24 = (0 + 100) / 2 = 50
    # standardised: 1 / 400 × 5 000 = 12.5 → 12.5 / 78 500 × 1e5; crude 1 / 450 × 1e5
    assert vals(res, "all", "2023", "municipality", "0114", "K") == (
        1.0, 450.0, approx(1_250_000 / 78_500, rel=1e-12), "ok")
    assert vals(res, "all_crude", "2023", "nation", "00", "T") == (
        1.0, 450.0, approx(100_000 / 450, rel=1e-12), "ok")
    # 2022 has stays and persons but no population of 2021 to take the mean with: missing,
    # not a rate on half a population; on the year-end population 2022 is a rate
    assert vals(res, "all", "2022", "municipality", "0114", "K") == (None, None, None,
                                                                       "missing")
    # asked for 2023 alone, the mean still reads the population of 2022
    alone = run(reg, [2023], d)
    assert vals(alone, "all_crude", "2023", "nation", "00", "T") == (
        1.0, 450.0, approx(100_000 / 450, rel=1e-12), "ok")
    year_end = run(reg, [2022], definition("avoidable_inpatient_chronic"))
    assert vals(year_end, "all_crude", "2022", "municipality", "0114", "K") == (
        1.0, 300.0, approx(100_000 / 300, rel=1e-12), "ok")


# --- readmissions --------------------------------------------------------------------------

def _readmission_register() -> Any:
    return data(
        persons=[
            person(1, "K", D(1950, 1, 1)),
            person(2, "K", D(1950, 1, 1)),
            person(3, "M", D(1958, 6, 15), muni="0180"),    # exactly 65 on 2023-06-15
            person(4, "M", D(1940, 1, 1), muni="0180", death=D(2023, 5, 5)),
            person(5, "K", D(1959, 1, 1)),                  # 64 at discharge
            person(6, "K", D(1945, 2, 28)),
            person(9, "M", D(1940, 1, 1), muni="0180"),
        ],
        inpatient_episodes=[
            # P1: discharged 01-20; unplanned stay admitted 02-19 = day 30 → readmitted
            episode(1, 1, D(2023, 1, 10), D(2023, 1, 20)),
            episode(2, 1, D(2023, 2, 19), D(2023, 2, 25)),
            # P2: discharged 03-10; next admitted 04-10 = day 31 → not readmitted
            episode(3, 2, D(2023, 3, 1), D(2023, 3, 10)),
            episode(4, 2, D(2023, 4, 10), D(2023, 4, 12)),
            # P3: transfer chain 06-01…06-15 → 06-15…06-20 (admitted from another hospital);
            # planned stay 06-25 (not a readmission, but an index of its own), unplanned 07-01
            # after moving to 1280 (region 12)
            episode(5, 3, D(2023, 6, 1), D(2023, 6, 15), muni="0180"),
            episode(6, 3, D(2023, 6, 15), D(2023, 6, 20), frm="other_hospital", muni="0180"),
            episode(7, 3, D(2023, 6, 25), D(2023, 6, 26), planned=True, muni="0180"),
            episode(8, 3, D(2023, 7, 1), D(2023, 7, 3), muni="1280", region="12"),
            # P4 died during the stay → no index
            episode(9, 4, D(2023, 5, 1), D(2023, 5, 5), to="death", muni="0180"),
            # P5 is 64 → no index
            episode(10, 5, D(2023, 8, 1), D(2023, 8, 1)),
            # P6: discharged 12-15; the window runs past the end of the data (2023-12-31)
            episode(11, 6, D(2023, 12, 10), D(2023, 12, 15)),
            # P9: the follow-up stay is psychiatric (MVO 931): left out entirely
            episode(12, 9, D(2023, 9, 1), D(2023, 9, 5), muni="0180"),
            episode(13, 9, D(2023, 9, 10), D(2023, 9, 20), mvo="931", muni="0180"),
        ],
    )


def test_readmission_edges(run: Any) -> None:
    reg = _readmission_register()
    # index chains: 0114 K: P1 (yes), P1's readmission (no), P2 ×2 (no) → 1 / 4
    # 0180 M: P3 chain (yes, 07-01 is day 11), P3 planned stay (yes, day 5), P9 (no) → 2 / 3
    # 1280 M: P3's stay of 07-01 (no) → 0 / 1.  Riket T: 3 / 8 = 37.5 %
    shipped = run(reg, [2023], definition("readmission_30d_65plus"))
    assert vals(shipped, "all_causes", "2023", "nation", "00", "T") == (3.0, 8.0, None,
                                                                        "too_few")
    res = run(reg, [2023], definition("readmission_30d_65plus", min_denominator=1))
    assert vals(res, "all_causes", "2023", "nation", "00", "T") == (3.0, 8.0, 37.5, "ok")
    assert vals(res, "all_causes", "2023", "municipality", "0114", "K") == (1.0, 4.0, 25.0,
                                                                            "ok")
    assert vals(res, "all_causes", "2023", "municipality", "0180", "M") == (
        2.0, 3.0, approx(200 / 3), "ok")
    assert vals(res, "all_causes", "2023", "region", "12", "M") == (0.0, 1.0, 0.0, "ok")
    assert vals(res, "all_causes", "2023", "region", "01", "T") == (3.0, 7.0, approx(300 / 7),
                                                                    "ok")
    # selected diagnoses: every main diagnosis here is I509 (heart failure) → the same
    assert vals(res, "selected_diagnoses", "2023", "nation", "00", "T") == (3.0, 8.0, 37.5,
                                                                            "ok")
    # Wilson's interval with the effective number of index stays, per person (y of x):
    # 0180 M: P3 2 of 2, P9 0 of 1 → Σy² 4, Σx² 5, Σxy 4, p = 2/3: Σ(y − px)² = 4 − 16/3 +
    # 20/9 = 8/9 against 3 · 2/3 · 1/3 = 2/3 → deff 4/3, so Wilson of 1.5 in 2.25
    def wilson_100(successes: float, trials: float) -> tuple[Any, Any]:
        low, high = wilson(successes, trials, 0.95) or (0.0, 0.0)
        return approx(low * 100, rel=1e-9), approx(high * 100, rel=1e-9)

    assert limits(res, "all_causes", "2023", "municipality", "0180", "M") == wilson_100(1.5,
                                                                                       2.25)
    # Riket: P1 1 of 2, P2 0 of 2, P3 2 of 2 in 0180 and 0 of 1 in 1280, P9 0 of 1 → Σy² 5,
    # Σx² 14, Σxy 6, p = 3/8: 5 − 4.5 + 9/64 · 14 = 79/32 against 8 · 3/8 · 5/8 = 15/8 →
    # deff 79/60: 8 / deff = 480/79 stays, of which 180/79 readmitted
    assert limits(res, "all_causes", "2023", "nation", "00", "T") == wilson_100(180 / 79,
                                                                                480 / 79)
    # 0114 K: P1 1 of 2, P2 0 of 2 → 1 − 1 + 0.5 = 0.5 against 0.75: deff 2/3, taken as 1
    assert limits(res, "all_causes", "2023", "municipality", "0114", "K") == wilson_100(1, 4)


def test_readmission_alternative_settings(run: Any) -> None:
    reg = _readmission_register()
    # include incomplete follow-up: P6 joins the denominator → 3 / 9
    res = run(reg, [2023], definition("readmission_30d_65plus", min_denominator=1,
                                      incomplete_follow_up="include"))
    assert vals(res, "all_causes", "2023", "nation", "00", "T")[:2] == (3.0, 9.0)
    # planned stays count as readmissions too: P3's chain is now also readmitted by the
    # planned stay (day 5) — it was already counted, so the total stays 3 / 8
    res = run(reg, [2023], definition("readmission_30d_65plus", min_denominator=1,
                                      readmission_unplanned_only=False))
    assert vals(res, "all_causes", "2023", "nation", "00", "T")[:2] == (3.0, 8.0)
    # without the transfer-code rule and with gap 0, P3's stay admitted on the discharge day
    # is still merged → 3 / 8
    res = run(reg, [2023], definition("readmission_30d_65plus", min_denominator=1,
                                      transfer_requires_code=False, transfer_gap_days=0))
    assert vals(res, "all_causes", "2023", "nation", "00", "T")[:2] == (3.0, 8.0)


def test_readmission_transfer_rule_and_death_date(run: Any) -> None:
    reg = data(
        persons=[person(1, "K", D(1940, 1, 1)),
                 person(2, "M", D(1940, 1, 1), death=D(2023, 4, 2))],
        inpatient_episodes=[
            # home → home with one day between: not a transfer, so the second stay is a
            # readmission on day 1 (the window starts at day 1)
            episode(1, 1, D(2023, 3, 1), D(2023, 3, 10)),
            episode(2, 1, D(2023, 3, 11), D(2023, 3, 12)),
            # the death date equals the discharge date although UTSATT says home: no index
            episode(3, 2, D(2023, 4, 1), D(2023, 4, 2)),
        ],
    )
    d = definition("readmission_30d_65plus", min_denominator=1)
    assert vals(run(reg, [2023], d), "all_causes", "2023", "nation", "00", "T") == (
        1.0, 2.0, 50.0, "ok")
    # when any stay within the gap is merged, the two stays are one chain: 0 / 1
    merged = definition("readmission_30d_65plus", min_denominator=1,
                        transfer_requires_code=False)
    assert vals(run(reg, [2023], merged), "all_causes", "2023", "nation", "00", "T") == (
        0.0, 1.0, 0.0, "ok")


# --- emergency visits 80+ -----------------------------------------------------------------

def test_emergency_visits_leap_day_birthday(run: Any) -> None:
    d = definition("ed_visits_80plus")
    y = 2024
    reg = data(
        persons=[person(1, "K", D(1944, 2, 29), year=y),
                 person(2, "M", D(1930, 5, 5), muni="0180", year=y),
                 person(3, "K", D(1950, 1, 1), year=y)],
        population=[pop("0114", "K", 80, 40, year=y), pop("0114", "K", 79, 100, year=y),
                    pop("0180", "M", 93, 20, year=y), pop("1280", "M", 85, 10, year=y)],
        care_units=[unit("ED1", "0180", kind="emergency_department"), unit("VC1")],
        outpatient_contacts=[
            # born 1944-02-29: 79 on 2024-02-28, 80 on 2024-02-29
            contact(1, 1, D(y, 2, 28), level="emergency", clin=None, unit="ED1"),
            contact(2, 1, D(y, 2, 29), level="emergency", clin=None, unit="ED1"),
            contact(3, 1, D(y, 3, 5), level="emergency", clin=None, unit="ED1"),
            contact(4, 2, D(y, 4, 1), level="emergency", clin=None, unit="ED1", muni="0180"),
            # moved: residence on the visit is 1280 (region 12)
            contact(5, 2, D(y, 9, 1), level="emergency", clin=None, unit="ED1", muni="1280",
                    region="01"),
            contact(6, 2, D(y, 9, 2), unit="VC1", muni="0180"),          # primary care
            contact(7, 3, D(y, 9, 2), level="emergency", clin=None, unit="ED1"),  # 74
        ],
    )
    res = run(reg, [y], d)
    assert vals(res, "visits", "2024", "municipality", "0114", "K") == (2.0, 40.0, 50.0, "ok")
    assert vals(res, "visits", "2024", "municipality", "0180", "M") == (1.0, 20.0, 50.0, "ok")
    assert vals(res, "visits", "2024", "region", "12", "M") == (1.0, 10.0, 100.0, "ok")
    assert vals(res, "visits", "2024", "region", "01", "T") == (3.0, 60.0, 50.0, "ok")
    # Riket: 4 visits / 70 inhabitants 80+ × 1 000
    assert vals(res, "visits", "2024", "nation", "00", "T") == (4.0, 70.0, approx(4000 / 70),
                                                                "ok")
    # Poisson limits of the count (exact below 10), widened for repeat visits of a person:
    # rate + (1 000 / population) · √(Σ y² / Σ y) · (limit − Σ y). In 0114 woman 1 has both
    # visits (Σ y² = 4 of 2 visits); in Riket she and man 2, who has one visit in each of two
    # municipalities (counted once in each): Σ y² = 4 + 1 + 1 = 6 of 4 visits.
    # — there the lower limit, 50 + 25√2 · (0.242 − 2) = −12.1, stops at zero
    low, high = EXACT[2]
    assert 50 + 25 * math.sqrt(2) * (low - 2) == approx(-12.147, abs=1e-3)
    assert limits(res, "visits", "2024", "municipality", "0114", "K") == (
        0.0, approx(50 + 25 * math.sqrt(2) * (high - 2), rel=1e-5))
    low, high = EXACT[4]
    assert limits(res, "visits", "2024", "nation", "00", "T") == (
        approx(4000 / 70 + 1000 / 70 * math.sqrt(1.5) * (low - 4), rel=1e-5),
        approx(4000 / 70 + 1000 / 70 * math.sqrt(1.5) * (high - 4), rel=1e-5))
    # one visit each: the Poisson limits themselves (region 12: man 2's one visit there)
    assert limits(res, "visits", "2024", "region", "12", "M") == (
        approx(EXACT[1][0] / 10 * 1000, rel=1e-5), approx(EXACT[1][1] / 10 * 1000, rel=1e-5))


# --- distance visits ----------------------------------------------------------------------

def test_distance_share_by_unit_and_month(run: Any) -> None:
    d = definition("distance_share_doctor_visits")
    reg = data(
        persons=[person(1, "K", D(1980, 1, 1)), person(2, "M", D(1980, 1, 1), muni="1280")],
        care_units=[unit("VC1"), unit("VC2", "1280")],
        outpatient_contacts=[
            contact(1, 1, D(2023, 1, 10)), contact(2, 1, D(2023, 1, 11)),
            contact(3, 1, D(2023, 1, 12)),
            contact(4, 1, D(2023, 3, 1), mode="video"),
            contact(5, 1, D(2023, 1, 13), mode="phone"),
            contact(6, 1, D(2023, 1, 14), mode="letter"),  # a visit only if visit_modes say so
            contact(7, 1, D(2023, 1, 15), prof="nurse", mode="video"),  # not a doctor
            contact(8, 2, D(2023, 1, 16), mode="video", unit="VC2", muni="1280", region="12"),
            contact(9, 2, D(2023, 1, 17), unit="VC2", muni="1280", region="12"),
        ],
    )
    res = run(reg, [2023], d)
    # video: VC1 4 visits (3 physical + 1 video) → 25 %; VC2 1 / 2 → 50 %; Riket 2 / 6
    assert vals(res, "video", "2023", "care_unit", "VC1", "K") == (1.0, 4.0, 25.0, "ok")
    assert vals(res, "video", "2023", "care_unit", "VC2", "T") == (1.0, 2.0, 50.0, "ok")
    assert vals(res, "video", "2023", "nation", "00", "T") == (2.0, 6.0, approx(100 / 3), "ok")
    # with telephone: VC1 2 / 5 = 40 %; Riket 3 / 7
    assert vals(res, "video_and_phone", "2023", "municipality", "0114", "T") == (
        2.0, 5.0, 40.0, "ok")
    # months: March has only the video visit
    assert vals(res, "video", "2023-03", "care_unit", "VC1", "K") == (1.0, 1.0, 100.0, "ok")
    assert vals(res, "video", "2023-01", "region", "01", "K") == (0.0, 3.0, 0.0, "ok")
    assert vals(res, "video", "2023-02", "nation", "00", "T") == (0.0, 0.0, None, "missing")
    # telephone as a visit that is not a distance visit (visit_modes [physical, phone]):
    # video VC1 1 / 5 = 20 %; with telephone a distance visit nothing changes (2 / 5);
    # letters as visits too: VC1 1 / 6
    res = run(reg, [2023], definition("distance_share_doctor_visits",
                                      visit_modes=["physical", "phone"]))
    assert vals(res, "video", "2023", "care_unit", "VC1", "K") == (1.0, 5.0, 20.0, "ok")
    assert vals(res, "video_and_phone", "2023", "care_unit", "VC1", "K") == (2.0, 5.0, 40.0,
                                                                              "ok")
    res = run(reg, [2023], definition("distance_share_doctor_visits",
                                      visit_modes=["physical", "phone", "letter"]))
    assert vals(res, "video", "2023", "care_unit", "VC1", "K") == (1.0, 6.0, approx(100 / 6),
                                                                    "ok")


def test_distance_share_yearly_without_units(run: Any) -> None:
    d = definition("distance_share_doctor_visits", periods=("year",),
                   areas=("nation", "region", "municipality"))
    reg = data(persons=[person(1, "K", D(1980, 1, 1))], care_units=[unit("VC1")],
               outpatient_contacts=[contact(1, 1, D(2023, 1, 10)),
                                    contact(2, 1, D(2023, 2, 10), mode="video")])
    res = run(reg, [2023], d)
    assert vals(res, "video", "2023", "municipality", "0114", "K") == (1.0, 2.0, 50.0, "ok")
    assert not any(key[1] == "2023-01" or key[2] == "care_unit" for key in res)


def test_health_centres_offering_distance(run: Any) -> None:
    d = definition("health_centres_offering_distance")
    day = D(2023, 5, 2)
    rows: list[dict[str, Any]] = []

    def visits(uid: str, muni: str, physical: int, video: int) -> None:
        for k in range(physical + video):
            rows.append(contact(len(rows) + 1, 1, day, unit=uid, muni=muni, region=muni[:2],
                                mode="video" if k < video else "physical"))

    visits("VC1", "0114", 150, 2)   # 2 / 152 = 1.3 % ≥ 1 % → offers
    visits("VC4", "0114", 99, 1)    # exactly 100 visits, 1 % → offers (limits inclusive)
    visits("VC2", "1280", 199, 1)   # 0.5 % → does not offer
    visits("VC3", "0180", 40, 50)   # 90 visits < 100 → not counted at all
    reg = data(persons=[person(1, "K", D(1980, 1, 1))],
               care_units=[unit("VC1"), unit("VC4"), unit("VC2", "1280"), unit("VC3", "0180")],
               outpatient_contacts=rows)
    res = run(reg, [2023], d)
    assert vals(res, "video", "2023", "municipality", "0114", "T") == (2.0, 2.0, 100.0, "ok")
    assert vals(res, "video", "2023", "region", "12", "T") == (0.0, 1.0, 0.0, "ok")
    assert vals(res, "video", "2023", "municipality", "0180", "T") == (0.0, 0.0, None,
                                                                       "missing")
    assert vals(res, "video", "2023", "nation", "00", "T") == (2.0, 3.0, approx(200 / 3), "ok")
    assert ("video", "2023", "nation", "00", "K") not in res


# --- named regular doctor ------------------------------------------------------------------

def _named_register() -> Any:
    y = 2023
    return data(
        persons=[
            person(1, "K", D(1980, 1, 1)),                       # listed, doctor
            person(2, "K", D(1980, 1, 1)),                       # listed, no doctor
            person(3, "M", D(1980, 1, 1), muni="0180"),          # spell ends 12-31 (excl.)
            person(4, "M", D(1930, 1, 1), muni="0180", death=D(y, 12, 31)),  # died on the day
            person(5, "M", D(1980, 1, 1), muni="1280"),          # listed from July, doctor
            person(6, "K", D(1980, 1, 1)),                       # doctor only until June
        ],
        population=[pop("0114", "K", 40, 6), pop("0114", "K", 41, 4),
                    pop("0180", "M", 40, 5), pop("1280", "M", 43, 4)],
        listings=[
            listing(1, "VC1", D(y, 1, 1), D(y + 1, 1, 1), doctor="D1"),
            listing(2, "VC1", D(y, 1, 1), D(y + 1, 1, 1)),
            listing(3, "VC1", D(y, 1, 1), D(y, 12, 31), doctor="D1"),
            listing(4, "VC1", D(y, 1, 1), D(y + 1, 1, 1), doctor="D1"),
            listing(5, "VC2", D(y, 7, 1), D(y + 1, 1, 1), doctor="D2"),
            listing(6, "VC1", D(y, 1, 1), D(y, 6, 1), doctor="D1"),
            listing(6, "VC1", D(y, 6, 1), D(y + 1, 1, 1)),
        ],
        municipal_health_care=[mhc(1, 12, True), mhc(2, 12, True), mhc(5, 11, True),
                               mhc(4, 12, True), mhc(6, 12, False)],
        care_units=[unit("VC1"), unit("VC2", "1280")],
    )


def test_named_doctor_listed(run: Any) -> None:
    res = run(_named_register(), [2023], definition("named_doctor_listed"))
    # listed on 12-31: 0114 K: persons 1 (doctor), 2, 6 → 1 / 3; 1280 M: person 5 → 1 / 1
    assert vals(res, "all", "2023", "municipality", "0114", "K") == (1.0, 3.0, approx(100 / 3),
                                                                     "ok")
    assert vals(res, "all", "2023", "municipality", "1280", "M") == (1.0, 1.0, 100.0, "ok")
    assert vals(res, "all", "2023", "municipality", "0180", "M") == (0.0, 0.0, None, "missing")
    assert vals(res, "all", "2023", "nation", "00", "T") == (2.0, 4.0, 50.0, "ok")
    # Wilson, 1 of 3 (z = 1.959964, z² = 3.841459): centre 1/3 + z²/6 = 0.973576, half-width
    # z √(2/27 + z²/36) = 0.833345, divided by 1 + z²/3 = 2.280486 → 6.1492 % … 79.2341 %
    assert limits(res, "all", "2023", "municipality", "0114", "K") == (
        approx(6.1492, abs=1e-4), approx(79.2341, abs=1e-4))
    # 1 of 1: the upper limit is 100 %, the lower 1 / (1 + z²) = 20.655 %
    assert limits(res, "all", "2023", "municipality", "1280", "M") == (
        approx(100 / (1 + 3.841459), abs=1e-4), 100.0)


def test_named_doctor_whole_population(run: Any) -> None:
    res = run(_named_register(), [2023], definition("named_doctor_population"))
    # numerators as above; denominators from the population table: 10, 5 and 4
    assert vals(res, "all", "2023", "municipality", "0114", "K") == (1.0, 10.0, 10.0, "ok")
    assert vals(res, "all", "2023", "municipality", "0180", "M") == (0.0, 5.0, 0.0, "ok")
    # Wilson, 0 of 5: from 0 to z² / (5 + z²) = 3.841459 / 8.841459
    assert limits(res, "all", "2023", "municipality", "0180", "M") == (
        0.0, approx(100 * 3.841459 / 8.841459, abs=1e-4))
    assert vals(res, "all", "2023", "region", "12", "M") == (1.0, 4.0, 25.0, "ok")
    assert vals(res, "all", "2023", "nation", "00", "T") == (2.0, 19.0, approx(200 / 19), "ok")


def test_named_doctor_special_housing(run: Any) -> None:
    res = run(_named_register(), [2023], definition("named_doctor_special_housing"))
    # special housing in December: person 1 (doctor), person 2 (none); person 4 died on
    # 12-31, person 5 only in November, person 6 not special housing → 1 / 2
    assert vals(res, "all", "2023", "municipality", "0114", "K") == (1.0, 2.0, 50.0, "ok")
    assert vals(res, "all", "2023", "nation", "00", "T") == (1.0, 2.0, 50.0, "ok")


# --- continuity of care -----------------------------------------------------------------------

def _continuity_register(year: int = 2023) -> Any:
    y = year
    c = contact
    return data(
        persons=[person(1, "K", D(1950, 1, 1), year=y),
                 person(2, "M", D(1950, 1, 1), muni="0180", year=y),
                 person(3, "K", D(1950, 1, 1), year=y)],
        care_units=[unit("VC1"), unit("VC3", "0180")],
        listings=[listing(1, "VC1", D(y, 1, 1), D(y + 1, 1, 1))],
        outpatient_contacts=[
            # S1: doctors C1, C1, C2, C1 (a letter does not count)
            c(1, 1, D(y, 1, 10), clin="C1"), c(2, 1, D(y, 2, 10), clin="C1"),
            c(3, 1, D(y, 3, 10), clin="C2"), c(4, 1, D(y, 4, 10), clin="C1"),
            c(5, 1, D(y, 5, 10), clin="C2", mode="letter"),
            # S2: C3, C4, C3, C4 — a tie for the usual provider; two on the same day, in
            # contact-id order
            c(6, 2, D(y, 1, 5), clin="C3", unit="VC3"), c(8, 2, D(y, 1, 5), clin="C4",
                                                          unit="VC3"),
            c(9, 2, D(y, 2, 5), clin="C3", unit="VC3"), c(10, 2, D(y, 3, 5), clin="C4",
                                                           unit="VC3"),
            # S3: one doctor visit (no doctor index) and two nurse visits
            c(11, 3, D(y, 1, 5), clin="C1"),
            c(12, 3, D(y, 1, 6), prof="nurse", clin="N1"),
            c(13, 3, D(y, 1, 7), prof="nurse", clin="N1"),
        ],
    )


def test_continuity_indices(run: Any) -> None:
    res = run(_continuity_register(), [2023], definition("continuity_primary_care",
                                                         min_denominator=1))
    p = ("2023", "municipality")
    # S1: N = 4, n = (3, 1), M = 2: COC = (9 + 1 − 4) / (4·3) = 0.5; UPC = 3/4;
    # MMCI = (1 − 2/4.1) / (1 − 1/4.1) = 2.1/3.1; SECON: (C1,C1) same of 3 pairs = 1/3
    assert vals(res, "coc_doctor", *p, "0114", "K") == (0.5, 1.0, 0.5, "ok")
    assert res[("upc_doctor", *p, "0114", "K")]["value"] == 0.75
    assert res[("mmci_doctor", *p, "0114", "K")]["value"] == approx(2.1 / 3.1, rel=1e-12)
    assert res[("secon_doctor", *p, "0114", "K")]["value"] == approx(1 / 3, rel=1e-12)
    # S2: n = (2, 2): COC = (4 + 4 − 4) / 12 = 1/3; UPC = 2/4 whichever doctor is "usual";
    # SECON: C3→C4→C3→C4 never the same = 0
    assert res[("coc_doctor", *p, "0180", "M")]["value"] == approx(1 / 3, rel=1e-12)
    assert res[("upc_doctor", *p, "0180", "M")]["value"] == 0.5
    assert res[("secon_doctor", *p, "0180", "M")]["value"] == 0.0
    # S3 has one doctor visit: no doctor index; with all professions N = 3, n = (1, 2):
    # COC = (1 + 4 − 3) / 6 = 1/3, so 0114 K all = (0.5 + 1/3) / 2 = 5/12
    assert vals(res, "coc_all", *p, "0114", "K") == (approx(5 / 6), 2.0, approx(5 / 12), "ok")
    # its interval (Student's t, 1 degree of freedom: 12.7062): s² = ((1/2 − 5/12)² +
    # (1/3 − 5/12)²) / 1 = 1/72, s / √2 = 1/12, so 5/12 ± 12.7062 / 12 = −0.642 to 1.475,
    # which an index from 0 to 1 bounds to 0 to 1
    assert limits(res, "coc_all", *p, "0114", "K") == (0.0, 1.0)
    assert res[("secon_all", *p, "0114", "K")]["value"] == approx((1 / 3 + 1 / 2) / 2)
    # Riket, doctors: (0.5 + 1/3) / 2
    assert res[("coc_doctor", "2023", "nation", "00", "T")]["value"] == approx(5 / 12)
    # per health centre: only S1 is listed (VC1); S2 is unlisted
    assert vals(res, "coc_doctor", "2023", "care_unit", "VC1", "K") == (0.5, 1.0, 0.5, "ok")
    assert ("coc_doctor", "2023", "care_unit", "VC3", "M") not in res
    # one patient: no spread, no interval
    assert limits(res, "coc_doctor", "2023", "care_unit", "VC1", "K") == (None, None)
    shipped = run(_continuity_register(), [2023], definition("continuity_primary_care"))
    assert shipped[("coc_doctor", "2023", "nation", "00", "T")]["status"] == "too_few"


def test_continuity_leaves_out_visits_without_their_clinician(run: Any) -> None:
    reg = _continuity_register()
    rows = reg.arrow("outpatient_contacts").to_pylist()
    # S1 also saw specialists twice: C9, and once with no clinician recorded
    rows += [contact(20, 1, D(2023, 5, 10), level="specialist", clin="C9"),
             contact(21, 1, D(2023, 6, 10), level="specialist", clin=None)]
    tables = {name: reg.arrow(name).to_pylist() for name in reg.names()}
    tables["outpatient_contacts"] = rows
    res = run(data(**tables), [2023], definition(
        "continuity_primary_care", min_denominator=1,
        care_levels=["primary", "specialist"]))
    # S1, doctors: C1, C1, C2, C1, C9 (the visit without a clinician is left out, not a sixth
    # clinician nor the same one twice): N = 5, n = (3, 1, 1) → COC = (9 + 1 + 1 − 5) / 20
    assert res[("coc_doctor", "2023", "municipality", "0114", "K")]["value"] == approx(
        6 / 20, rel=1e-12)
    # UPC = 3/5
    assert res[("upc_doctor", "2023", "municipality", "0114", "K")]["value"] == approx(0.6)


@pytest.mark.parametrize("engine", [ReferenceEngine(), DuckDBEngine(threads=1)])
def test_continuity_change_against_base_year(engine: Any) -> None:
    base, now = _continuity_register(2022), _continuity_register(2023)
    tables = {name: [*base.arrow(name).to_pylist(), *now.arrow(name).to_pylist()]
              for name in now.names() if name != "care_units"}
    # 2022: only S1, with doctors C1, C1, C2, C2 (and the letter)
    tables["outpatient_contacts"] = [
        r for r in tables["outpatient_contacts"] if r["year"] == 2023 or r["person_id"] == 1]
    for r in tables["outpatient_contacts"]:
        if r["year"] == 2022:
            r["contact_id"] += 1000
            r["clinician_id"] = "C1" if r["contact_id"] in (1001, 1002) else "C2"
    reg = data(care_units=now.arrow("care_units").to_pylist(), **tables)
    source = definition("continuity_primary_care", min_denominator=1)
    real = shipped_catalogue()
    catalogue = dataclasses.replace(real, definitions=tuple(
        source if x.id == source.id else x for x in real.definitions))
    change = definition("continuity_change", base_year=2022)
    table = compute(reg, [2023], [change], engine=engine, catalogue=catalogue, areas=SMALL)
    rows = {(r["variant"], r["period"], r["area_code"], r["sex"]): r for r in table.to_pylist()}
    # S1 COC 2022 = (4 + 4 − 4) / 12 = 1/3; 2023: 0.5 → change = (0.5 / (1/3) − 1) × 100 = 50
    r = rows[("coc_doctor", "2023", "0114", "K")]
    assert (r["numerator"], r["denominator"]) == (0.5, approx(1 / 3))
    assert r["value"] == approx(50.0) and r["status"] == "ok"
    # one patient in 2022: that index has no interval, so neither has the change
    assert (r["ci_low"], r["ci_high"]) == (None, None)
    # 0180 had no patient in 2022 → missing; only the requested year is output
    assert rows[("coc_doctor", "2023", "0180", "M")]["status"] == "missing"
    assert {key[1] for key in rows} == {"2023"}


# --- care guarantee ----------------------------------------------------------------------------

def test_care_guarantee(run: Any) -> None:
    a = assessment
    reg = data(
        care_units=[unit("VC1"), unit("VC2", "1280")],
        assessments=[
            a(1, "K", D(2023, 1, 2), D(2023, 1, 5)),             # day 3 → within
            a(2, "K", D(2023, 1, 2), D(2023, 1, 6)),             # day 4 → late
            a(3, "M", D(2023, 1, 31), D(2023, 2, 3)),            # day 3, January contact
            a(4, "K", D(2023, 1, 3), D(2023, 1, 20), chose_later=True),   # left out
            a(5, "M", D(2023, 1, 4), None),                       # not completed: left out
            a(6, "M", D(2023, 1, 4), D(2023, 1, 4), prof="other"),        # not licensed
            a(7, "K", D(2023, 1, 9), D(2023, 1, 9), prof="nurse"),        # day 0 → within
            a(8, "M", D(2023, 2, 10), D(2023, 2, 10), unit_id="VC2", region="12"),
        ],
    )
    res = run(reg, [2023], definition("care_guarantee_3_days", min_denominator=1))
    # January, VC1: within 1, 3, 7 of 1, 2, 3, 7 → 3 / 4; K: 1, 7 of 1, 2, 7 → 2 / 3
    assert vals(res, "licensed_staff", "2023-01", "care_unit", "VC1", "T") == (3.0, 4.0, 75.0,
                                                                               "ok")
    assert vals(res, "licensed_staff", "2023-01", "care_unit", "VC1", "K") == (
        2.0, 3.0, approx(200 / 3), "ok")
    assert vals(res, "licensed_staff", "2023-02", "region", "12", "M") == (1.0, 1.0, 100.0,
                                                                           "ok")
    assert vals(res, "licensed_staff", "2023", "nation", "00", "T") == (4.0, 5.0, 80.0, "ok")
    # doctors only: case 7 (nurse) leaves → January VC1 2 / 3
    assert vals(res, "doctor", "2023-01", "municipality", "0114", "T") == (
        2.0, 3.0, approx(200 / 3), "ok")
    shipped = run(reg, [2023], definition("care_guarantee_3_days"))
    assert shipped[("licensed_staff", "2023", "nation", "00", "T")]["status"] == "too_few"
    # not completed counts as late when completed_only is false → 4 / 6 (cases 4 and 6 are
    # still out: chose later, not licensed)
    res = run(reg, [2023], definition("care_guarantee_3_days", min_denominator=1,
                                      completed_only=False))
    assert vals(res, "licensed_staff", "2023", "nation", "00", "T")[:2] == (4.0, 6.0)


# --- cost share ---------------------------------------------------------------------------------

def test_primary_care_cost_share(run: Any) -> None:
    reg = data(costs=[
        cost("01", "primary_care", 1_000_000), cost("01", "specialised_somatic", 2_500_000),
        cost("01", "specialised_psychiatric", 400_000), cost("01", "other_health_care", 100_000),
        cost("01", "pharmaceuticals_benefit", 600_000), cost("01", "dental_care", 300_000),
        cost("01", "primary_care", 999, funder="municipality"),
        cost("12", "primary_care", 600_000), cost("12", "specialised_somatic", 1_400_000),
    ])
    res = run(reg, [2023], definition("primary_care_cost_share"))
    # 01: 1.0 M / (1.0 + 2.5 + 0.4 + 0.1) M = 25 %; 12: 0.6 / 2.0 = 30 %; Riket 1.6 / 6.0
    assert vals(res, "regional_accounts", "2023", "region", "01", "T") == (
        1_000_000.0, 4_000_000.0, 25.0, "ok")
    assert vals(res, "regional_accounts", "2023", "region", "12", "T")[2] == 30.0
    assert vals(res, "regional_accounts", "2023", "nation", "00", "T") == (
        1_600_000.0, 6_000_000.0, approx(160 / 6), "ok")
    # accounting totals are not a sample: no interval
    assert limits(res, "regional_accounts", "2023", "nation", "00", "T") == (None, None)
    # a year without data is missing
    res = run(reg, [2022, 2023], definition("primary_care_cost_share"))
    assert vals(res, "regional_accounts", "2022", "nation", "00", "T") == (None, None, None,
                                                                           "missing")


def test_compute_refuses_bad_data(run: Any) -> None:
    reg = data(costs=[cost("99", "primary_care", -5)])
    with pytest.raises(ValidationError) as err:
        run(reg, [2023], definition("primary_care_cost_share"))
    assert {(p.column, p.problem) for p in err.value.problems} == {
        ("region_code", "unknown region code"), ("cost_sek", "value below 0")}
