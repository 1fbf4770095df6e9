"""Kinds of indicator computation and the settings each kind requires.

A definition names its ``kind``; the kind fixes which register tables are read, which settings
must be given (there are no defaults in code: every value lives in the definition file), which
area levels and sexes can be produced and how the value is formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from naravard.indicators.schema import (
    CARE_LEVELS,
    CONTACT_MODES,
    COST_CARE_LEVELS,
    FUNDERS,
    PROFESSIONS,
    UNIT_KINDS,
)

AREA_LEVELS = ("nation", "region", "municipality", "care_unit")
VALUE_TYPES = ("rate", "share", "mean", "change")
PERIOD_TYPES = ("year", "month")
EVIDENCE = ("C", "P", "I")
CONTINUITY_INDICES = ("coc", "upc", "mmci", "secon")


@dataclass(frozen=True)
class SettingSpec:
    """One setting a kind requires: its type and, for text, the allowed values."""

    name: str
    type: str  # "int", "float", "bool", "str", "str_list"
    meaning: str
    allowed: tuple[str, ...] | None = None
    nullable: bool = False

    def check(self, value: Any) -> str | None:
        """A message if ``value`` does not fit, else None."""
        if value is None:
            return None if self.nullable else "must not be empty"
        if self.type == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
            return None if ok else "must be a whole number"
        if self.type == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return None if ok else "must be a number"
        if self.type == "bool":
            return None if isinstance(value, bool) else "must be true or false"
        if self.type == "str":
            if not isinstance(value, str):
                return "must be text"
            if self.allowed is not None and value not in self.allowed:
                return f"must be one of {', '.join(self.allowed)}"
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "must be a list of text values"
        if self.allowed is not None:
            bad = [v for v in value if v not in self.allowed]
            if bad:
                return f"unknown value(s) {', '.join(bad)}; allowed: {', '.join(self.allowed)}"
        return None


@dataclass(frozen=True)
class KindSpec:
    """What a kind of indicator needs and can produce."""

    name: str
    tables: tuple[str, ...]
    settings: tuple[SettingSpec, ...]
    areas: tuple[str, ...]
    sexes: bool
    periods: tuple[str, ...]
    value_types: tuple[str, ...]
    area_basis: str  # "residence", "care_unit", "region" or "derived"
    #: The cells carry sums over persons — of the square of each person's numerator and, for a
    #: share, of their denominator and the product of the two — for the ``poisson_persons`` and
    #: ``wilson_persons`` intervals (a person's repeat events or several index stays).
    person_squares: bool = False

    def setting(self, name: str) -> SettingSpec:
        """The spec of setting ``name``."""
        for s in self.settings:
            if s.name == name:
                return s
        raise KeyError(name)


_CHAIN = (
    SettingSpec("transfer_gap_days", "int",
                "A stay starting at most this many days after the previous discharge of the same "
                "person is merged with it into one episode (a transfer)."),
    SettingSpec("transfer_requires_code", "bool",
                "Merge only when the earlier stay ends in `transfer` or the later one starts "
                "`other_hospital` (overlapping stays are always merged)."),
)
_AGE_REF = SettingSpec("age_reference", "str", "Date on which age is taken.",
                       ("admission", "discharge"))
_MVO = SettingSpec("exclude_mvo_prefixes", "str_list",
                   "Stays whose MVO code starts with one of these are left out (e.g. `9` "
                   "psychiatry).")
_LEVELS = SettingSpec("care_levels", "str_list", "Outpatient care levels counted.", CARE_LEVELS)
_POPULATION = SettingSpec(
    "population_basis", "str",
    "Population in the denominator: on 31 December of the year (`year_end`), or the mean "
    "population (`mean`: half the year-end populations of the year and the year before; a "
    "year without the year before is `missing`).", ("year_end", "mean"))
_PROFS = SettingSpec("professions", "str_list", "Professions counted.", PROFESSIONS)
_REMOTE = (
    SettingSpec("remote_modes", "str_list",
                "Contact modes that count as distance visits (besides telephone).",
                tuple(m for m in CONTACT_MODES if m not in ("physical", "phone"))),
    SettingSpec("phone_counts", "bool",
                "Whether a telephone contact replacing a visit counts as a distance visit."),
    SettingSpec("visit_modes", "str_list",
                "Contact modes counted as visits besides the distance modes: the denominator "
                "is these and the distance modes; a mode in neither is left out of both.",
                CONTACT_MODES),
)

KINDS: dict[str, KindSpec] = {
    "avoidable_inpatient": KindSpec(
        name="avoidable_inpatient",
        tables=("persons", "population", "inpatient_episodes"),
        settings=(
            _AGE_REF,
            SettingSpec("unplanned_only", "bool", "Count only unplanned stays (PVARD = 2)."),
            SettingSpec("use_secondary_diagnoses", "bool",
                        "Also count stays where a secondary diagnosis is in the list."),
            _MVO,
            SettingSpec("categories", "str_list",
                        "Code-list categories (conditions) counted."),
            *_CHAIN,
            _POPULATION,
        ),
        areas=("nation", "region", "municipality"),
        sexes=True,
        periods=("year",),
        value_types=("rate",),
        area_basis="residence",
    ),
    "readmission": KindSpec(
        name="readmission",
        tables=("persons", "inpatient_episodes"),
        settings=(
            _AGE_REF,
            SettingSpec("window_first_day", "int", "First day after discharge counted."),
            SettingSpec("window_last_day", "int", "Last day after discharge counted."),
            SettingSpec("readmission_unplanned_only", "bool",
                        "Only unplanned stays count as readmissions."),
            SettingSpec("exclude_death_in_stay", "bool",
                        "Index stays ending in death are left out."),
            SettingSpec("deaths_after_discharge", "str",
                        "Index stays followed by death within the window without readmission: "
                        "`keep` them in the denominator or `exclude` them.",
                        ("keep", "exclude")),
            SettingSpec("incomplete_follow_up", "str",
                        "Index stays whose window runs past the end of the data: `exclude` or "
                        "`include`.", ("exclude", "include")),
            _MVO,
            SettingSpec("index_categories", "str_list",
                        "Code-list categories an index stay's main diagnosis must be in; empty "
                        "means all causes.", nullable=True),
            *_CHAIN,
        ),
        areas=("nation", "region", "municipality"),
        sexes=True,
        periods=("year",),
        value_types=("share",),
        area_basis="residence",
        person_squares=True,
    ),
    "emergency_visits": KindSpec(
        name="emergency_visits",
        tables=("persons", "population", "outpatient_contacts"),
        settings=(_LEVELS, _POPULATION),
        areas=("nation", "region", "municipality"),
        sexes=True,
        periods=("year",),
        value_types=("rate",),
        area_basis="residence",
        person_squares=True,
    ),
    "distance_share": KindSpec(
        name="distance_share",
        tables=("persons", "outpatient_contacts", "care_units"),
        settings=(_LEVELS, _PROFS, *_REMOTE),
        areas=AREA_LEVELS,
        sexes=True,
        periods=("year", "month"),
        value_types=("share",),
        area_basis="care_unit",
    ),
    "distance_offering": KindSpec(
        name="distance_offering",
        tables=("outpatient_contacts", "care_units"),
        settings=(
            _LEVELS, _PROFS, *_REMOTE,
            SettingSpec("min_share_percent", "float",
                        "A unit offers distance visits when this percentage of its doctor "
                        "visits or more are distance visits."),
            SettingSpec("min_visits", "int",
                        "Units with fewer visits in the period are left out."),
            SettingSpec("unit_kinds", "str_list", "Kinds of unit counted.", UNIT_KINDS),
        ),
        areas=("nation", "region", "municipality"),
        sexes=False,
        periods=("year",),
        value_types=("share",),
        area_basis="care_unit",
    ),
    "named_doctor": KindSpec(
        name="named_doctor",
        tables=("persons", "population", "listings", "municipal_health_care"),
        settings=(
            SettingSpec("population", "str",
                        "Denominator: `listed` persons, the `whole` population (SCB table) or "
                        "persons in `special_housing`.", ("listed", "whole", "special_housing")),
            SettingSpec("reference_day", "str",
                        "Day of the year (MM-DD) on which listing is read.", None),
            SettingSpec("special_housing_month", "int",
                        "Month whose municipal health-care record marks special housing."),
        ),
        areas=("nation", "region", "municipality"),
        sexes=True,
        periods=("year",),
        value_types=("share",),
        area_basis="residence",
    ),
    "continuity": KindSpec(
        name="continuity",
        tables=("persons", "outpatient_contacts", "listings", "care_units"),
        settings=(
            _LEVELS, _PROFS,
            SettingSpec("modes", "str_list", "Contact modes counted as visits.", CONTACT_MODES),
            SettingSpec("index", "str", "Continuity index per patient.", CONTINUITY_INDICES),
            SettingSpec("min_visits", "int", "Patients with fewer visits are left out."),
            SettingSpec("unit_attribution", "str",
                        "Which health centre a patient belongs to in the per-unit breakdown.",
                        ("listing_year_end",)),
        ),
        areas=AREA_LEVELS,
        sexes=True,
        periods=("year",),
        value_types=("mean",),
        area_basis="residence",
    ),
    "continuity_change": KindSpec(
        name="continuity_change",
        tables=(),
        settings=(
            SettingSpec("source", "str", "Indicator whose change is measured."),
            SettingSpec("base_year", "int", "Year the change is measured against."),
        ),
        areas=AREA_LEVELS,
        sexes=True,
        periods=("year",),
        value_types=("change",),
        area_basis="derived",
    ),
    "care_guarantee": KindSpec(
        name="care_guarantee",
        tables=("assessments", "care_units"),
        settings=(
            SettingSpec("max_days", "int", "Days from contact (day 0) to assessment allowed."),
            _PROFS,
            SettingSpec("exclude_patient_chosen", "bool",
                        "Leave out patients who chose a later time."),
            SettingSpec("completed_only", "bool",
                        "Count only completed assessments; otherwise cases without an "
                        "assessment date count as not within the limit."),
        ),
        areas=AREA_LEVELS,
        sexes=True,
        periods=("year", "month"),
        value_types=("share",),
        area_basis="care_unit",
    ),
    "cost_share": KindSpec(
        name="cost_share",
        tables=("costs",),
        settings=(
            SettingSpec("funders", "str_list", "Funders whose costs are counted.", FUNDERS),
            SettingSpec("numerator_levels", "str_list", "Care levels in the numerator.",
                        COST_CARE_LEVELS),
            SettingSpec("denominator_levels", "str_list", "Care levels in the denominator.",
                        COST_CARE_LEVELS),
        ),
        areas=("nation", "region"),
        sexes=False,
        periods=("year",),
        value_types=("share",),
        area_basis="region",
    ),
}
