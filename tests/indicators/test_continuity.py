"""Continuity indices: hand values and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naravard.indicators.continuity import coc, eligible, index_value, mmci, secon, upc


def test_hand_values() -> None:
    visits = ["A", "A", "B", "A"]
    assert coc(visits) == 0.5                       # (9 + 1 − 4) / (4 · 3)
    assert upc(visits) == 0.75
    assert mmci(visits) == pytest.approx(2.1 / 3.1)  # (1 − 2/4.1) / (1 − 1/4.1)
    assert secon(visits) == pytest.approx(1 / 3)
    assert coc(["A", "B", "C"]) == 0.0
    assert index_value("upc", ["A"]) == 1.0 and mmci(["A"]) == 1.0
    with pytest.raises(ValueError, match="COC needs at least two visits"):
        coc(["A"])
    with pytest.raises(ValueError, match="SECON needs at least two visits"):
        secon(["A"])


def test_eligibility() -> None:
    assert not eligible("coc", 1, 1) and eligible("upc", 1, 1)
    assert not eligible("mmci", 2, 3) and eligible("secon", 3, 3)


@given(st.lists(st.sampled_from("ABCD"), min_size=2, max_size=30))
def test_invariants(visits: list[str]) -> None:
    n, m = len(visits), len(set(visits))
    shares = [visits.count(c) / n for c in set(visits)]
    hhi = sum(s * s for s in shares)
    for name in ("coc", "upc", "mmci", "secon"):
        assert -1e-12 <= index_value(name, visits) <= 1 + 1e-12
    assert coc(visits) == pytest.approx((n * hhi - 1) / (n - 1), abs=1e-12)
    assert upc(visits) >= 1 / m - 1e-12
    assert (coc(visits) == 1.0) == (m == 1)
