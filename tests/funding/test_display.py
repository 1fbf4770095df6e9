"""Swedish display of amounts and shares."""

from __future__ import annotations

from fractions import Fraction

from naravard.funding.display import (
    THIN,
    fraction_to_decimal,
    plain_share,
    plain_weight,
    sv_number,
    sv_sek,
    sv_share,
    sv_weight,
)


def test_amounts_use_thin_spaces() -> None:
    assert sv_sek(6_250_500_000) == f"6{THIN}250{THIN}500{THIN}000 kr"
    assert sv_number(0) == "0"
    assert sv_number(-1234) == f"−1{THIN}234"


def test_shares_and_weights() -> None:
    assert sv_share(Fraction(1, 3)) == f"33,33333333{THIN}%"
    assert sv_share(Fraction(1)) == f"100,00000000{THIN}%"
    assert sv_weight(Fraction(2_391_990)) == f"2{THIN}391{THIN}990"
    assert sv_weight(Fraction(1, 8)) == "0,1250000000"
    assert plain_share(Fraction(2, 3)) == "0.6666666667"
    assert plain_weight(Fraction(7)) == "7"
    assert plain_weight(Fraction(1, 4)) == "0.2500000000"


def test_rounding_is_half_even_and_exact() -> None:
    assert str(fraction_to_decimal(Fraction(1, 8), 2)) == "0.12"
    assert str(fraction_to_decimal(Fraction(3, 8), 2)) == "0.38"
