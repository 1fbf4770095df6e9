"""Allocation of every line of an agreement by the line's own method."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from naravard.funding.agreements import Agreement, FundingLine, ImportedKey, MethodKind
from naravard.funding.allocation import (
    AllocationError,
    AllocationTable,
    KeyRow,
    allocate,
    as_fraction,
)
from naravard.funding.keys import (
    MunicipalKeyRow,
    county_names,
    county_population,
    municipal_key,
    municipal_key_rows,
    population_key,
    recipient_code,
)
from naravard.reference.population import PopulationCount, closest_date

#: Weights per county code supplied for an imported key (overriding the shipped entries).
KeyOverrides = Mapping[str, Mapping[str, Fraction]]


@dataclass(frozen=True)
class LineAllocation:
    """The allocation of one line, or the reason it cannot be computed (``table`` is ``None``)."""

    line: FundingLine
    table: AllocationTable | None
    requested_population_date: dt.date | None = None
    population_date: dt.date | None = None
    municipal_rows: tuple[MunicipalKeyRow, ...] = ()
    unavailable: str | None = None
    #: The key whose figures are not known, when that is why the line has no allocation.
    missing_key: str | None = None

    @property
    def date_substituted(self) -> bool:
        """Whether the population date used differs from the one the agreement names."""
        return (
            self.population_date is not None
            and self.population_date != self.requested_population_date
        )


@dataclass(frozen=True)
class AgreementAllocation:
    """Every line of an agreement allocated."""

    agreement: Agreement
    lines: tuple[LineAllocation, ...]

    @property
    def stated_sek(self) -> int:
        """Sum of the lines' stated amounts (lines without an amount count 0)."""
        return sum(la.line.amount_sek or 0 for la in self.lines)

    @property
    def allocated_sek(self) -> int:
        """Sum of the amounts allocated to recipients (lines with a table)."""
        return sum(la.table.allocated_sek for la in self.lines if la.table is not None)

    @property
    def unallocated_lines(self) -> tuple[LineAllocation, ...]:
        """Lines that could not be allocated, each with its reason."""
        return tuple(la for la in self.lines if la.table is None)


def key_weights(key: ImportedKey, overrides: KeyOverrides) -> dict[str, Fraction]:
    """County code → weight of an imported key, from ``overrides`` or the shipped entries.

    Raises :class:`AllocationError` if the key has missing figures and no override.
    """
    if key.id in overrides:
        return dict(overrides[key.id])
    if not key.available:
        raise AllocationError(_unavailable(key))
    return {
        e.code: as_fraction(e.weight, f"key {key.id} entry {e.code}")
        for e in key.entries
        if e.weight is not None
    }


def _unavailable(key: ImportedKey) -> str:
    """Why ``key`` cannot be used: its figures are missing, and what the agreement says."""
    return f"key {key.id} is not available: {'; '.join(key.missing) or 'its weights are missing'}"


def _imported_rows(key: ImportedKey, overrides: KeyOverrides) -> tuple[KeyRow, ...]:
    weights = key_weights(key, overrides)
    names = county_names(key.level)
    unknown = sorted(set(weights) - set(names))
    if unknown:
        raise AllocationError(f"key {key.id}: unknown county codes {', '.join(unknown)}")
    return tuple(
        KeyRow(recipient_code(c, key.level), names[c], w) for c, w in sorted(weights.items())
    )


def _population_date(
    population: Sequence[PopulationCount], wanted: dt.date
) -> dt.date:
    return closest_date({p.ref_date for p in population}, wanted)


#: Why a line has no allocation when the agreement lacks its amount or its method (the web
#: pages translate these).
AMOUNT_NOT_KNOWN = "the line's amount is not known"
METHOD_NOT_KNOWN = "the line's allocation method is not known"


def allocate_line(
    agreement: Agreement,
    line: FundingLine,
    population: Sequence[PopulationCount],
    overrides: KeyOverrides | None = None,
) -> LineAllocation:
    """Allocate ``line`` by its method; problems become ``unavailable`` rather than exceptions.

    Population keys use the population date closest to the one the agreement names
    (``date_substituted`` tells whether it differs).
    """
    overrides = overrides or {}
    method = line.method
    if line.amount_sek is None:
        return LineAllocation(line, None, unavailable=AMOUNT_NOT_KNOWN)
    if method is None:
        return LineAllocation(line, None, unavailable=METHOD_NOT_KNOWN)
    wanted = method.population_date
    key = agreement.key(method.key_id) if method.key_id is not None else None
    if key is not None and key.id not in overrides and not key.available:
        return LineAllocation(line, None, wanted, unavailable=_unavailable(key),
                              missing_key=key.id)
    try:
        if method.kind is MethodKind.FIXED_AMOUNTS:
            rows = tuple(KeyRow(f.code, f.name, Fraction(f.amount_sek)) for f in method.fixed)
            return LineAllocation(line, allocate(line.amount_sek, rows))
        if method.kind is MethodKind.IMPORTED_KEY:
            assert method.key_id is not None
            rows = _imported_rows(agreement.key(method.key_id), overrides)
            return LineAllocation(line, allocate(line.amount_sek, rows))
        assert wanted is not None
        used = _population_date(population, wanted)
        if method.kind is MethodKind.POPULATION_SHARE:
            level = line.recipient.level if line.recipient else None
            assert level is not None
            rows = population_key(population, used, level)
            return LineAllocation(line, allocate(line.amount_sek, rows), wanted, used)
        assert method.key_id is not None
        care = key_weights(agreement.key(method.key_id), overrides)
        care_counts = {c: _as_count(w, method.key_id, c) for c, w in care.items()}
        mrows = municipal_key(care_counts, county_population(population, used))
        table = allocate(line.amount_sek, municipal_key_rows(mrows))
        return LineAllocation(line, table, wanted, used, mrows)
    except (AllocationError, LookupError) as err:
        return LineAllocation(line, None, wanted, unavailable=str(err))


def _as_count(weight: Fraction, key_id: str, county: str) -> int:
    if weight.denominator != 1:
        raise AllocationError(f"key {key_id}: county {county} count {weight} is not a whole number")
    return int(weight)


def allocate_agreement(
    agreement: Agreement,
    population: Sequence[PopulationCount],
    overrides: KeyOverrides | None = None,
) -> AgreementAllocation:
    """Allocate every line of ``agreement``."""
    return AgreementAllocation(
        agreement,
        tuple(allocate_line(agreement, li, population, overrides) for li in agreement.lines),
    )


def override_from_rows(rows: Sequence[KeyRow]) -> dict[str, Fraction]:
    """County code → weight from key-file rows; accepts ``13`` or ``RSS13`` as the code."""
    out: dict[str, Fraction] = {}
    for row in rows:
        code = row.code.removeprefix("RSS")
        if code in out:
            raise AllocationError(f"key file: county {code} appears twice")
        out[code] = row.weight
    return out

