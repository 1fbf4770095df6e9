"""Compute indicators: validate the data, plan, run an engine, finalise the results."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from naravard.indicators.catalogue import Catalogue, shipped_catalogue
from naravard.indicators.data import RegisterData
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import DisclosureRule, disclose_rows
from naravard.indicators.engines.base import Engine, Progress
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.finalise import (
    Areas,
    change_rows,
    finalise,
    rollup_table,
    sort_results,
    tidy_cells,
)
from naravard.indicators.loader import check
from naravard.indicators.plan import Plan, make_plans
from naravard.indicators.standardise import AgeGroup, population_year, standard_groups


def tables_for(definition: Definition) -> tuple[str, ...]:
    """Register tables ``definition`` reads."""
    tables = list(definition.spec.tables)
    if definition.kind == "named_doctor":
        pops = {definition.resolved(v.id)["population"] for v in definition.variants}
        if "whole" not in pops:
            tables.remove("population")
        if "special_housing" not in pops:
            tables.remove("municipal_health_care")
    return tuple(tables)


def coverage(data: RegisterData, definition: Definition, variant: str | None = None
             ) -> set[int]:
    """Years present in every year-bearing table ``definition`` reads (for ``variant``'s
    settings: a mean population needs the year before too)."""
    years: set[int] | None = None
    mean = variant is not None and definition.resolved(variant).get("population_basis") == "mean"
    for name in tables_for(definition):
        if name == "care_units":
            continue
        found = set(data.years(name))
        if name == "population" and mean:
            found = {y for y in found if y - 1 in found}
        years = found if years is None else years & found
    return years or set()


@dataclass(frozen=True)
class Request:
    """What to compute: definitions (derived ones pull in their sources) and years."""

    definitions: tuple[Definition, ...]
    years: tuple[int, ...]

    def sources(self, catalogue: Catalogue) -> list[Definition]:
        """Definitions an engine must compute (sources of derived indicators included)."""
        out: list[Definition] = []
        for d in self.definitions:
            if d.spec.area_basis == "derived":
                src = catalogue.definition(str(d.settings["source"].value))
                if src not in out:
                    out.append(src)
            elif d not in out:
                out.append(d)
        return out

    def engine_years(self, catalogue: Catalogue) -> tuple[int, ...]:
        """Requested years plus the base years of derived indicators."""
        years = set(self.years)
        for d in self.definitions:
            if d.kind == "continuity_change":
                years.add(int(d.settings["base_year"].value))
        return tuple(sorted(years))


def progress_steps(definitions: Sequence[Definition], catalogue: Catalogue) -> int:
    """How many times :func:`compute` reports progress for ``definitions``."""
    sources = Request(tuple(definitions), ()).sources(catalogue)
    return len(make_plans(catalogue, sources)) + len(sources)


def required_tables(definitions: Iterable[Definition], catalogue: Catalogue) -> list[str]:
    """Tables needed for ``definitions`` (and the sources of derived ones)."""
    req = Request(tuple(definitions), ())
    names: list[str] = []
    for d in req.sources(catalogue):
        for t in tables_for(d):
            if t not in names:
                names.append(t)
    return names


def compute(
    data: RegisterData,
    years: Sequence[int],
    definitions: Sequence[Definition] | None = None,
    *,
    engine: Engine | None = None,
    catalogue: Catalogue | None = None,
    areas: Areas | None = None,
    progress: Progress | None = None,
    validate: bool = True,
    disclosure: DisclosureRule | None = None,
) -> pa.Table:
    """Results (:data:`naravard.indicators.finalise.RESULT_SCHEMA`) for ``definitions``.

    The data are validated first (tables the definitions need must be present and clean); any
    problem raises :class:`naravard.indicators.loader.ValidationError`. ``validate=False`` is
    only for data the caller has just validated: the engines rely on the data model (values in
    their allowed sets, no missing values where none are allowed). With ``disclosure``
    the publication rule is applied (before derived indicators are formed, so a masked source
    value stays masked in the change against the base year). Each indicator is finished (rolled
    up, rated, disclosed) in a background thread as soon as the engine has its cells, while the
    engine works on the rest.
    """
    cat = catalogue or shipped_catalogue()
    chosen = tuple(definitions) if definitions is not None else cat.definitions
    if not years:
        raise ValueError("no years requested")
    request = Request(chosen, tuple(sorted(set(years))))
    if validate:
        check(data, required_tables(chosen, cat))
    plans = make_plans(cat, request.sources(cat))
    for d in request.sources(cat):  # a standard from the data: its year is there (fail early)
        for v in d.variants:
            _standard_year(data, d, v.id)
    with ThreadPoolExecutor(max_workers=1) as pool:
        finishing = _Finishing(data, request, plans, cat, areas or Areas.shipped(), progress,
                               disclosure, pool)
        cells = (engine or DuckDBEngine()).cells(data, plans, request.engine_years(cat), progress,
                                                 done=finishing.add)
        rows_by_id = finishing.rows(cells)
    return _assemble(request, rows_by_id)


class _Finishing:
    """Finishes each indicator once all of its plans have cells."""

    def __init__(self, data: RegisterData, request: Request, plans: Sequence[Plan],
                 catalogue: Catalogue, areas: Areas, progress: Progress | None,
                 disclosure: DisclosureRule | None, pool: ThreadPoolExecutor | None) -> None:
        self.data, self.request, self.catalogue = data, request, catalogue
        self.areas, self.progress, self.disclosure = areas, progress, disclosure
        self.pool = pool
        self.units = unit_municipality(data) if disclosure is not None else {}
        self.waiting = Counter(p.id for p in plans)
        self.parts: dict[str, list[pa.Table]] = defaultdict(list)
        self.pending: dict[str, Future[list[dict[str, Any]]]] = {}
        self.lock = threading.Lock()

    def _finish(self, d: Definition, cells: pa.Table) -> list[dict[str, Any]]:
        rows = definition_rows(self.data, d, tidy_cells(cells),
                               self.request.engine_years(self.catalogue), self.areas,
                               self.disclosure, self.units)
        if self.progress is not None:
            self.progress(f"{d.id}: results")
        return rows

    def add(self, plan: Plan, cells: pa.Table) -> None:
        """Take the cells of ``plan``; start finishing its indicator once it is complete."""
        assert self.pool is not None, "plans are reported only while computing"
        with self.lock:
            self.parts[plan.id].append(cells)
            self.waiting[plan.id] -= 1
            if self.waiting[plan.id] == 0:
                self.pending[plan.id] = self.pool.submit(
                    self._finish, plan.definition, pa.concat_tables(self.parts.pop(plan.id)))

    def rows(self, cells: pa.Table) -> dict[str, list[dict[str, Any]]]:
        """Rows of every source indicator (any the engine did not report are taken from
        ``cells``, the engine's whole result)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for d in self.request.sources(self.catalogue):
            if d.id in self.pending:
                out[d.id] = self.pending[d.id].result()
            else:
                out[d.id] = self._finish(d, _cells_of(cells, d))
        return out


def _cells_of(cells: pa.Table, d: Definition) -> pa.Table:
    return cells.filter(pc.equal(cells["indicator"], d.id))


def definition_rows(data: RegisterData, d: Definition, cells: pa.Table,
                    engine_years: Sequence[int], areas: Areas,
                    disclosure: DisclosureRule | None,
                    units: dict[str, str]) -> list[dict[str, Any]]:
    """Result rows of source indicator ``d`` from its tidy cells, disclosure applied if given."""
    sums = rollup_table(cells, [d])
    rows: list[dict[str, Any]] = []
    for v in d.variants:
        rows += finalise(d, v.id, [], engine_years, coverage(data, d, v.id), areas,
                         sums=sums.get((d.id, v.id), {}), groups=variant_groups(data, d, v.id))
    if disclosure is not None:
        rows = disclose_rows(rows, {d.id: d}, disclosure, units)
    return rows


def variant_groups(data: RegisterData, d: Definition, variant: str
                   ) -> tuple[AgeGroup, ...] | None:
    """The weighted age groups of a variant standardised to a population of the data
    (``sweden_YYYY``: the country's population by age on 31 December of that year); None
    when its standard (if any) is shipped."""
    year = _standard_year(data, d, variant)
    if year is None:
        return None
    table = data.arrow("population")
    table = table.filter(pc.equal(table["year"], year))
    by_age = table.group_by("age").aggregate([("count", "sum")])
    counts = dict(zip(by_age["age"].to_pylist(), by_age["count_sum"].to_pylist(), strict=True))
    return standard_groups(str(d.standard_for(variant)), d.age.min, d.age.max, counts)


def _standard_year(data: RegisterData, d: Definition, variant: str) -> int | None:
    """The year of the data's population a variant is standardised to (None when its
    standard, if any, is shipped); an error when the data do not hold that year."""
    standard = d.standard_for(variant)
    year = None if standard is None else population_year(standard)
    if year is not None and year not in data.years("population"):
        raise ValueError(f"{d.id}, variant {variant}: the standard population {standard} "
                         f"needs the population of {year}, which the data do not hold")
    return year


def _assemble(request: Request, rows_by_id: dict[str, list[dict[str, Any]]]) -> pa.Table:
    """The requested indicators' rows (derived ones formed from their sources), sorted."""
    out: list[dict[str, Any]] = []
    for d in request.definitions:
        if d.kind == "continuity_change":
            src = str(d.settings["source"].value)
            out += change_rows(d, rows_by_id[src], request.years)
        else:
            out += [r for r in rows_by_id[d.id] if int(r["period"][:4]) in request.years]
    return sort_results(out)


def results(data: RegisterData, request: Request, cells: pa.Table, *,
            catalogue: Catalogue | None = None, areas: Areas | None = None,
            progress: Progress | None = None,
            disclosure: DisclosureRule | None = None) -> pa.Table:
    """Results of ``request`` from tidy cells: the finalisation every engine shares."""
    cat = catalogue or shipped_catalogue()
    finishing = _Finishing(data, request, [], cat, areas or Areas.shipped(), progress,
                           disclosure, pool=None)
    return _assemble(request, finishing.rows(cells))


def unit_municipality(data: RegisterData) -> dict[str, str]:
    """Care unit id → municipality code, from ``care_units`` (empty if absent)."""
    if not data.has("care_units"):
        return {}
    units = data.arrow("care_units").select(["care_unit_id", "municipality_code"]).to_pylist()
    return {str(u["care_unit_id"]): str(u["municipality_code"]) for u in units}


def compute_cells(data: RegisterData, years: Sequence[int], definitions: Sequence[Definition],
                  engine: Engine, catalogue: Catalogue | None = None) -> pa.Table:
    """Tidy cells from ``engine`` (no validation): what engines are compared on."""
    cat = catalogue or shipped_catalogue()
    plans = make_plans(cat, Request(tuple(definitions), tuple(years)).sources(cat))
    return tidy_cells(engine.cells(data, plans, sorted(set(years))))
