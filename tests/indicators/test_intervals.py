"""Confidence intervals: the methods against worked values, their invariants, and how a
definition names them, results carry them and publication hides them with the value."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naravard import indicators
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.definition import parse_definition
from naravard.indicators.disclosure import mask_row
from naravard.indicators.intervals import (
    difference_interval,
    dobson,
    mean_interval,
    poisson_count,
    poisson_persons_rate,
    poisson_rate,
    ratio_interval,
    t_of,
    wilson,
    wilson_persons,
    z_of,
)
from naravard.indicators.publish import check_rows
from naravard.indicators.standardise import AgeGroup, direct_rate, direct_rate_variance
from naravard.indicators.text import DefinitionError, read_yaml

approx = pytest.approx
positive = st.floats(0.01, 1.0)
DEFINITIONS = Path(indicators.__file__).parent / "definitions"


def test_worked_values() -> None:
    assert z_of(0.95) == approx(1.959964, abs=1e-6)
    assert z_of(0.90) == approx(1.644854, abs=1e-6)
    # exact Poisson limits below 10 events (χ² table: χ²(0.025; 10) / 2, χ²(0.975; 12) / 2)
    assert poisson_count(5, 0.95) == (approx(1.623486, abs=1e-6), approx(11.668332, abs=1e-6))
    assert poisson_count(0, 0.95) == (0.0, approx(3.688879, abs=1e-6))
    assert poisson_count(9, 0.95) == (approx(4.115373, abs=1e-6), approx(17.084803, abs=1e-6))
    # Byar's from 10: 100 (1 − 1/900 − z/30)³ and 101 (1 − 1/909 + z/(3√101))³
    z = 1.959963985
    assert poisson_count(100, 0.95) == (
        approx(100 * (1 - 1 / 900 - z / 30) ** 3, rel=1e-9),
        approx(101 * (1 - 1 / 909 + z / (3 * 101 ** 0.5)) ** 3, rel=1e-9))
    assert poisson_count(100, 0.95) == (approx(81.3621, abs=1e-4), approx(121.6280, abs=1e-4))
    # Wilson, 5 of 10: 0.5 ± z √(0.025 + z²/400) / (1 + z²/10) = 0.236593 … 0.763407
    assert wilson(5, 10, 0.95) == (approx(0.236593, abs=1e-6), approx(0.763407, abs=1e-6))
    assert wilson(10, 10, 0.95) == (approx(10 / (10 + z * z), rel=1e-9), 1.0)
    assert wilson(1, 0, 0.95) is None
    assert poisson_rate(5, 1000, 100_000, 0.95) == (approx(162.3486, abs=1e-3),
                                                    approx(1166.8332, abs=1e-3))
    assert poisson_rate(5, 0, 100_000, 0.95) is None


def test_student_t_and_the_mean() -> None:
    # the t table (two-sided 95 %; 90 % and 99 % for some): exact for 1 and 2 degrees of
    # freedom, the expansion within 0.004 at 3, 0.001 at 4, 0.0003 from 5
    table = {1: 12.7062, 2: 4.3027, 3: 3.1824, 4: 2.7764, 5: 2.5706, 10: 2.2281, 19: 2.0930,
             30: 2.0423, 100: 1.9840}
    assert {df: round(t_of(0.95, df), 4) for df in table} == {
        **table, 3: 3.1786, 4: 2.7756, 5: 2.5703}
    assert t_of(0.90, 5) == approx(2.0150, abs=3e-4)
    assert t_of(0.99, 10) == approx(3.1693, abs=3e-4)
    # mean of 0.5 and 1/3: 5/12; s² = 2 × (1/12)² / 1 = 1/72; s / √2 = 1/12; ± 12.7062 / 12
    low, high = mean_interval(0.5 + 1 / 3, 0.25 + 1 / 9, 2, 0.95)  # type: ignore[misc]
    assert (low, high) == (approx(5 / 12 - 12.7062 / 12, abs=1e-4),
                           approx(5 / 12 + 12.7062 / 12, abs=1e-4))
    # 20 values, 10 of 0.2 and 10 of 0.6: mean 0.4, s² = 20 × 0.04 / 19; ± 2.0930 × s / √20
    s = (20 * 0.04 / 19) ** 0.5
    assert mean_interval(8.0, 10 * 0.04 + 10 * 0.36, 20, 0.95) == (
        approx(0.4 - 2.0930 * s / 20 ** 0.5, abs=1e-4),
        approx(0.4 + 2.0930 * s / 20 ** 0.5, abs=1e-4))
    assert mean_interval(0.5, 0.25, 1, 0.95) is None  # one value: no spread
    assert mean_interval(1.5, 0.75, 3, 0.95) == (0.5, 0.5)  # equal values: no width


def test_dobson_worked_example() -> None:
    """Two age groups weighted 60 and 40: 4 events in 1 000 and 16 in 400, per 100 000.

    Rate (4/1 000 × 60 + 16/400 × 40) / 100 × 1e5 = 1 840; variance (60² × 4 / 1 000² +
    40² × 16 / 400²) × (1e5 / 100)² = (0.0144 + 0.16) × 1e6 = 174 400; 20 events, so
    √(174 400 / 20) = √8 720 = 93.3809 per event from 20 to Byar's limits of 20:
    20 (1 − 1/180 − z/(3√20))³ = 12.2114 and 21 (1 − 1/189 + z/(3√21))³ = 30.8899, so
    1 840 − 93.3809 × 7.7886 = 1 112.70 and 1 840 + 93.3809 × 10.8899 = 2 856.91.
    """
    groups = (AgeGroup("a", 0, 49, 60), AgeGroup("b", 50, None, 40))
    events, population = {"a": 4.0, "b": 16.0}, {"a": 1000.0, "b": 400.0}
    rate = direct_rate(groups, events, population, 100_000)
    variance = direct_rate_variance(groups, events, population, 100_000)
    assert rate == approx(1840.0, rel=1e-12)
    assert variance == approx(174_400.0, rel=1e-12)
    low, high = poisson_count(20, 0.95)
    assert (low, high) == (approx(12.2114, abs=1e-4), approx(30.8899, abs=1e-4))
    assert dobson(rate, 20, variance, 0.95) == (
        approx(1840 + 8720 ** 0.5 * (low - 20), rel=1e-12),
        approx(1840 + 8720 ** 0.5 * (high - 20), rel=1e-12))
    assert dobson(rate, 20, variance, 0.95) == (approx(1112.70, abs=0.01),
                                                approx(2856.91, abs=0.01))
    assert dobson(0.0, 0, 0.0, 0.95) is None  # no events: Dobson's method is undefined
    # events where there is no population: no rate, no variance
    assert direct_rate_variance(groups, {"a": 1.0}, {"b": 10.0}, 100) is None


def test_ratio_worked_example() -> None:
    """0.6 (0.5–0.7) against 0.5 (0.45–0.55): θ₁θ₂ = 0.3; both edges' products
    0.55 × (1 − 0.55) = 0.45 × (1 − 0.45) = 0.2475 and 0.5 × (1.2 − 0.5) = 0.7 × (1.2 − 0.7) =
    0.35, so √(0.09 − 0.2475 × 0.35) = √0.003375 = 0.0580948 and the limits are
    (0.3 ∓ 0.0580948) / 0.2475 = 0.977395 and 1.446847 around the ratio 1.2."""
    assert ratio_interval((0.6, 0.5, 0.7), (0.5, 0.45, 0.55)) == (
        approx(0.977395, abs=1e-6), approx(1.446847, abs=1e-6))
    # a base without uncertainty: the value's limits divided by it
    assert ratio_interval((0.6, 0.5, 0.7), (0.5, 0.5, 0.5)) == (approx(1.0), approx(1.4))
    # a value's lower limit below zero takes the base's lower limit (Newcombe 2016):
    # (0.3 − √(0.09 + 0.2475 × 0.1 × 1.3)) / 0.2475
    assert ratio_interval((0.6, -0.1, 1.3), (0.5, 0.45, 0.55))[0] == approx(  # type: ignore
        (0.3 - (0.09 + 0.2475 * 0.1 * 1.3) ** 0.5) / 0.2475, rel=1e-12)
    # a base whose interval reaches zero, or is too wide to bound the ratio: none
    assert ratio_interval((0.6, 0.5, 0.7), (0.5, 0.0, 1.0)) is None
    assert ratio_interval((0.6, 0.5, 0.7), (0.5, 0.1, 1.0)) is None
    assert ratio_interval((0.6, 0.65, 0.7), (0.5, 0.45, 0.55)) is None  # not an interval


def test_difference_worked_examples() -> None:
    """Newcombe (1998), Table II, method 10 (Wilson's limits combined): 56/70 − 48/80 gives
    0.0524 to 0.3339, and 9/10 − 3/10 gives 0.1705 to 0.8090."""
    def share(k: int, n: int) -> tuple[float, float, float]:
        low, high = wilson(k, n, 0.95)  # type: ignore[misc]
        return k / n, low, high

    assert difference_interval(share(56, 70), share(48, 80)) == (
        approx(0.0524, abs=5e-5), approx(0.3339, abs=5e-5))
    assert difference_interval(share(9, 10), share(3, 10)) == (
        approx(0.1705, abs=5e-5), approx(0.8090, abs=5e-5))
    # without uncertainty in the base: the value's own limits, moved
    assert difference_interval((0.6, 0.5, 0.7), (0.5, 0.5, 0.5)) == (approx(0.0), approx(0.2))


@given(positive, positive, positive, positive, positive, positive)
def test_difference_limits_hold_it_and_mirror(t1: float, d1: float, e1: float, t2: float,
                                              d2: float, e2: float) -> None:
    value, base = (t1, t1 - d1, t1 + e1), (t2, t2 - d2, t2 + e2)
    low, high = difference_interval(value, base)
    assert low <= t1 - t2 <= high
    back = difference_interval(base, value)
    assert (back[0], back[1]) == (approx(-high), approx(-low))


def test_ratio_of_narrow_intervals_is_the_delta_method() -> None:
    """With small standard errors the limits approach R ± z · R · √((s₁/θ₁)² + (s₂/θ₂)²)."""
    z = z_of(0.95)
    (t1, s1), (t2, s2) = (0.6, 0.0006), (0.5, 0.0004)
    ratio = t1 / t2
    half = z * ratio * ((s1 / t1) ** 2 + (s2 / t2) ** 2) ** 0.5
    assert ratio_interval((t1, t1 - z * s1, t1 + z * s1), (t2, t2 - z * s2, t2 + z * s2)) == (
        approx(ratio - half, rel=2e-5), approx(ratio + half, rel=2e-5))



@given(positive, positive, positive, positive, positive, positive)
def test_ratio_limits_solve_their_equations(t1: float, d1: float, e1: float, t2: float,
                                            d2: float, e2: float) -> None:
    """Each limit r is where the MOVER interval of θ₁ − rθ₂ has its edge at zero: an
    independent check of the closed form, and the limits hold the ratio."""
    l1, u1 = t1 - d1, t1 + e1  # l₁ at or below zero too
    l2, u2 = t2 - d2 * t2 * 0.9, t2 + e2 * t2 * 0.9
    found = ratio_interval((t1, l1, u1), (t2, l2, u2))
    assert found is not None
    low, high = found
    assert low <= t1 / t2 <= high
    edge = u2 if l1 > 0 else l2
    assert t1 - low * t2 == approx(((t1 - l1) ** 2 + low ** 2 * (edge - t2) ** 2) ** 0.5,
                                   abs=1e-9)
    assert high * t2 - t1 == approx(((u1 - t1) ** 2 + high ** 2 * (t2 - l2) ** 2) ** 0.5,
                                    abs=1e-9)


@given(st.integers(0, 5000), st.integers(1, 5000), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_holds_the_share(successes: int, extra: int, level: float) -> None:
    trials = successes + extra - 1 if successes + extra > 1 else 1
    successes = min(successes, trials)
    found = wilson(successes, trials, level)
    assert found is not None
    low, high = found
    assert 0 <= low <= successes / trials <= high <= 1
    wider = wilson(successes, trials, min(0.999, level + 0.009))
    assert wider is not None and wider[0] <= low + 1e-12 and wider[1] >= high - 1e-12


@given(st.integers(0, 100_000), st.sampled_from([0.9, 0.95, 0.99]))
def test_poisson_limits_hold_the_count(count: int, level: float) -> None:
    low, high = poisson_count(count, level)
    assert 0 <= low <= count < high
    if count:  # the next count's limits lie above (monotone across the switch at 10)
        before = poisson_count(count - 1, level)
        assert before[0] < low and before[1] < high


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 2000), st.integers(1, 9000)),
                min_size=1, max_size=6))
def test_dobson_holds_the_rate(cells: list[tuple[int, int, int]]) -> None:
    groups = tuple(AgeGroup(str(i), i, i, w) for i, (_, _, w) in enumerate(cells))
    events = {str(i): float(d) for i, (d, _, _) in enumerate(cells)}
    population = {str(i): float(p) for i, (_, p, _) in enumerate(cells)}
    rate = direct_rate(groups, events, population, 100_000)
    variance = direct_rate_variance(groups, events, population, 100_000)
    assert rate is not None and variance is not None
    found = dobson(rate, sum(events.values()), variance, 0.95)
    if sum(events.values()) == 0:
        assert found is None
    else:
        assert found is not None and found[0] <= rate <= found[1]


def test_repeat_events_of_a_person_widen_the_poisson_limits() -> None:
    # 10 visits in a population of 1 000, per 1 000: one person with 4, six with 1 each, so
    # Σ y² = 16 + 6 = 22; rate 10 + √(22 / 10) · (limit − 10) with Byar's limits of the
    # count 10: 10 (1 − 1/90 − z/(3√10))³ = 4.787450 and 11 (1 − 1/99 + z/(3√11))³ = 18.391459
    z = 1.959963985
    byar = (10 * (1 - 1 / 90 - z / (3 * 10 ** 0.5)) ** 3,
            11 * (1 - 1 / 99 + z / (3 * 11 ** 0.5)) ** 3)
    assert byar == (approx(4.787450, abs=1e-6), approx(18.391459, abs=1e-6))
    low, high = poisson_persons_rate(10, 22, 1000, 1000, 0.95) or (0.0, 0.0)
    assert low == approx(10 + 2.2 ** 0.5 * (byar[0] - 10), rel=1e-9)
    assert high == approx(10 + 2.2 ** 0.5 * (byar[1] - 10), rel=1e-9)
    assert (low, high) == (approx(2.2685, abs=1e-4), approx(22.4465, abs=1e-4))
    # 5 visits, one person with 3: 5 + √(11 / 5) · (1.623486 − 5) lies below zero, so 0
    low, high = poisson_persons_rate(5, 11, 1000, 1000, 0.95) or (1.0, 0.0)
    assert low == 0.0
    assert high == approx(5 + 2.2 ** 0.5 * (11.668332 - 5), abs=1e-5)
    # one visit each: the Poisson limits; no visits: those of 0; no population: none
    assert poisson_persons_rate(5, 5, 1000, 1000, 0.95) == poisson_rate(5, 1000, 1000, 0.95)
    assert poisson_persons_rate(0, 0, 1000, 1000, 0.95) == poisson_rate(0, 1000, 1000, 0.95)
    assert poisson_persons_rate(5, 11, 0, 1000, 0.95) is None


@given(st.lists(st.integers(1, 40), min_size=1, max_size=60), st.integers(1, 100_000))
def test_repeat_events_hold_the_rate_and_widen_with_the_repeats(visits: list[int],
                                                                extra: int) -> None:
    events, squares = sum(visits), sum(v * v for v in visits)
    population = len(visits) + extra
    poisson = poisson_rate(events, population, 1000, 0.95)
    found = poisson_persons_rate(events, squares, population, 1000, 0.95)
    assert poisson is not None and found is not None
    rate = events / population * 1000
    assert found[0] <= rate <= found[1]
    # as wide as the Poisson limits where every person has one visit, wider otherwise, by
    # √(Σ y² / Σ y) on each side
    # (the lower limit no further than zero)
    widen = (squares / events) ** 0.5
    assert found[0] == approx(max(0.0, rate - widen * (rate - poisson[0])), rel=1e-9, abs=1e-9)
    assert found[1] - rate == approx(widen * (poisson[1] - rate), rel=1e-9)


def test_several_trials_of_a_person_widen_wilson_by_the_design_effect() -> None:
    # 4 of 10 index stays readmitted: one person 3 of 4, one 1 of 2, four 0 of 1 →
    # Σy² = 9 + 1 = 10, Σx² = 16 + 4 + 4 = 24, Σxy = 12 + 2 = 14; p = 0.4:
    # Σ(y − px)² = 10 − 0.8 · 14 + 0.16 · 24 = 2.64 against 10 · 0.4 · 0.6 = 2.4 → deff 1.1,
    # so Wilson's of 4 / 1.1 in 10 / 1.1
    assert wilson_persons(4, 10, 10, 24, 14, 0.95) == (
        approx(wilson(4 / 1.1, 10 / 1.1, 0.95)[0], rel=1e-9),  # type: ignore[index]
        approx(wilson(4 / 1.1, 10 / 1.1, 0.95)[1], rel=1e-9))  # type: ignore[index]
    # n = 9.0909: (0.4 + z²/2n ∓ z √(0.24/n + z²/4n²)) / (1 + z²/n) = (0.61128 ∓ 0.38218)
    # / 1.42256
    assert wilson(4 / 1.1, 10 / 1.1, 0.95) == (approx(0.1611, abs=1e-4),
                                               approx(0.6984, abs=1e-4))
    # one stay each: Wilson's; a design effect below 1 is taken as 1; 0 or all: Wilson's
    assert wilson_persons(4, 10, 4, 10, 4, 0.95) == approx(wilson(4, 10, 0.95), rel=1e-12)
    # 2 of 2 and 0 of 2, each person all or nothing: Σ(y − px)² = 4 − 4 + 2 = 2 against
    # 4 · 0.25 = 1, deff 2: Wilson's of 1 in 2
    assert wilson_persons(2, 4, 4, 8, 4, 0.95) == approx(wilson(1, 2, 0.95), rel=1e-12)
    # 1 of 2 and 0 of 2: 1 − 1 + 0.0625 · 8 = 0.5 against 0.75, deff 2/3 taken as 1
    assert wilson_persons(1, 4, 1, 8, 2, 0.95) == approx(wilson(1, 4, 0.95), rel=1e-12)
    assert wilson_persons(0, 6, 0, 20, 0, 0.95) == approx(wilson(0, 6, 0.95), rel=1e-12)
    assert wilson_persons(6, 6, 20, 20, 20, 0.95) == approx(wilson(6, 6, 0.95), rel=1e-12)
    assert wilson_persons(1, 0, 1, 0, 0, 0.95) is None


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(0, 12)), min_size=1, max_size=50))
def test_persons_widen_wilson_never_narrow_it(people: list[tuple[int, int]]) -> None:
    stays = [(x, min(y, x)) for x, y in people]  # (index stays, readmitted) per person
    x_sum, y_sum = sum(x for x, _ in stays), sum(y for _, y in stays)
    found = wilson_persons(y_sum, x_sum, sum(y * y for _, y in stays),
                           sum(x * x for x, _ in stays), sum(x * y for x, y in stays), 0.95)
    plain = wilson(y_sum, x_sum, 0.95)
    assert found is not None and plain is not None
    p = y_sum / x_sum
    assert found[0] <= p + 1e-12 and p - 1e-12 <= found[1]
    assert found[0] <= plain[0] + 1e-12 and found[1] >= plain[1] - 1e-12
    if all(x == 1 for x, _ in stays):  # one stay each: exactly Wilson's
        assert found == approx(plain, rel=1e-9)


def test_only_a_kind_that_counts_events_per_person_widens_for_them() -> None:
    data = _yaml("avoidable_inpatient_chronic")
    data["standardisation"] = None
    for variant in data["variants"]:
        variant.pop("standard", None)
    data["interval"]["method"] = "poisson_persons"
    with pytest.raises(DefinitionError, match="kind avoidable_inpatient does not count events "
                                              r"per person \(poisson_persons needs them\)"):
        parse_definition("avoidable_inpatient_chronic.yaml", data)
    data["interval"]["method"] = "poisson"
    assert parse_definition("avoidable_inpatient_chronic.yaml", data).interval.method == "poisson"


def _yaml(indicator: str) -> dict[str, Any]:
    return copy.deepcopy(read_yaml(DEFINITIONS / f"{indicator}.yaml"))


@pytest.mark.parametrize(("indicator", "method", "message"), [
    ("readmission_30d_65plus", "poisson", "a share allows wilson, wilson_persons, none"),
    ("ed_visits_80plus", "wilson", "a rate allows poisson, poisson_persons, none"),
    ("ed_visits_80plus", "dobson", "a rate allows poisson, poisson_persons, none"),
    ("avoidable_inpatient_chronic", "poisson", "a standardised rate allows dobson, none"),
    ("continuity_primary_care", "wilson", "a mean allows t, none"),
    ("continuity_change", "t", "a change allows mover, none"),
    ("continuity_primary_care", "mover", "a mean allows t, none"),
    ("readmission_30d_65plus", "bootstrap",
     "must be one of wilson, wilson_persons, poisson, poisson_persons, dobson, t, mover, "
     "none"),
])
def test_a_definition_names_a_method_that_fits(indicator: str, method: str,
                                               message: str) -> None:
    data = _yaml(indicator)
    data["interval"]["method"] = method
    with pytest.raises(DefinitionError, match=message):
        parse_definition(f"{indicator}.yaml", data)
    data = _yaml(indicator)
    data["interval"]["level"] = 95
    with pytest.raises(DefinitionError, match=r"decimal number from 0\.5 up to 1"):
        parse_definition(f"{indicator}.yaml", data)
    data = _yaml(indicator)
    del data["interval"]
    with pytest.raises(DefinitionError, match="interval"):
        parse_definition(f"{indicator}.yaml", data)


def test_every_shipped_definition_names_its_interval() -> None:
    methods = {d.id: (d.interval.method, d.interval.level, bool(d.interval.note))
               for d in shipped_catalogue().definitions}
    assert methods == {
        "avoidable_inpatient_chronic": ("dobson", 0.95, True),
        "care_guarantee_3_days": ("wilson", 0.95, True),
        "continuity_change": ("mover", 0.95, True),
        "continuity_primary_care": ("t", 0.95, True),
        "distance_share_doctor_visits": ("wilson", 0.95, True),
        "ed_visits_80plus": ("poisson_persons", 0.95, True),
        "health_centres_offering_distance": ("wilson", 0.95, True),
        "named_doctor_listed": ("wilson", 0.95, True),
        "named_doctor_population": ("wilson", 0.95, True),
        "named_doctor_special_housing": ("wilson", 0.95, True),
        "primary_care_cost_share": ("none", 0.95, True),
        "readmission_30d_65plus": ("wilson_persons", 0.95, True),
    }


def _row(**changes: Any) -> dict[str, Any]:
    row = {"indicator": "readmission_30d_65plus", "version": "x", "variant": "all_causes",
           "period": "2023", "area_level": "nation", "area_code": "00", "sex": "T",
           "numerator": 5.0, "denominator": 10.0, "value": 50.0, "status": "ok",
           "ci_low": 23.66, "ci_high": 76.34}
    return {**row, **changes}


def test_a_masked_value_loses_its_interval() -> None:
    d = shipped_catalogue().definition("readmission_30d_65plus")
    masked = mask_row(_row(), d)
    assert (masked["value"], masked["ci_low"], masked["ci_high"], masked["status"]) == (
        None, None, None, "suppressed")


def test_stored_rows_are_checked_for_their_interval() -> None:
    cat = shipped_catalogue()
    assert check_rows([_row()], cat) == []
    assert check_rows([_row(ci_low=None, ci_high=None)], cat) == []
    assert check_rows([{k: v for k, v in _row().items() if not k.startswith("ci_")}],
                      cat) == []
    assert check_rows([_row(ci_high=None)], cat) == [
        "row 1: ci_low: an interval has both limits, and only beside a value"]
    assert check_rows([_row(value=None, status="too_few")], cat) == [
        "row 1: ci_low: an interval has both limits, and only beside a value"]
    assert check_rows([_row(ci_low=51.0)], cat) == [
        "row 1: ci_low: the interval 51.0–76.34 does not hold the value 50.0"]
    assert check_rows([_row(ci_high=float("nan"))], cat) == ["row 1: ci_high: nan is not a number"]


@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=40))
def test_a_mean_index_has_its_limits_within_zero_and_one(indices: list[float]) -> None:
    from naravard.indicators.finalise import Areas, finalise

    d = shipped_catalogue().definition("continuity_primary_care")
    cell = {"period": "2023", "area_level": "municipality", "area_code": "0114", "sex": "K",
            "age_group": "", "numerator": sum(indices), "denominator": float(len(indices)),
            "numerator_sq": sum(x * x for x in indices)}
    rows = finalise(d, "coc_doctor", [cell], [2023], {2023}, Areas(("01",), ("0114",)))
    row = next(r for r in rows if r["area_code"] == "0114" and r["sex"] == "K")
    found = mean_interval(cell["numerator"], cell["numerator_sq"], len(indices), 0.95)
    if row["status"] != "ok":  # fewer patients than the definition shows
        assert len(indices) < d.min_denominator
        return
    assert found is not None
    assert row["ci_low"] == approx(max(0.0, found[0])) and row["ci_high"] == approx(
        min(1.0, found[1]))
    assert 0.0 <= row["ci_low"] <= row["value"] <= row["ci_high"] <= 1.0
