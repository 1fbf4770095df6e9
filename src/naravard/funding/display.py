"""Swedish display of amounts, weights and shares; plain forms for CSV and JSON.

Thousands are separated by a narrow no-break space (U+202F, a thin space that never breaks a
number), decimals by a comma: ``2 935 000 000 kr``, ``23,045678 %``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

THIN = "\u202f"
#: Decimals of a share (a fraction of 1) in CSV and JSON: 1 kr of 10 billion is 1e-10.
SHARE_DECIMALS = 10
#: Decimals of a share shown as a percentage in tables (the same precision as SHARE_DECIMALS).
PERCENT_DECIMALS = SHARE_DECIMALS - 2


def fraction_to_decimal(value: Fraction, decimals: int) -> Decimal:
    """``value`` rounded half-even to ``decimals`` places, exactly."""
    scaled = round(value * 10**decimals)  # Fraction rounds half to even, exactly
    return Decimal(scaled).scaleb(-decimals)


def group_thousands(digits: str) -> str:
    """``1234567`` → ``1 234 567`` with narrow no-break spaces."""
    return f"{int(digits):,}".replace(",", THIN)


def sv_number(value: Decimal | int) -> str:
    """Swedish form of a number: thin-space thousands, decimal comma, minus sign ``−``."""
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    sign = ""
    if text.startswith("-"):
        sign, text = "−", text[1:]
    whole, _, frac = text.partition(".")
    return sign + group_thousands(whole) + (f",{frac}" if frac else "")


def sv_sek(amount: int) -> str:
    """``2935000000`` → ``2 935 000 000 kr``."""
    return f"{sv_number(amount)} kr"


def sv_share(share: Fraction) -> str:
    """A share as a Swedish percentage with :data:`PERCENT_DECIMALS` decimals."""
    return f"{sv_number(fraction_to_decimal(share * 100, PERCENT_DECIMALS))}{THIN}%"


def sv_weight(weight: Fraction) -> str:
    """A weight: whole numbers grouped, fractions with :data:`SHARE_DECIMALS` decimals."""
    if weight.denominator == 1:
        return sv_number(weight.numerator)
    return sv_number(fraction_to_decimal(weight, SHARE_DECIMALS))


def plain_weight(weight: Fraction) -> str:
    """A weight for CSV/JSON: an integer, or a decimal with :data:`SHARE_DECIMALS` places."""
    if weight.denominator == 1:
        return str(weight.numerator)
    return f"{fraction_to_decimal(weight, SHARE_DECIMALS):f}"


def plain_share(share: Fraction) -> str:
    """A share (fraction of 1) for CSV/JSON with :data:`SHARE_DECIMALS` decimals."""
    return f"{fraction_to_decimal(share, SHARE_DECIMALS):f}"
