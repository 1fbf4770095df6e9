"""Indicator definitions as data: one versioned YAML file per indicator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from naravard.indicators.intervals import METHODS
from naravard.indicators.kinds import (
    AREA_LEVELS,
    EVIDENCE,
    KINDS,
    PERIOD_TYPES,
    VALUE_TYPES,
    KindSpec,
)
from naravard.indicators.standardise import CRUDE, STANDARDS, SWEDEN, is_standard
from naravard.indicators.text import DefinitionError, Reader, Text, read_yaml

SEXES = ("T", "K", "M")
#: Which values the reform aims for: ``none`` where more or less is not in itself better.
DIRECTIONS = ("higher", "lower", "none")
DISCLOSURE_MODES = ("counts", "denominator", "derived", "none")


@dataclass(frozen=True)
class Setting:
    """A setting's value, how well it is supported (C/P/I) and why it is what it is."""

    value: Any
    evidence: str
    note: str


@dataclass(frozen=True)
class AgeLimits:
    """Age range of the population (inclusive); None means no limit."""

    min: int | None
    max: int | None
    evidence: str
    note: str

    def contains(self, age: int) -> bool:
        """Whether ``age`` is inside the limits."""
        return (self.min is None or age >= self.min) and (self.max is None or age <= self.max)


@dataclass(frozen=True)
class Standardisation:
    """Direct age standardisation against ``standard``; total sex standardised on age only."""

    method: str
    standard: str
    total_sex: str
    evidence: str
    note: str


@dataclass(frozen=True)
class Interval:
    """How a value's confidence interval is computed (:mod:`naravard.indicators.intervals`):
    ``wilson``, ``wilson_persons``, ``poisson``, ``poisson_persons``, ``dobson``, ``t``,
    ``mover`` or ``none``, at ``level`` (0.95);
    a rate resting on fewer events than ``few_events_below`` is marked as uncertain where it
    is published (None: never)."""

    method: str
    level: float
    evidence: str
    note: str
    few_events_below: int | None


@dataclass(frozen=True)
class Target:
    """A target value (in the unit of the indicator)."""

    value: float
    comparison: str
    text: Text


@dataclass(frozen=True)
class Variant:
    """A variant: a title, the settings it overrides and, for a standardised rate, the
    standard population it uses instead of the definition's (``crude``: none)."""

    id: str
    title: Text
    settings: Mapping[str, Any] = field(default_factory=dict)
    standard: str | None = None
    #: The unit of the variant's values where it differs from the indicator's.
    unit: Text | None = None


@dataclass(frozen=True)
class Definition:
    """One indicator: what it measures, how, for whom, from which data."""

    id: str
    version: str
    kind: str
    title: Text
    description: Text
    unit: Text
    value_type: str
    scale: int
    decimals: int
    population: Text
    age: AgeLimits
    numerator: Text
    denominator: Text
    window: Text
    periods: tuple[str, ...]
    codelists: tuple[str, ...]
    standardisation: Standardisation | None
    areas: tuple[str, ...]
    sexes: tuple[str, ...]
    target: Target | None
    #: The desired direction (``higher``, ``lower`` or ``none``), its evidence and why.
    direction: Setting
    min_denominator: int
    denominator_public: bool
    disclosure: str
    sources: tuple[str, ...]
    settings: Mapping[str, Setting]
    variants: tuple[Variant, ...]
    #: The confidence interval published with each value (method ``none``: no interval).
    interval: Interval
    #: Why ``min_denominator`` is what it is (evidence and note; None for 1, no threshold).
    min_denominator_basis: Setting | None = None

    @property
    def spec(self) -> KindSpec:
        """The kind this definition belongs to."""
        return KINDS[self.kind]

    def variant(self, variant_id: str) -> Variant:
        """Variant ``variant_id``."""
        for v in self.variants:
            if v.id == variant_id:
                return v
        known = ", ".join(v.id for v in self.variants)
        raise KeyError(f"indicator {self.id} has no variant {variant_id!r} (known: {known})")

    def standard_for(self, variant_id: str) -> str | None:
        """The standard population of a variant's values; None for crude rates."""
        if self.standardisation is None:
            return None
        chosen = self.variant(variant_id).standard or self.standardisation.standard
        return None if chosen == CRUDE else chosen

    def unit_for(self, variant_id: str) -> Text:
        """The unit of a variant's values."""
        return self.variant(variant_id).unit or self.unit

    def resolved(self, variant_id: str) -> dict[str, Any]:
        """Setting values for a variant: the base settings with the variant's overrides."""
        values = {name: s.value for name, s in self.settings.items()}
        values.update(self.variant(variant_id).settings)
        return values


def _setting(r: Reader, name: str) -> Setting:
    s = r.sub(name)
    s.only({"value", "evidence", "note"})
    return Setting(s.raw("value"), s.choice("evidence", EVIDENCE), s.string("note"))


def _check_setting(r: Reader, spec: KindSpec, name: str, value: Any) -> None:
    try:
        setting_spec = spec.setting(name)
    except KeyError:
        allowed = ", ".join(s.name for s in spec.settings)
        raise r.fail(name, f"not a setting of kind {spec.name} (settings: {allowed})") from None
    problem = setting_spec.check(value)
    if problem:
        raise r.fail(name, problem)


def parse_definition(source: str, data: Mapping[str, Any]) -> Definition:
    """Build a :class:`Definition` from a parsed YAML mapping; ``source`` names the file."""
    r = Reader(source, data)
    r.only({"id", "version", "kind", "title", "description", "unit", "value_type", "scale",
            "decimals", "population", "age", "numerator", "denominator", "window", "periods",
            "codelists", "standardisation", "breakdowns", "target", "direction",
            "min_denominator", "interval",
            "denominator_public", "disclosure", "sources", "settings", "variants"})
    kind = r.choice("kind", tuple(KINDS))
    spec = KINDS[kind]
    value_type = r.choice("value_type", VALUE_TYPES)
    if value_type not in spec.value_types:
        raise r.fail("value_type", f"kind {kind} gives {', '.join(spec.value_types)}")
    age_r = r.sub("age")
    age_r.only({"min", "max", "evidence", "note"})
    age = AgeLimits(age_r.opt_integer("min"), age_r.opt_integer("max"),
                    age_r.choice("evidence", EVIDENCE), age_r.string("note"))
    window_r = r.sub("window")
    window_r.only({"sv", "en", "periods"})
    periods = window_r.str_list("periods")
    for p in periods:
        if p not in PERIOD_TYPES or p not in spec.periods:
            raise window_r.fail("periods", f"{p!r} not possible for kind {kind}")
    std: Standardisation | None = None
    if r.raw("standardisation") is not None:
        s = r.sub("standardisation")
        s.only({"method", "standard", "total_sex", "evidence", "note"})
        std = Standardisation(s.choice("method", ("direct",)), _standard(s, ()),
                              s.choice("total_sex", ("age_only",)),
                              s.choice("evidence", EVIDENCE), s.string("note"))
        if value_type != "rate":
            raise s.fail("method", "only rates can be standardised")
    b = r.sub("breakdowns")
    b.only({"areas", "sexes"})
    areas = b.str_list("areas")
    for a in areas:
        if a not in AREA_LEVELS or a not in spec.areas:
            raise b.fail("areas", f"{a!r} not possible for kind {kind}")
    if "nation" not in areas:
        raise b.fail("areas", "nation (Riket) is always produced")
    sexes = b.str_list("sexes")
    if sexes not in (("T",), ("T", "K", "M")):
        raise b.fail("sexes", "must be [T] or [T, K, M]")
    if sexes != ("T",) and not spec.sexes:
        raise b.fail("sexes", f"kind {kind} has no sex breakdown")
    target: Target | None = None
    if r.raw("target") is not None:
        t = r.sub("target")
        t.only({"value", "comparison", "sv", "en"})
        tv = t.raw("value")
        if not isinstance(tv, int | float) or isinstance(tv, bool):
            raise t.fail("value", "must be a number")
        target = Target(float(tv), t.choice("comparison", (">=", "<=")), Text(t.string("sv"),
                                                                             t.string("en")))
    direction = _direction(r, target)
    settings_r = r.sub("settings")
    settings = {name: _setting(settings_r, name) for name in settings_r.data}
    for name, setting in settings.items():
        _check_setting(settings_r, spec, name, setting.value)
    missing = [s.name for s in spec.settings if s.name not in settings]
    if missing:
        raise settings_r.fail(missing[0], f"missing (kind {kind} requires it)")
    variants_raw = r.raw("variants")
    if not isinstance(variants_raw, list) or not variants_raw:
        raise r.fail("variants", "must be a non-empty list")
    variants: list[Variant] = []
    for i, raw in enumerate(variants_raw):
        if not isinstance(raw, dict):
            raise r.fail(f"variants[{i}]", "must be a mapping")
        v = Reader(source, raw, f"variants[{i}]")
        v.only({"id", "title", "settings", "standard", "unit"})
        standard: str | None = None
        if "standard" in raw:
            standard = _standard(v, (CRUDE,))
            if std is None:
                raise v.fail("standard", "the indicator is not standardised")
        overrides: dict[str, Any] = {}
        if "settings" in raw:
            o = v.sub("settings")
            for name, value in o.data.items():
                _check_setting(o, spec, name, value)
                overrides[name] = value
        unit = v.text("unit") if "unit" in raw else None
        variants.append(Variant(v.string("id"), v.text("title"), overrides, standard, unit))
    ids = [v.id for v in variants]
    if len(set(ids)) != len(ids):
        raise r.fail("variants", "variant ids must be unique")
    disclosure = r.choice("disclosure", DISCLOSURE_MODES)
    min_denominator, min_basis = _min_denominator(r)
    definition = Definition(
        id=r.string("id"),
        version=r.string("version"),
        kind=kind,
        title=r.text("title"),
        description=r.text("description"),
        unit=r.text("unit"),
        value_type=value_type,
        scale=r.integer("scale"),
        decimals=r.integer("decimals"),
        population=r.text("population"),
        age=age,
        numerator=r.text("numerator"),
        denominator=r.text("denominator"),
        window=Text(window_r.string("sv"), window_r.string("en")),
        periods=periods,
        codelists=r.str_list("codelists"),
        standardisation=std,
        areas=areas,
        sexes=sexes,
        target=target,
        direction=direction,
        min_denominator=min_denominator,
        min_denominator_basis=min_basis,
        denominator_public=r.boolean("denominator_public"),
        disclosure=disclosure,
        sources=r.str_list("sources"),
        settings=settings,
        variants=tuple(variants),
        interval=_interval(r, value_type, std, spec),
    )
    if definition.scale <= 0:
        raise r.fail("scale", "must be positive")
    return definition


def _direction(r: Reader, target: Target | None) -> Setting:
    """``direction``: whether higher or lower values are the aim, like a setting (value,
    evidence, note); a target must point the same way."""
    direction = _setting(r, "direction")
    if direction.value not in DIRECTIONS:
        raise r.fail("direction.value", f"must be one of {', '.join(DIRECTIONS)}")
    if target is not None:
        wanted = "higher" if target.comparison == ">=" else "lower"
        if direction.value != wanted:
            raise r.fail("direction.value", f"the target ({target.comparison}) asks for "
                         f"{wanted} values")
    return direction


#: The interval methods each kind of value allows.
_INTERVALS = {"share": ("wilson", "wilson_persons", "none"),
              "rate": ("poisson", "poisson_persons", "none"),
              "mean": ("t", "none"), "change": ("mover", "none")}


def _interval(r: Reader, value_type: str, std: Standardisation | None,
              kind: KindSpec) -> Interval:
    """``interval``: the method (fitting the value: Wilson for shares, Poisson for crude
    rates — each widened for a person's repeated units where the kind counts per person —,
    Dobson for standardised ones, t for means, MOVER-R for changes), the level, evidence and
    note."""
    i = r.sub("interval")
    i.only({"method", "level", "evidence", "note", "few_events_below"})
    allowed = _INTERVALS[value_type]
    if value_type == "rate" and std is not None:
        allowed = ("dobson", "none")
    method = i.choice("method", METHODS)
    if method not in allowed:
        raise i.fail("method", f"a {'standardised ' if std else ''}{value_type} allows "
                     f"{', '.join(allowed)}")
    if method in ("poisson_persons", "wilson_persons") and not kind.person_squares:
        raise i.fail("method", f"kind {kind.name} does not count events per person "
                     f"({method} needs them)")
    level = i.raw("level")
    if not isinstance(level, float) or not 0.5 <= level < 1:
        raise i.fail("level", "must be a decimal number from 0.5 up to 1 (e.g. 0.95)")
    # optional: a rate resting on fewer events is marked (the research notes, §10.3)
    few = i.opt_integer("few_events_below") if "few_events_below" in i.data else None
    if few is not None:
        if method not in ("poisson", "poisson_persons", "dobson"):
            raise i.fail("few_events_below",
                         "only a rate's events are counted (poisson, poisson_persons, dobson)")
        if few < 1:
            raise i.fail("few_events_below", "must be at least 1")
    return Interval(method, level, i.choice("evidence", EVIDENCE), i.string("note"), few)


def _standard(r: Reader, others: tuple[str, ...]) -> str:
    """A ``standard``: shipped (e.g. ``esp2013``), ``sweden_YYYY`` or one of ``others``."""
    name = r.string("standard")
    if not is_standard(name) and name not in others:
        raise r.fail("standard", f"must be one of {', '.join((*STANDARDS, SWEDEN, *others))}")
    return name


def _min_denominator(r: Reader) -> tuple[int, Setting | None]:
    """``min_denominator``: 1 (no threshold beyond a zero denominator), or a threshold given
    as ``{value, evidence, note}`` like a setting, so that no threshold goes unexplained."""
    if isinstance(r.raw("min_denominator"), dict):
        basis = _setting(r, "min_denominator")
        value = basis.value
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise r.fail("min_denominator.value", "must be a whole number of at least 1")
        return value, basis
    value = r.integer("min_denominator")
    if value != 1:
        raise r.fail("min_denominator", "a threshold above 1 needs value, evidence and note")
    return value, None


def load_definition(path: Path) -> Definition:
    """Read one definition file; its ``id`` must equal the file name."""
    definition = parse_definition(path.name, read_yaml(path))
    if definition.id != path.stem:
        raise DefinitionError(f"{path.name}: id: must equal the file name {path.stem!r}")
    return definition
