"""Allocation of an integer amount of kronor by a key: the largest-remainder method.

Every row gets the whole-krona part of its exact share (``total * weight / sum of weights``); the
kronor left over go one each to the rows with the largest remainders. Ties between equal remainders
go to the smaller code (codes compared as strings, ascending). All arithmetic is exact
(:class:`fractions.Fraction`), so the result does not depend on floating point or on the order of
the input rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Weight = int | Fraction | Decimal


class AllocationError(ValueError):
    """A total or key that cannot be allocated; the message names the row or value."""


@dataclass(frozen=True)
class KeyRow:
    """One recipient of a key: its code, display name and non-negative weight."""

    code: str
    name: str
    weight: Fraction


@dataclass(frozen=True)
class Allocation:
    """The amount allocated to one recipient, with the key beside it."""

    code: str
    name: str
    weight: Fraction
    share: Fraction
    exact_sek: Fraction
    amount_sek: int


@dataclass(frozen=True)
class AllocationTable:
    """A whole allocation: rows in code order; ``total_weight`` is the shares' denominator."""

    total_sek: int
    total_weight: Fraction
    rows: tuple[Allocation, ...]

    @property
    def allocated_sek(self) -> int:
        """Sum of the amounts (always equal to ``total_sek``)."""
        return sum(r.amount_sek for r in self.rows)

    def amount_of(self, code: str) -> int:
        """Amount allocated to ``code``; :class:`KeyError` if the code is not in the table."""
        for row in self.rows:
            if row.code == code:
                return row.amount_sek
        raise KeyError(code)


def as_fraction(value: Weight, where: str = "weight") -> Fraction:
    """Exact fraction of an int, Decimal or Fraction; rejects bools, NaN and infinities."""
    if isinstance(value, bool):
        raise AllocationError(f"{where}: a weight must be a number, not {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise AllocationError(f"{where}: a weight must be finite, not {value}")
    return Fraction(value)


def key_rows(items: Iterable[tuple[str, str, Weight]]) -> tuple[KeyRow, ...]:
    """Build key rows from ``(code, name, weight)`` triples."""
    return tuple(KeyRow(code, name, as_fraction(w, f"code {code}")) for code, name, w in items)


def allocate(total_sek: int, rows: Sequence[KeyRow]) -> AllocationTable:
    """Allocate ``total_sek`` kronor over ``rows`` by the largest-remainder method.

    Raises :class:`AllocationError` for a negative or non-integer total, no rows, a duplicate or
    empty code, a negative weight, or weights that are all zero.
    """
    if isinstance(total_sek, bool) or not isinstance(total_sek, int):
        raise AllocationError(f"total must be an integer number of kronor, not {total_sek!r}")
    if total_sek < 0:
        raise AllocationError(f"total must be 0 kr or more, not {total_sek}")
    if not rows:
        raise AllocationError("the key has no rows")
    seen: set[str] = set()
    for row in rows:
        if not row.code:
            raise AllocationError(f"a key row has an empty code (name {row.name!r})")
        if row.code in seen:
            raise AllocationError(f"code {row.code} appears more than once in the key")
        seen.add(row.code)
        if row.weight < 0:
            raise AllocationError(f"code {row.code}: weight {row.weight} is negative")
    total_weight = sum((r.weight for r in rows), Fraction(0))
    if total_weight == 0:
        raise AllocationError("all weights are zero: there is nothing to allocate by")

    ordered = sorted(rows, key=lambda r: r.code)
    exact = [total_sek * r.weight / total_weight for r in ordered]
    floors = [math.floor(q) for q in exact]
    leftover = total_sek - sum(floors)
    # Largest remainder first; equal remainders by code ascending (rows are already in code order
    # and sorted() is stable).
    by_remainder = sorted(range(len(ordered)), key=lambda i: -(exact[i] - floors[i]))
    for i in by_remainder[:leftover]:
        floors[i] += 1
    out = tuple(
        Allocation(r.code, r.name, r.weight, r.weight / total_weight, q, amount)
        for r, q, amount in zip(ordered, exact, floors, strict=True)
    )
    return AllocationTable(total_sek, total_weight, out)
