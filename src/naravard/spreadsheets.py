"""Spreadsheet cells that are never run as formulas (CSV/Excel formula injection).

Text starting with ``= + - @``, a tab or a carriage return (or an apostrophe, so that the escape
round-trips) gets a leading apostrophe when written; reading removes exactly one.
"""

from __future__ import annotations

RISKY_START = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_cell(text: str) -> str:
    """``=SUM(A1)`` → ``'=SUM(A1)``; harmless text unchanged."""
    return "'" + text if text.startswith(RISKY_START) else text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell`."""
    return text[1:] if text.startswith("'") else text


def safe_value(value: object) -> object:
    """A value ready for a cell: text escaped, numbers, dates and ``None`` as they are."""
    return escape_cell(value) if isinstance(value, str) else value
