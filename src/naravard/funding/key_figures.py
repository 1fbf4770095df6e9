"""Supplying the figures of an allocation key that the agreement text lacks.

Some agreements divide money by a key printed in an annex that is not part of the source (the
2020 agreement's Bilaga 2, care recipients per county, and Bilaga 3, the child health-care key).
A grant officer enters the figures per county with their source; the agreement then carries them
like any other key, and the lines that use the key can be allocated and frozen.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from naravard.funding.agreements import Agreement, ImportedKey, KeyEntry, MethodKind
from naravard.funding.problems import Problem

#: Form-level findings (not tied to one county) are filed under this field.
WHOLE_KEY = "_form"

#: A figure as entered: a count of people (whole) or a share or weight (decimal).
Figure = int | Decimal


def figure_field(code: str) -> str:
    """The field a finding about county ``code`` belongs to."""
    return f"weight.{code}"


def lines_using(agreement: Agreement, key_id: str) -> tuple[str, ...]:
    """Ids of the lines whose method uses key ``key_id``."""
    return tuple(li.id for li in agreement.lines
                 if li.method is not None and li.method.key_id == key_id)


def needs_whole_numbers(agreement: Agreement, key_id: str) -> bool:
    """Whether key ``key_id`` counts people (a municipal key: care recipients per county)."""
    return any(li.method is not None and li.method.key_id == key_id
               and li.method.kind is MethodKind.MUNICIPAL_KEY for li in agreement.lines)


def as_figure(value: Fraction | Decimal | int) -> Figure:
    """``value`` as stored in a key: an integer when whole, else an exact decimal.

    Raises :class:`ValueError` for a fraction with no finite decimal form (e.g. 1/3).
    """
    frac = Fraction(value)
    if frac.denominator == 1:
        return int(frac)
    den = frac.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    if den != 1:
        raise ValueError(f"{value} has no finite decimal form")
    digits = 0
    while (frac * 10**digits).denominator != 1:
        digits += 1
    return Decimal(int(frac * 10**digits)).scaleb(-digits)


def figure_problems(agreement: Agreement, key_id: str, figures: Mapping[str, Figure | None],
                    source: str) -> list[Problem]:
    """Everything wrong with ``figures`` (county code → figure, ``None`` where left empty) for
    key ``key_id`` of ``agreement``; empty when they can be stored.

    Every county of the key needs a figure, none negative, not all zero; a key that counts
    people needs whole numbers; the source of the figures must be named.
    """
    key = agreement.key(key_id)
    whole = needs_whole_numbers(agreement, key_id)
    codes = [e.code for e in key.entries]
    out: list[Problem] = []
    if not source.strip():
        out.append(Problem("source", "The source of the figures must be stated."))
    out += [Problem(WHOLE_KEY, f"Unknown county code {code}.")
            for code in sorted(set(figures) - set(codes))]
    for code in codes:
        value = figures.get(code)
        if value is None:
            out.append(Problem(figure_field(code), "A figure is needed for every county."))
        elif value < 0:
            out.append(Problem(figure_field(code), "The figure must not be negative."))
        elif whole and Fraction(value).denominator != 1:
            out.append(Problem(figure_field(code),
                               "The key counts people: enter a whole number."))
    if all(figures.get(c) is not None for c in codes) and all(figures[c] == 0 for c in codes):
        out.append(Problem(WHOLE_KEY, "The figures must not all be zero."))
    return out


def with_key_figures(agreement: Agreement, key_id: str, figures: Mapping[str, Figure],
                     source: str, reference_period: str = "") -> Agreement:
    """``agreement`` with key ``key_id`` carrying ``figures`` and their source.

    The key's entries keep their order and names; what the key said was missing is cleared.
    The caller checks the figures first (:func:`figure_problems`).
    """
    key = agreement.key(key_id)
    entries = tuple(KeyEntry(e.code, e.name, figures[e.code]) for e in key.entries)
    supplied = dataclasses.replace(
        key, entries=entries, source=source.strip(), missing=(),
        reference_period=reference_period.strip() or key.reference_period,
    )
    return _with_key(agreement, supplied)


def _with_key(agreement: Agreement, key: ImportedKey) -> Agreement:
    return dataclasses.replace(
        agreement, keys=tuple(key if k.id == key.id else k for k in agreement.keys))


def keep_supplied_keys(shipped: Agreement, stored: Agreement) -> Agreement:
    """``shipped`` with the figures that were supplied for its keys in ``stored`` kept.

    Loading the shipped agreements again must not drop figures a grant officer entered for a
    key the shipped file lacks.
    """
    out = shipped
    known = {k.id: k for k in stored.keys}
    for key in shipped.keys:
        mine = known.get(key.id)
        if not key.available and mine is not None and mine.available:
            out = _with_key(out, mine)
    return out
