"""Age and direct age standardisation, checked against worked examples."""

from __future__ import annotations

import pytest

from naravard.indicators.plan import age_on
from naravard.indicators.standardise import direct_rate, group_of, standard_groups

from .helpers import D


def test_age_on_birthdays_and_leap_days() -> None:
    assert age_on(D(1958, 6, 15), D(2023, 6, 14)) == 64
    assert age_on(D(1958, 6, 15), D(2023, 6, 15)) == 65
    # born on a leap day: one year older on 1 March in common years, on 29 February in leap
    assert age_on(D(1944, 2, 29), D(2023, 2, 28)) == 78
    assert age_on(D(1944, 2, 29), D(2023, 3, 1)) == 79
    assert age_on(D(1944, 2, 29), D(2024, 2, 28)) == 79
    assert age_on(D(1944, 2, 29), D(2024, 2, 29)) == 80


def test_esp2013_groups_for_65_plus() -> None:
    groups = standard_groups("esp2013", 65, None)
    assert [g.label for g in groups] == ["65-69", "70-74", "75-79", "80-84", "85-89", "90-94",
                                         "95+"]
    assert [g.weight for g in groups] == [5500, 5000, 4000, 2500, 1500, 800, 200]
    assert sum(g.weight for g in groups) == 19500
    assert group_of(groups, 64) is None and group_of(groups, 107) == "95+"
    with pytest.raises(ValueError, match="age limit 66"):
        standard_groups("esp2013", 66, None)
    with pytest.raises(ValueError, match="unknown standard population"):
        standard_groups("who2000", 65, None)


def test_direct_rate_worked_example() -> None:
    # Two areas with the same age-specific rates but different age structures get the same
    # standardised rate. Rates per group: 65-69 10/1 000, 70-74 20/1 000, 75-79 40/1 000,
    # others 0 with population.
    groups = standard_groups("esp2013", 65, None)
    pop_a = {"65-69": 1000, "70-74": 1000, "75-79": 1000, "80-84": 100, "85-89": 100,
             "90-94": 100, "95+": 100}
    pop_b = {k: v * 3 if k == "75-79" else v for k, v in pop_a.items()}
    ev_a = {"65-69": 10, "70-74": 20, "75-79": 40}
    ev_b = {"65-69": 10, "70-74": 20, "75-79": 120}
    # Σ rate_i × w_i = 0.01 × 5 500 + 0.02 × 5 000 + 0.04 × 4 000 = 55 + 100 + 160 = 315
    # ASR = 315 / 19 500 × 100 000 = 1 615.38…
    expected = 315 / 19500 * 100000
    assert direct_rate(groups, ev_a, pop_a, 100000) == pytest.approx(expected, rel=1e-12)
    assert direct_rate(groups, ev_b, pop_b, 100000) == pytest.approx(expected, rel=1e-12)
    # crude rates differ: 70 / 3 400 against 150 / 5 400
    assert sum(ev_a.values()) / sum(pop_a.values()) != sum(ev_b.values()) / sum(pop_b.values())
    # events without population are undefined; no population at all too
    assert direct_rate(groups, {"95+": 1}, {"65-69": 10}, 100000) is None
    assert direct_rate(groups, {}, {}, 100000) is None
