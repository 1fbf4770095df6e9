"""Swedish display formatting: decimal comma, narrow no-break space between thousands."""

from __future__ import annotations

import datetime as dt

THIN = "\u202f"  # narrow no-break space: a thin space that never breaks a number


def fmt_int(value: int | None) -> str:
    """``10379295`` → ``10 379 295`` (thin spaces); ``None`` → ``..``."""
    if value is None:
        return ".."
    sign = "−" if value < 0 else ""
    return sign + f"{abs(value):,}".replace(",", THIN)


def fmt_decimal(value: float | None, decimals: int = 1) -> str:
    """``58.43`` → ``58,4``; ``None`` → ``..``."""
    if value is None:
        return ".."
    sign = "−" if value < 0 else ""
    whole, _, frac = f"{abs(value):,.{decimals}f}".partition(".")
    text = whole.replace(",", THIN)
    return sign + (f"{text},{frac}" if decimals else text)


def fmt_percent(value: float | None, decimals: int = 1) -> str:
    """``58.43`` → ``58,4 %``."""
    return ".." if value is None else f"{fmt_decimal(value, decimals)}{THIN}%"


def fmt_sek(value: int | None) -> str:
    """``1435000000`` → ``1 435 000 000 kr``."""
    return ".." if value is None else f"{fmt_int(value)} kr"


def fmt_date(value: dt.date | None) -> str:
    """ISO date, the form Swedish authorities use (``2024-03-31``)."""
    return "" if value is None else value.isoformat()
