"""Population counts by organisation, sex and reference date; the European Standard Population."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from naravard.reference.organisations import data_path, population_files

SEXES = ("T", "K", "M")
LEVELS = {"riket": "nation", "lan": "region", "kommun": "municipality"}


class PopulationFileError(ValueError):
    """A population file that cannot be read; the message names row and column."""


@dataclass(frozen=True)
class PopulationCount:
    """Population of one organisation (region code = county code) on one date, for one sex."""

    ref_date: dt.date
    org_code: str
    sex: str
    count: int


@dataclass(frozen=True)
class AgeWeight:
    """One age group of a standard population."""

    group: str
    age_from: int
    age_to: int | None
    weight: int


def parse_population_csv(text: str, ref_date: dt.date) -> list[PopulationCount]:
    """Parse ``code,name,level,total,men,women``; totals required, men/women optional.

    Raises :class:`PopulationFileError` for missing columns, unknown levels, non-integer or negative
    counts, and men + women that do not add up to total.
    """
    reader = csv.DictReader(text.splitlines())
    needed = {"code", "level", "total", "men", "women"}
    missing = needed - set(reader.fieldnames or [])
    if missing:
        raise PopulationFileError(f"missing columns: {', '.join(sorted(missing))}")
    out: list[PopulationCount] = []
    seen: set[str] = set()
    for lineno, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        if row["level"] not in LEVELS:
            raise PopulationFileError(f"row {lineno}: unknown level {row['level']!r}")
        if code in seen:
            raise PopulationFileError(f"row {lineno}: code {code} appears twice")
        seen.add(code)
        counts: dict[str, int] = {}
        for sex, col in (("T", "total"), ("M", "men"), ("K", "women")):
            raw = (row[col] or "").strip()
            if not raw:
                if sex == "T":
                    raise PopulationFileError(f"row {lineno}: column total is empty")
                continue
            if not raw.isdigit():
                raise PopulationFileError(
                    f"row {lineno}: column {col} is not a non-negative integer: {raw!r}"
                )
            counts[sex] = int(raw)
        if "M" in counts and "K" in counts and counts["M"] + counts["K"] != counts["T"]:
            raise PopulationFileError(f"row {lineno}: men + women != total for {code}")
        out.extend(PopulationCount(ref_date, code, sex, n) for sex, n in counts.items())
    return out


def shipped_dates() -> list[dt.date]:
    """Reference dates of the shipped population files, oldest first."""
    return [dt.date.fromisoformat(name[len("population_") : -len(".csv")])
            for name in population_files()]


@cache
def shipped_population() -> tuple[PopulationCount, ...]:
    """Every shipped population count."""
    out: list[PopulationCount] = []
    for day, name in zip(shipped_dates(), population_files(), strict=True):
        out.extend(parse_population_csv(data_path(name), day))
    return tuple(out)


def closest_date(dates: Iterable[dt.date], wanted: dt.date) -> dt.date:
    """The date in ``dates`` closest to ``wanted``; on a tie the earlier one."""
    candidates = sorted(dates)
    if not candidates:
        raise LookupError("no population reference dates are loaded")
    return min(candidates, key=lambda d: (abs((d - wanted).days), d))


def esp2013() -> tuple[AgeWeight, ...]:
    """European Standard Population 2013 in 21 groups (weights sum to 100 000)."""
    return standard_weights("esp2013")


@cache
def standard_weights(name: str) -> tuple[AgeWeight, ...]:
    """The age groups and weights of the standard population shipped as ``<name>.csv``
    (columns ``age_group, age_from, age_to, weight``; an empty ``age_to`` is open-ended)."""
    out = []
    for row in csv.DictReader(data_path(f"{name}.csv").splitlines()):
        age_to = int(row["age_to"]) if row["age_to"].strip() else None
        out.append(AgeWeight(row["age_group"], int(row["age_from"]), age_to, int(row["weight"])))
    return tuple(out)


def check_sums(counts: Sequence[PopulationCount], parent: str, children: Iterable[str]) -> int:
    """Difference between ``parent``'s total and the sum of its children's totals on one date."""
    totals = {c.org_code: c.count for c in counts if c.sex == "T"}
    return totals[parent] - sum(totals[c] for c in children)
