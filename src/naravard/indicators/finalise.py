"""From cells to results: roll-ups, sex totals, values, standardisation, status, derived changes.

Shared by every engine, so engines differ only in how they sum cells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from naravard.indicators.definition import Definition
from naravard.indicators.intervals import (
    Limits3,
    dobson,
    mean_interval,
    poisson_persons_rate,
    poisson_rate,
    ratio_interval,
    wilson,
    wilson_persons,
)
from naravard.indicators.plan import CELL_KEY, CELL_SCHEMA, CELL_SUMS, periods_for
from naravard.indicators.standardise import (
    AgeGroup,
    direct_rate,
    direct_rate_variance,
    standard_groups,
)
from naravard.reference.organisations import OrgKind, shipped_organisations

NATION = "00"
LEVEL_ORDER = {"nation": 0, "region": 1, "municipality": 2, "care_unit": 3}
SEX_ORDER = {"T": 0, "K": 1, "M": 2}


def publication_order(row: Mapping[str, Any]) -> tuple[str, str, str, int, str, int]:
    """Sort key of a result row in publication order (indicator, variant, period, area level
    from Riket down, area code, sex T, K, M); :func:`sort_results` sorts a table the same way."""
    return (row["indicator"], row["variant"], row["period"], LEVEL_ORDER[row["area_level"]],
            row["area_code"], SEX_ORDER[row["sex"]])
STATUSES = ("ok", "too_few", "missing", "suppressed")

RESULT_SCHEMA = pa.schema(
    [
        pa.field("indicator", pa.string(), nullable=False),
        pa.field("version", pa.string(), nullable=False),
        pa.field("variant", pa.string(), nullable=False),
        pa.field("period", pa.string(), nullable=False),
        pa.field("area_level", pa.string(), nullable=False),
        pa.field("area_code", pa.string(), nullable=False),
        pa.field("sex", pa.string(), nullable=False),
        pa.field("numerator", pa.float64()),
        pa.field("denominator", pa.float64()),
        pa.field("value", pa.float64()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("ci_low", pa.float64()),
        pa.field("ci_high", pa.float64()),
    ]
)
#: The limits of a value's confidence interval (hidden with it; results made before intervals
#: were computed lack them and are read as empty).
LIMITS = ("ci_low", "ci_high")
"""One row per indicator, variant, period, area and sex. ``status``: ``ok``; ``too_few`` (the
denominator is below the definition's minimum; value empty); ``missing`` (no data for the period
or a zero denominator; value empty); ``suppressed`` (set by disclosure control at publication).
``ci_low``/``ci_high``: the value's confidence interval by the definition's ``interval`` (empty
where it names none, where the value is empty or where the method has none, e.g. Dobson's
without events)."""


def tidy_cells(cells: pa.Table) -> pa.Table:
    """Cells summed by key, all-zero cells dropped, sorted: the form engines are compared in."""
    if cells.num_rows == 0:
        return cells.cast(CELL_SCHEMA)
    grouped = cells.group_by(list(CELL_KEY)).aggregate(
        [(name, "sum") for name in CELL_SUMS]).rename_columns([*CELL_KEY, *CELL_SUMS])
    keep = pc.or_(pc.not_equal(grouped["numerator"], 0.0),
                  pc.not_equal(grouped["denominator"], 0.0))
    out = grouped.filter(keep).select(CELL_SCHEMA.names).cast(CELL_SCHEMA)
    return out.sort_by([(k, "ascending") for k in CELL_KEY])


@dataclass(frozen=True)
class Areas:
    """The area grid: regions and municipalities from the reference data."""

    regions: tuple[str, ...]
    municipalities: tuple[str, ...]

    @classmethod
    def shipped(cls) -> Areas:
        """Areas of the shipped reference data."""
        orgs = shipped_organisations()
        return cls(
            tuple(o.code for o in orgs if o.kind is OrgKind.REGION),
            tuple(sorted(o.code for o in orgs if o.kind is OrgKind.MUNICIPALITY)),
        )


Key = tuple[str, str, str, str]  # (period, level, code, sex)


def _rollup(cells: Iterable[dict[str, Any]], sexes: tuple[str, ...]
            ) -> dict[Key, dict[str, list[float]]]:
    """Sums per (period, level, code, sex) and age group, rolled up to region and Riket."""
    sums: dict[Key, dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0] * len(CELL_SUMS)))

    def add(key: Key, group: str, values: list[float]) -> None:
        cell = sums[key][group]
        for i, v in enumerate(values):
            cell[i] += v

    for c in cells:
        level, code, group = c["area_level"], c["area_code"], c["age_group"]
        sex_targets = [c["sex"]] + (["T"] if c["sex"] != "T" and "K" in sexes else [])
        if c["sex"] != "T" and "K" not in sexes:
            sex_targets = ["T"]
        for sex in sex_targets:
            areas: list[tuple[str, str]]
            if level == "care_unit":
                areas = [("care_unit", code)]
            elif level == "municipality":
                areas = [("municipality", code), ("region", code[:2]), ("nation", NATION)]
            else:
                areas = [("region", code), ("nation", NATION)]
            values = [c.get(name, 0.0) for name in CELL_SUMS]
            for lvl, area in areas:
                add((c["period"], lvl, area, sex), group, values)
    return sums


Sums = dict[Key, dict[str, list[float]]]


def rollup_table(cells: pa.Table, definitions: Iterable[Definition]
                 ) -> dict[tuple[str, str], Sums]:
    """:func:`_rollup` of every indicator variant in ``cells`` at once, with Arrow.

    Cells are copied to their sex total (or folded into T where the definition has no sex
    split) and to their region and Riket, then summed per key in one group-by. They are sorted
    first, so the sums of fractional numerators do not depend on the order in which an engine
    returned the cells (which a parallel engine does not fix).
    """
    out: dict[tuple[str, str], Sums] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: [0.0] * len(CELL_SUMS))))
    if cells.num_rows == 0:
        return out
    schema = pa.schema([f.with_nullable(True) for f in cells.schema])
    cells = cells.cast(schema).sort_by([(k, "ascending") for k in CELL_KEY])
    split = pa.array(sorted(d.id for d in definitions if "K" in d.sexes), type=pa.string())
    has_split = pc.is_in(cells["indicator"], value_set=split)
    not_t = pc.not_equal(cells["sex"], "T")

    def with_column(table: pa.Table, name: str, value: Any) -> pa.Table:
        column = pa.array(pa.repeat(value, table.num_rows)) if not isinstance(
            value, pa.ChunkedArray | pa.Array) else value
        index = table.schema.get_field_index(name)
        return table.set_column(index, schema.field(index), column.cast(pa.string()))

    sexed = pa.concat_tables([
        cells.filter(has_split),
        with_column(cells.filter(pc.and_(has_split, not_t)), "sex", pa.scalar("T")),
        with_column(cells.filter(pc.invert(has_split)), "sex", pa.scalar("T")),
    ])
    level = sexed["area_level"]
    munis = sexed.filter(pc.equal(level, "municipality"))
    above = sexed.filter(pc.not_equal(level, "care_unit"))
    regions = with_column(with_column(munis, "area_level", pa.scalar("region")), "area_code",
                          pc.utf8_slice_codeunits(munis["area_code"], 0, 2))
    nation = with_column(with_column(above, "area_level", pa.scalar("nation")), "area_code",
                         pa.scalar(NATION))
    rolled = pa.concat_tables([sexed, regions, nation]).group_by(list(CELL_KEY)).aggregate(
        [(name, "sum") for name in CELL_SUMS])
    columns = [rolled[name].to_pylist()
               for name in (*CELL_KEY, *(f"{name}_sum" for name in CELL_SUMS))]
    for ind, var, period, level, code, sex, group, *values in zip(*columns, strict=True):
        # a plain dict per key: no default factory runs in this loop over every cell
        out[(ind, var)].setdefault((period, level, code, sex), {})[group] = values
    return out


def finalise(definition: Definition, variant: str, cells: Sequence[dict[str, Any]],
             years: Sequence[int], covered: set[int], areas: Areas,
             sums: Sums | None = None,
             groups: tuple[AgeGroup, ...] | None = None) -> list[dict[str, Any]]:
    """Result rows of one indicator variant (cells of that variant only, or their roll-up
    ``sums`` from :func:`rollup_table`); ``groups`` weights a standard taken from the data
    (see :func:`naravard.indicators.compute.variant_groups`)."""
    d = definition
    if sums is None:
        sums = _rollup(cells, d.sexes)
        units = sorted({c["area_code"] for c in cells if c["area_level"] == "care_unit"})
    else:
        units = sorted({k[2] for k in sums if k[1] == "care_unit"})
    standard = d.standard_for(variant)
    if groups is None:
        groups = (standard_groups(standard, d.age.min, d.age.max) if standard is not None
                  else ())
    grid: list[tuple[str, str]] = [("nation", NATION)]
    if "region" in d.areas:
        grid += [("region", r) for r in areas.regions]
    if "municipality" in d.areas:
        grid += [("municipality", m) for m in areas.municipalities]
    if "care_unit" in d.areas:
        grid += [("care_unit", u) for u in units]
    rows: list[dict[str, Any]] = []
    for period in periods_for(d, years):
        year = int(period[:4])
        for level, code in grid:
            for sex in d.sexes:
                row: dict[str, Any] = {
                    "indicator": d.id, "version": d.version, "variant": variant,
                    "period": period, "area_level": level, "area_code": code, "sex": sex,
                    "numerator": None, "denominator": None, "value": None, "status": "missing",
                    "ci_low": None, "ci_high": None,
                }
                rows.append(row)
                if year not in covered:
                    continue
                by_group = sums.get((period, level, code, sex), {})
                num = sum(v[0] for v in by_group.values())
                den = sum(v[1] for v in by_group.values())
                row["numerator"], row["denominator"] = num, den
                if den <= 0:
                    continue
                if den < d.min_denominator:
                    row["status"] = "too_few"
                    continue
                if groups:
                    value = direct_rate(groups, {g: v[0] for g, v in by_group.items()},
                                        {g: v[1] for g, v in by_group.items()}, d.scale)
                else:
                    value = num / den * d.scale
                if value is not None:
                    row["value"], row["status"] = value, "ok"
                    limits = _limits(d, value, num, den, groups, by_group)
                    if limits is not None:
                        row["ci_low"], row["ci_high"] = limits
    return rows


def _limits(d: Definition, value: float, num: float, den: float,
            groups: tuple[AgeGroup, ...], by_group: Mapping[str, list[float]]
            ) -> tuple[float, float] | None:  # fmt: skip
    """A value's confidence interval by the definition's method (None when it has none)."""
    method, level = d.interval.method, d.interval.level
    # the spread sums over the age groups
    squares, trial_squares, products = (
        sum(v[CELL_SUMS.index(name)] for v in by_group.values())
        for name in ("numerator_sq", "denominator_sq", "numerator_denominator"))
    if method in ("wilson", "wilson_persons"):
        found = (wilson(num, den, level) if method == "wilson"
                 else wilson_persons(num, den, squares, trial_squares, products, level))
        return None if found is None else (found[0] * d.scale, found[1] * d.scale)
    if method == "poisson" or (method == "dobson" and not groups):
        return poisson_rate(num, den, d.scale, level)
    if method == "poisson_persons":
        return poisson_persons_rate(num, squares, den, d.scale, level)
    if method == "dobson":
        variance = direct_rate_variance(groups, {g: v[0] for g, v in by_group.items()},
                                        {g: v[1] for g, v in by_group.items()}, d.scale)
        return None if variance is None else dobson(value, num, variance, level)
    if method == "t":
        # the means are of continuity indices, each from 0 to 1: so are the mean's limits
        found = mean_interval(num, squares, den, level)
        return None if found is None else (max(0.0, found[0]) * d.scale,
                                           min(1.0, found[1]) * d.scale)
    return None


def change_rows(definition: Definition, source_rows: Sequence[dict[str, Any]],
                years: Sequence[int]) -> list[dict[str, Any]]:
    """Rows of a ``continuity_change`` indicator from its source indicator's rows.

    value = (index in year / index in base year − 1) × scale; numerator and denominator hold the
    two index values. A suppressed, too-few or missing source value gives that status here, so
    disclosure control applied to the source carries over. With ``interval.method`` ``mover``
    the limits are the ratio's MOVER-R limits from the two values' intervals, on the same scale
    (none in the base year itself, whose change is 0 by definition).
    """
    base_year = int(definition.settings["base_year"].value)
    by_key = {(r["variant"], r["period"], r["area_level"], r["area_code"], r["sex"]): r
              for r in source_rows}
    out: list[dict[str, Any]] = []
    for r in source_rows:
        if int(r["period"]) not in years:
            continue
        base = by_key.get((r["variant"], str(base_year), r["area_level"], r["area_code"],
                           r["sex"]))
        row = {**r, "indicator": definition.id, "version": definition.version,
               "numerator": None, "denominator": None, "value": None, "status": "missing",
               "ci_low": None, "ci_high": None}
        out.append(row)
        if base is None or r["status"] != "ok" or base["status"] != "ok":
            statuses = (r["status"], base["status"] if base is not None else "missing")
            for status in ("suppressed", "too_few"):
                if status in statuses:
                    row["status"] = status
                    break
            continue
        row["numerator"], row["denominator"] = r["value"], base["value"]
        if base["value"] == 0:
            continue
        row["value"] = (r["value"] / base["value"] - 1) * definition.scale
        row["status"] = "ok"
        # the base year against itself is 0 by definition: no interval
        if definition.interval.method == "mover" and base is not r:
            row["ci_low"], row["ci_high"] = _change_limits(r, base, definition.scale)
    return out


def estimate(row: Mapping[str, Any] | None) -> Limits3 | None:
    """A result row's value with its confidence limits, (value, low, high); None where the
    row, its value or its interval is missing."""
    if row is None or row.get("value") is None:
        return None
    low, high = (row.get(k) for k in LIMITS)
    if low is None or high is None:
        return None
    return float(row["value"]), float(low), float(high)


def _change_limits(row: Mapping[str, Any], base: Mapping[str, Any], scale: float
                   ) -> tuple[float | None, float | None]:  # fmt: skip
    """The change's limits from its two values' intervals (none where either lacks one)."""
    now, before = estimate(row), estimate(base)
    found = None if now is None or before is None else ratio_interval(now, before)
    if found is None:
        return None, None
    return (found[0] - 1) * scale, (found[1] - 1) * scale


def sort_results(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as a results table in publication order (indicator, variant, period, area level
    from Riket down, area code, sex T, K, M)."""
    table = pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)
    def rank(column: str, order: dict[str, int]) -> pa.Array:
        return pc.index_in(table[column], value_set=pa.array(sorted(order, key=order.__getitem__)))

    keyed = (table.append_column("__level", rank("area_level", LEVEL_ORDER))
             .append_column("__sex", rank("sex", SEX_ORDER)))
    order = pc.sort_indices(keyed, sort_keys=[
        ("indicator", "ascending"), ("variant", "ascending"), ("period", "ascending"),
        ("__level", "ascending"), ("area_code", "ascending"), ("__sex", "ascending")])
    return table.take(order)
