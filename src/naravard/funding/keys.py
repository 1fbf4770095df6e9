"""Allocation keys: population share, the municipal key, imported keys.

Each builder returns :class:`~naravard.funding.allocation.KeyRow` tuples for
:func:`~naravard.funding.allocation.allocate`. Region codes are county codes (``01``..``25``);
an RSS carries its county's figures under the code ``RSS01``..``RSS25``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from naravard.funding.allocation import AllocationError, KeyRow
from naravard.reference.organisations import OrgKind, shipped_organisations
from naravard.reference.population import PopulationCount


class Level(StrEnum):
    """Who a key pays: the regions, or the RSS of each county."""

    REGION = "region"
    RSS = "rss"


@dataclass(frozen=True)
class MunicipalKeyRow:
    """One county in the municipal key: both halves' figures and the combined share."""

    code: str
    name: str
    care_recipients: int
    population: int
    care_share: Fraction
    population_share: Fraction

    @property
    def share(self) -> Fraction:
        """Half the care-recipient share plus half the population share."""
        return (self.care_share + self.population_share) / 2


def county_names(level: Level) -> dict[str, str]:
    """County code → display name of the region (``Region Stockholm``) or RSS (``RSS …``)."""
    kind = OrgKind.REGION if level is Level.REGION else OrgKind.RSS
    return {
        o.county_code: o.name
        for o in shipped_organisations()
        if o.kind is kind and o.county_code is not None
    }


def recipient_code(county: str, level: Level) -> str:
    """Code of the recipient for a county at ``level`` (``13`` or ``RSS13``)."""
    return county if level is Level.REGION else f"RSS{county}"


def county_population(counts: Iterable[PopulationCount], ref_date: dt.date) -> dict[str, int]:
    """Total population (sex ``T``) per county on ``ref_date``; error if the date has none."""
    regions = set(county_names(Level.REGION))
    out = {
        c.org_code: c.count
        for c in counts
        if c.ref_date == ref_date and c.sex == "T" and c.org_code in regions
    }
    if not out:
        raise AllocationError(f"no county population on {ref_date.isoformat()}")
    missing = regions - set(out)
    if missing:
        raise AllocationError(
            f"population on {ref_date.isoformat()} lacks counties {', '.join(sorted(missing))}"
        )
    return out


def population_key(
    counts: Iterable[PopulationCount], ref_date: dt.date, level: Level = Level.REGION
) -> tuple[KeyRow, ...]:
    """Key by each county's population on ``ref_date``, paid to the region or the RSS."""
    names = county_names(level)
    pop = county_population(counts, ref_date)
    return tuple(
        KeyRow(recipient_code(county, level), names[county], Fraction(n))
        for county, n in sorted(pop.items())
    )


def municipal_key(
    care_recipients: Mapping[str, int], population: Mapping[str, int]
) -> tuple[MunicipalKeyRow, ...]:
    """The municipal key: half by municipal-care recipients per county, half by population.

    Both mappings are keyed by county code and must cover the same counties. The combined share
    is exact; allocating it once keeps every RSS within 1 kr of its exact amount.
    """
    if set(care_recipients) != set(population):
        only_care = sorted(set(care_recipients) - set(population))
        only_pop = sorted(set(population) - set(care_recipients))
        raise AllocationError(
            "care-recipient counts and population cover different counties: "
            f"only in counts {only_care or '-'}, only in population {only_pop or '-'}"
        )
    for label, mapping in (("care recipients", care_recipients), ("population", population)):
        for county, n in mapping.items():
            if n < 0:
                raise AllocationError(f"county {county}: {label} {n} is negative")
        if sum(mapping.values()) == 0:
            raise AllocationError(f"all {label} counts are zero")
    care_total = sum(care_recipients.values())
    pop_total = sum(population.values())
    names = county_names(Level.RSS)
    return tuple(
        MunicipalKeyRow(
            recipient_code(county, Level.RSS),
            names.get(county, recipient_code(county, Level.RSS)),
            care_recipients[county],
            population[county],
            Fraction(care_recipients[county], care_total),
            Fraction(population[county], pop_total),
        )
        for county in sorted(care_recipients)
    )


def municipal_key_rows(rows: Sequence[MunicipalKeyRow]) -> tuple[KeyRow, ...]:
    """Key rows whose weight is the combined share (weights sum to 1)."""
    return tuple(KeyRow(r.code, r.name, r.share) for r in rows)


def parse_weight(raw: str, where: str) -> Fraction:
    """Exact weight from text: integer or decimal, decimal point or comma, no thousands marks."""
    text = raw.strip().replace(",", ".")
    if not text:
        raise AllocationError(f"{where}: weight is empty")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise AllocationError(f"{where}: weight {raw!r} is not a number") from None
    if not value.is_finite():
        raise AllocationError(f"{where}: weight {raw!r} is not a finite number")
    if value < 0:
        raise AllocationError(f"{where}: weight {raw!r} is negative")
    return Fraction(value)


def parse_key_csv(text: str, names: Mapping[str, str] | None = None) -> tuple[KeyRow, ...]:
    """Parse a key file with columns ``code,weight`` (and optionally ``name``).

    Names come from the file, else from ``names``, else the code itself. Every problem names its
    line: missing columns, empty or duplicate codes, non-numeric or negative weights.
    """
    reader = csv.DictReader(text.lstrip("\ufeff").splitlines())
    fields = [f.strip() for f in reader.fieldnames or []]
    missing = {"code", "weight"} - set(fields)
    if missing:
        raise AllocationError(f"key file: missing columns {', '.join(sorted(missing))}")
    reader.fieldnames = fields
    out: list[KeyRow] = []
    seen: set[str] = set()
    for lineno, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank line
        code = (row.get("code") or "").strip()
        if not code:
            raise AllocationError(f"key file line {lineno}: code is empty")
        if code in seen:
            raise AllocationError(f"key file line {lineno}: code {code} appears twice")
        seen.add(code)
        weight = parse_weight(row.get("weight") or "", f"key file line {lineno} (code {code})")
        name = (row.get("name") or "").strip() or (names or {}).get(code, code)
        out.append(KeyRow(code, name, weight))
    if not out:
        raise AllocationError("key file has no rows")
    return tuple(out)
