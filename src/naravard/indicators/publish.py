"""The one path from stored results to anything published: web pages, the API, CSV exports.

Results are stored as computed (internal figures). :func:`publish` applies the publication rule
(:mod:`naravard.indicators.disclosure`) to whole tables — one indicator, variant and year with
its months, the variants of a year decided together, so secondary suppression sees every
relation — and forms derived indicators again from their
source's *published* values, so that a masked source value stays masked in the change against
the base year. Filtering by area, sex or period happens only after this step.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from naravard.indicators.catalogue import Catalogue
from naravard.indicators.definition import SEXES, Definition
from naravard.indicators.disclosure import DisclosureRule, disclose_rows
from naravard.indicators.finalise import (
    LEVEL_ORDER,
    LIMITS,
    NATION,
    RESULT_SCHEMA,
    STATUSES,
    change_rows,
)

Row = dict[str, Any]

#: Columns of a result row, in order.
COLUMNS: tuple[str, ...] = tuple(RESULT_SCHEMA.names)
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_KEY = ("indicator", "variant", "period", "area_level", "area_code", "sex")


def is_derived(definition: Definition) -> bool:
    """Whether the indicator is formed from another indicator's values (e.g. a change)."""
    return definition.spec.area_basis == "derived"


def source_of(definition: Definition) -> str | None:
    """Id of the indicator a derived indicator is formed from (``None`` for the others)."""
    return str(definition.settings["source"].value) if is_derived(definition) else None


def with_sources(ids: Iterable[str], catalogue: Catalogue) -> list[str]:
    """``ids`` plus the sources of derived ones: what must be read to publish ``ids``."""
    out: list[str] = []
    for i in ids:
        for needed in (i, source_of(catalogue.definition(i))):
            if needed is not None and needed not in out:
                out.append(needed)
    return out


def base_year(definition: Definition) -> int | None:
    """The base year of a derived change indicator (``None`` for the others)."""
    if not is_derived(definition):
        return None
    return int(definition.settings["base_year"].value)


def check_rows(rows: Sequence[Mapping[str, Any]], catalogue: Catalogue) -> list[str]:
    """Problems with result rows (before storing them), each naming the row and the column."""
    problems: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    known = {d.id: d for d in catalogue.definitions}

    def bad(i: int, column: str, message: str) -> None:
        if len(problems) < 50:
            problems.append(f"row {i + 1}: {column}: {message}")

    for i, r in enumerate(rows):
        missing = [c for c in COLUMNS if c not in r and c not in LIMITS]
        if missing:
            bad(i, missing[0], "missing")
            continue
        d = known.get(r["indicator"])
        if d is None:
            bad(i, "indicator", f"unknown indicator {r['indicator']!r}")
            continue
        if r["variant"] not in {v.id for v in d.variants}:
            bad(i, "variant", f"{d.id} has no variant {r['variant']!r}")
        if not isinstance(r["period"], str) or not _PERIOD.match(r["period"]):
            bad(i, "period", f"{r['period']!r} is not YYYY or YYYY-MM")
        if r["area_level"] not in LEVEL_ORDER:
            bad(i, "area_level", f"{r['area_level']!r} is not one of {', '.join(LEVEL_ORDER)}")
        elif r["area_level"] == "nation" and r["area_code"] != NATION:
            bad(i, "area_code", f"Riket has code {NATION}, not {r['area_code']!r}")
        if r["sex"] not in SEXES:
            bad(i, "sex", f"{r['sex']!r} is not T, K or M")
        if r["status"] not in STATUSES:
            bad(i, "status", f"{r['status']!r} is not one of {', '.join(STATUSES)}")
        elif (r["value"] is None) == (r["status"] == "ok"):
            bad(i, "value", "a value is given exactly when the status is ok")
        for col in ("numerator", "denominator", "value", *LIMITS):
            v = r.get(col)
            if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)
                                  or not math.isfinite(v)):
                bad(i, col, f"{v!r} is not a number")
        problem = _interval_problem(r)
        if problem:
            bad(i, "ci_low", problem)
        key = tuple(r[k] for k in _KEY)
        if key in seen:
            bad(i, "indicator", "the same indicator, variant, period, area and sex twice")
        seen.add(key)
    return problems


def _interval_problem(r: Mapping[str, Any]) -> str:
    """What is wrong with a row's interval ("" when nothing): it has both limits or none,
    only beside a value, and holds the value."""
    low, high, value = r.get("ci_low"), r.get("ci_high"), r["value"]
    if (low is None) != (high is None) or (low is not None and value is None):
        return "an interval has both limits, and only beside a value"
    def number(v: object) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    if low is None or high is None or not all(number(v) for v in (low, high, value)):
        return ""  # no interval, or not numbers (named apart)
    if not low - 1e-9 * abs(low) <= value <= high + 1e-9 * abs(high):
        return f"the interval {low}–{high} does not hold the value {value}"
    return ""


def publish(rows: Sequence[Mapping[str, Any]], definitions: Mapping[str, Definition],
            rule: DisclosureRule, unit_municipality: Mapping[str, str] | None = None
            ) -> list[Row]:
    """``rows`` as they may be published (same order, same keys).

    ``rows`` must hold whole tables (every area and sex of an indicator's variants in a year,
    with the year's months: see :func:`naravard.indicators.disclosure.table_periods`) and,
    for a derived indicator, its source indicator's rows (base year included); a derived row
    whose source values are not there becomes ``missing``.
    """
    by_indicator: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["indicator"] not in definitions:
            raise KeyError(f"no definition for indicator {r['indicator']!r}")
        by_indicator[r["indicator"]].append(i)
    out: list[Row] = [dict(r) for r in rows]
    plain = [i for ind, idxs in by_indicator.items() if not is_derived(definitions[ind])
             for i in idxs]
    for i, row in zip(plain, disclose_rows([dict(rows[i]) for i in plain], definitions, rule,
                                           unit_municipality), strict=True):
        out[i] = row
    for ind, idxs in by_indicator.items():
        d = definitions[ind]
        source = source_of(d)
        if source is None:
            continue
        source_rows = [out[i] for i in by_indicator.get(source, [])]
        for i, row in zip(idxs, form_derived(d, [rows[i] for i in idxs], source_rows),
                          strict=True):
            out[i] = row
    return out


def form_derived(d: Definition, rows: Sequence[Mapping[str, Any]],
                 source_rows: Sequence[Row]) -> list[Row]:
    """``rows`` of derived indicator ``d`` formed again from its source's *published* rows
    (base year included), so that a masked source value stays masked; a row whose source
    values are not there becomes ``missing``."""
    years = sorted({int(r["period"][:4]) for r in rows})
    formed = {tuple(r[k] for k in _KEY): r for r in change_rows(d, source_rows, years)}
    out: list[Row] = []
    for r in rows:
        again = formed.get(tuple(r[k] for k in _KEY))
        row = dict(r)
        if again is None:
            row.update(numerator=None, denominator=None, value=None, status="missing",
                       **dict.fromkeys(LIMITS))
        else:
            row.update({c: again[c] for c in ("numerator", "denominator", "value", "status",
                                               *LIMITS)})
        out.append(row)
    return out


def few_events(row: Mapping[str, Any], d: Definition) -> bool:
    """Whether a shown value rests on fewer events (its numerator) than the definition's
    ``interval.few_events_below``, and is to be marked as uncertain."""
    below = d.interval.few_events_below
    return (below is not None and row["status"] == "ok" and row["value"] is not None
            and row["numerator"] is not None and row["numerator"] < below)


def masked(row: Mapping[str, Any]) -> bool:
    """Whether disclosure control masked the row."""
    return bool(row["status"] == "suppressed")
