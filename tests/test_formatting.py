"""Swedish display formatting."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from naravard.formatting import THIN, fmt_date, fmt_decimal, fmt_int, fmt_percent, fmt_sek


def test_examples() -> None:
    assert fmt_int(10_379_295) == f"10{THIN}379{THIN}295"
    assert fmt_int(-1234) == f"−1{THIN}234"
    assert fmt_int(None) == ".."
    assert fmt_decimal(58.43) == "58,4"
    assert fmt_decimal(1234.5, 2) == f"1{THIN}234,50"
    assert fmt_percent(58.43) == f"58,4{THIN}%"
    assert fmt_sek(1_435_000_000) == f"1{THIN}435{THIN}000{THIN}000 kr"
    assert fmt_date(dt.date(2024, 3, 31)) == "2024-03-31"


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_int_round_trips(n: int) -> None:
    text = fmt_int(n)
    assert int(text.replace(THIN, "").replace("−", "-")) == n
    assert "," not in text
