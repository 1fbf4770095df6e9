"""What an engine is asked to compute: one plan per indicator variant, and the cell format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from naravard.indicators.catalogue import Catalogue
from naravard.indicators.definition import Definition
from naravard.indicators.standardise import AgeGroup, standard_groups

CELL_KEY = ("indicator", "variant", "period", "area_level", "area_code", "sex", "age_group")
#: The sums of a cell, in the order of :data:`CELL_SCHEMA`; each adds up over cells.
CELL_SUMS = ("numerator", "denominator", "numerator_sq", "denominator_sq",
             "numerator_denominator")
CELL_SCHEMA = pa.schema([*(pa.field(name, pa.string(), nullable=False) for name in CELL_KEY),
                         *(pa.field(name, pa.float64(), nullable=False) for name in CELL_SUMS)])
"""Cells: the finest sums an engine produces. ``area_level`` is ``municipality`` (rolled up to
region and Riket), ``region`` (rolled up to Riket) or ``care_unit`` (published as it is).
``sex`` is K or M (or T for indicators without a sex split); ``age_group`` is empty unless the
indicator is standardised. ``numerator_sq`` sums the squares of the per-patient values behind a
mean's numerator (its spread, for the interval), or for kinds that count per person the squares
of each person's numerator yᵢ; ``denominator_sq`` and ``numerator_denominator`` sum each
person's xᵢ² and xᵢyᵢ (xᵢ the person's denominator) where a share's units cluster in persons;
0 otherwise."""


@dataclass(frozen=True)
class Plan:
    """One indicator variant, with settings resolved and code lists expanded."""

    definition: Definition
    variant: str
    settings: Mapping[str, Any]
    prefixes: tuple[str, ...] | None
    groups: tuple[AgeGroup, ...]

    @property
    def id(self) -> str:
        """The indicator id."""
        return self.definition.id

    @property
    def kind(self) -> str:
        """The kind of computation."""
        return self.definition.kind

    def chain_key(self) -> tuple[int, bool, tuple[str, ...]]:
        """Settings that shape transfer chains; plans with the same key share chains."""
        s = self.settings
        return (int(s["transfer_gap_days"]), bool(s["transfer_requires_code"]),
                tuple(s["exclude_mvo_prefixes"]))

    def reference_day(self, year: int) -> dt.date:
        """The named-doctor reference day in ``year``."""
        month, day = (int(x) for x in str(self.settings["reference_day"]).split("-"))
        return dt.date(year, month, day)


def make_plans(catalogue: Catalogue, definitions: Iterable[Definition]) -> list[Plan]:
    """Plans for every variant of ``definitions`` (derived kinds are left to the finaliser)."""
    plans: list[Plan] = []
    for d in definitions:
        if d.spec.area_basis == "derived":
            continue
        for v in d.variants:
            settings = d.resolved(v.id)
            prefixes: tuple[str, ...] | None = None
            for key in ("categories", "index_categories"):
                if settings.get(key):
                    prefixes = catalogue.prefixes(d, list(settings[key]))
            groups: tuple[AgeGroup, ...] = ()
            standard = d.standard_for(v.id)
            if standard is not None:
                groups = standard_groups(standard, d.age.min, d.age.max)
            plans.append(Plan(d, v.id, settings, prefixes, groups))
    return plans


def periods_for(definition: Definition, years: Sequence[int]) -> list[str]:
    """Period labels: ``YYYY`` for years, ``YYYY-MM`` for months."""
    out: list[str] = []
    for y in sorted(years):
        if "year" in definition.periods:
            out.append(str(y))
        if "month" in definition.periods:
            out.extend(f"{y}-{m:02d}" for m in range(1, 13))
    return out


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on ``day``; a 29 February birthday falls on 1 March in common years."""
    return day.year - birth.year - (1 if (day.month, day.day) < (birth.month, birth.day) else 0)
