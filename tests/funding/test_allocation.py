"""The largest-remainder engine: hand-computed cases and hypothesis properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naravard.funding.allocation import AllocationError, KeyRow, allocate, key_rows


def amounts(total: int, weights: dict[str, int | Fraction]) -> dict[str, int]:
    table = allocate(total, key_rows((c, c, w) for c, w in weights.items()))
    return {r.code: r.amount_sek for r in table.rows}


def test_exact_shares_need_no_rounding() -> None:
    # 100 × 1/10, 2/10, 3/10, 4/10
    assert amounts(100, {"a": 1, "b": 2, "c": 3, "d": 4}) == {"a": 10, "b": 20, "c": 30, "d": 40}


def test_leftover_goes_to_the_largest_remainder() -> None:
    # 7 × 2/5 = 2.8, 7 × 3/5 = 4.2: floors 2 + 4 = 6, one krona left for the .8
    assert amounts(7, {"x": 2, "y": 3}) == {"x": 3, "y": 4}


def test_larger_remainder_beats_smaller_code() -> None:
    # 10 × 1/3 = 3.33, 10 × 2/3 = 6.67: the krona goes to b despite a < b
    assert amounts(10, {"a": 1, "b": 2}) == {"a": 3, "b": 7}


def test_equal_remainders_go_to_the_smaller_code() -> None:
    # 10 / 3 = 3.33 each: one krona left, remainders equal, code A first
    assert amounts(10, {"C": 1, "A": 1, "B": 1}) == {"A": 4, "B": 3, "C": 3}
    # two kronor left over among four equal remainders: the two smallest codes
    assert amounts(6, {"04": 1, "01": 1, "03": 1, "02": 1}) == {
        "01": 2, "02": 2, "03": 1, "04": 1,
    }


def test_codes_compare_as_text() -> None:
    # "10" < "9" as text: the documented tie-break is by code string ascending
    assert amounts(1, {"9": 1, "10": 1}) == {"10": 1, "9": 0}


def test_zero_total_and_zero_weights() -> None:
    assert amounts(0, {"a": 1, "b": 3}) == {"a": 0, "b": 0}
    assert amounts(5, {"a": 0, "b": 1}) == {"a": 0, "b": 5}


def test_share_and_exact_amount_are_reported() -> None:
    table = allocate(7, key_rows([("x", "X", 2), ("y", "Y", 3)]))
    x = table.rows[0]
    assert (x.weight, x.share, x.exact_sek) == (2, Fraction(2, 5), Fraction(14, 5))
    assert table.total_weight == 5
    assert table.allocated_sek == 7
    assert table.amount_of("y") == 4


def test_decimal_weights_are_exact() -> None:
    # 0.1 + 0.2 is exactly 0.3 as decimals: 30 × 1/3 = 10, 30 × 2/3 = 20
    table = allocate(30, key_rows([("a", "a", Decimal("0.1")), ("b", "b", Decimal("0.2"))]))
    assert [r.amount_sek for r in table.rows] == [10, 20]


@pytest.mark.parametrize(
    ("total", "rows", "message"),
    [
        (10, [("a", 0), ("b", 0)], "all weights are zero"),
        (-1, [("a", 1)], "0 kr or more"),
        (10, [("a", -1), ("b", 2)], "code a: weight -1 is negative"),
        (10, [("a", 1), ("a", 2)], "code a appears more than once"),
        (10, [("", 1)], "empty code"),
        (10, [], "no rows"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    total: int, rows: list[tuple[str, int]], message: str
) -> None:
    with pytest.raises(AllocationError, match=message):
        allocate(total, [KeyRow(c, c, Fraction(w)) for c, w in rows])


def test_non_integer_total_is_refused() -> None:
    with pytest.raises(AllocationError, match="integer"):
        allocate(10.5, [KeyRow("a", "a", Fraction(1))])  # type: ignore[arg-type]


def test_bool_weight_is_refused() -> None:
    with pytest.raises(AllocationError, match="not True"):
        key_rows([("a", "a", True)])


weights = st.one_of(
    st.integers(min_value=0, max_value=10**9),
    st.fractions(min_value=0, max_value=10**6, max_denominator=10**6),
)
keys = st.dictionaries(
    st.text("0123456789ABCRS", min_size=1, max_size=5), weights, min_size=1, max_size=30
).filter(lambda d: any(w > 0 for w in d.values()))
totals = st.integers(min_value=0, max_value=10**13)


@given(total=totals, key=keys)
def test_property_amounts_are_whole_non_negative_and_sum_to_total(
    total: int, key: dict[str, int | Fraction]
) -> None:
    table = allocate(total, key_rows((c, c, w) for c, w in key.items()))
    assert all(isinstance(r.amount_sek, int) and r.amount_sek >= 0 for r in table.rows)
    assert sum(r.amount_sek for r in table.rows) == total


@given(total=totals, key=keys)
def test_property_each_amount_within_one_krona_of_exact_share(
    total: int, key: dict[str, int | Fraction]
) -> None:
    weight_sum = sum(Fraction(w) for w in key.values())
    table = allocate(total, key_rows((c, c, w) for c, w in key.items()))
    for r in table.rows:
        exact = total * Fraction(key[r.code]) / weight_sum
        assert abs(r.amount_sek - exact) < 1
        if key[r.code] == 0:
            assert r.amount_sek == 0


@given(total=totals, key=keys, data=st.data())
def test_property_order_of_input_rows_does_not_matter(
    total: int, key: dict[str, int | Fraction], data: st.DataObject
) -> None:
    rows = key_rows((c, c, w) for c, w in key.items())
    shuffled = data.draw(st.permutations(rows))
    assert allocate(total, rows) == allocate(total, shuffled)
