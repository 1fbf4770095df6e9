"""Store indicator results with their data snapshot, and read them back.

Every published output (web pages, the open data API, CSV exports) reads results through
:func:`published`, which applies disclosure control (:func:`naravard.indicators.publish.publish`)
to whole tables before anything is filtered or shown. :func:`internal` gives the unprotected
figures; only staff routes that say so call it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pyarrow as pa
from sqlalchemy import CursorResult, delete, func, insert, select
from sqlalchemy.orm import Session

from naravard.indicators.catalogue import Catalogue
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import (
    Cell,
    DisclosureRule,
    cell_key,
    disclose_rows,
    mask_row,
    shipped_rule,
    table_key,
    table_periods,
)
from naravard.indicators.finalise import LIMITS, publication_order
from naravard.indicators.publish import (
    COLUMNS,
    base_year,
    check_rows,
    form_derived,
    source_of,
)
from naravard.storage import audit
from naravard.storage.indicator_snapshot import CareUnit, SnapshotInfo
from naravard.storage.indicator_tables import (
    IndicatorCareUnit,
    IndicatorDisclosure,
    IndicatorResult,
    IndicatorSnapshot,
)
from naravard.storage.models import utcnow

Row = dict[str, Any]
TableId = tuple[str, str, str]  # indicator, variant, year


class ResultsError(ValueError):
    """Results that cannot be stored; the message lists the problems."""


@dataclass(frozen=True)
class StoreOutcome:
    """What :func:`store_results` did."""

    snapshot_id: int
    created: bool
    indicators: tuple[str, ...]
    replaced: int
    stored: int
    #: disclosure-controlled tables whose decisions were stored with the rows
    decided: int = 0


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored time with its zone (SQLite returns UTC times without one)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _rows_of(results: pa.Table | Sequence[Mapping[str, Any]]) -> list[Row]:
    if isinstance(results, pa.Table):
        missing = [c for c in COLUMNS
                   if c not in results.column_names and c not in LIMITS]
        if missing:
            raise ResultsError(f"result table lacks the columns {', '.join(missing)}")
        for c in LIMITS:  # results made before intervals were computed
            if c not in results.column_names:
                results = results.append_column(c, pa.nulls(results.num_rows, pa.float64()))
        return list(results.select(list(COLUMNS)).to_pylist())
    return [{**dict.fromkeys(LIMITS), **r} for r in results]


def store_results(session: Session, results: pa.Table | Sequence[Mapping[str, Any]],
                  info: SnapshotInfo, care_units: Sequence[CareUnit], catalogue: Catalogue,
                  actor: str, now: dt.datetime | None = None,
                  rule: DisclosureRule | None = None) -> StoreOutcome:
    """Store ``results`` for the snapshot ``info`` in the caller's transaction.

    The snapshot is found by its checksum (created when new). Its rows of the indicators and
    years in ``results`` are replaced; other indicators and years of the snapshot stay. Nothing
    is written when a row is invalid (:class:`ResultsError` lists the problems), and since
    everything happens in one transaction, a failure leaves the previous results as they were.
    The disclosure decisions of the stored tables under ``rule`` (the shipped rule unless
    given) are stored with them, so that publishing never has to decide them on a request.
    """
    rows = _rows_of(results)
    if not rows:
        raise ResultsError("no result rows to store")
    problems = check_rows(rows, catalogue)
    if problems:
        raise ResultsError("invalid results:\n" + "\n".join(problems))
    moment = now or utcnow()
    versions: dict[str, str] = {}
    for r in rows:
        if versions.setdefault(r["indicator"], r["version"]) != r["version"]:
            raise ResultsError(f"indicator {r['indicator']} has rows of two definition "
                               f"versions ({versions[r['indicator']]}, {r['version']})")
    snap = session.scalar(select(IndicatorSnapshot).where(
        IndicatorSnapshot.checksum == info.checksum))
    created = snap is None
    if snap is None:
        snap = IndicatorSnapshot(checksum=info.checksum, created_at=moment, created_by=actor,
                                 revision=0, definitions={}, years=[], files={})
        session.add(snap)
    snap.label, snap.source, snap.engine = info.label, info.source, info.engine
    snap.stored_at, snap.stored_by = moment, actor
    snap.revision = (snap.revision or 0) + 1
    row_years = {int(r["period"][:4]) for r in rows}
    snap.years = sorted(set(snap.years or []) | set(info.years) | row_years)
    snap.definitions = {**(snap.definitions or {}), **versions}
    snap.files = dict(info.files)
    snap.disclosed_input, snap.demo = info.disclosed_input, info.demo
    session.flush()
    ids = sorted(versions)
    years = sorted({r["period"][:4] for r in rows})
    gone = session.execute(delete(IndicatorResult).where(
        IndicatorResult.snapshot_id == snap.id, IndicatorResult.indicator.in_(ids),
        func.substr(IndicatorResult.period, 1, 4).in_(years)))
    replaced = int(cast(CursorResult[Any], gone).rowcount or 0)
    before = {u.care_unit_id: u.municipality_code for u in care_units_of_snapshot(session, snap.id)}
    unit_municipality = {u.care_unit_id: u.municipality_code for u in care_units}
    forget = delete(IndicatorDisclosure).where(IndicatorDisclosure.snapshot_id == snap.id)
    if before != unit_municipality:  # areas of care units decide relations in every table
        session.execute(forget)
    else:
        session.execute(forget.where(
            IndicatorDisclosure.indicator.in_(ids), IndicatorDisclosure.year.in_(years)))
    session.execute(delete(IndicatorCareUnit).where(IndicatorCareUnit.snapshot_id == snap.id))
    if care_units:
        session.execute(insert(IndicatorCareUnit), [
            {"snapshot_id": snap.id, "care_unit_id": u.care_unit_id, "name": u.name,
             "region_code": u.region_code, "municipality_code": u.municipality_code,
             "kind": u.kind} for u in care_units])  # fmt: skip
    batch = 20_000
    for start in range(0, len(rows), batch):  # Core executemany: no ORM overhead per row
        session.connection().execute(
            insert(IndicatorResult),
            [{"snapshot_id": snap.id, **r} for r in rows[start:start + batch]])
    rule = rule or shipped_rule()
    decided = _decide(rows, _plain(catalogue, rows), rule, unit_municipality)
    _save_decisions(session, snap.id, decided, catalogue, rule, moment)
    audit.record(session, actor, "indicators.store", "indicator_snapshot", snap.id,
                 checksum=info.checksum, source=info.source, indicators=ids,
                 rows=len(rows), replaced=replaced, revision=snap.revision,
                 decided=len(decided))
    with _CACHE_LOCK:
        _CACHE.clear()
    return StoreOutcome(snap.id, created, tuple(ids), replaced, len(rows), len(decided))


# --- disclosure decisions ----------------------------------------------------------------------


#: How tables are decided, in the rule key: 5 = the variants of an indicator in a year as
#: one table with the links between them, figures of rows without a value (``missing``) used
#: as complements, a cell exposed through a chain of masked cells protected by one more figure
#: tied to the chain (decisions stored under an earlier method — 1, each variant on its own;
#: 2, every variant masked where any is; 3, missing rows never complements; 4, no step for
#: such a chain — are decided again).
DECISION_METHOD = 5


def rule_key(rule: DisclosureRule) -> str:
    """What disclosure decisions depend on besides the rows: the rule's version and settings,
    and how tables are decided."""
    return (f"{rule.version}|{rule.min_count}|{rule.min_denominator}|{int(rule.secondary)}"
            f"|m{DECISION_METHOD}")


def _plain(catalogue: Catalogue, rows: Sequence[Row]) -> dict[str, Definition]:
    """The indicators of ``rows`` that publish their own rows (derived indicators are published
    from their source's rows, see :func:`_read`)."""
    found = {i: catalogue.definition(i) for i in sorted({r["indicator"] for r in rows})}
    return {i: d for i, d in found.items() if source_of(d) is None}


def _decide(rows: Sequence[Row], definitions: Mapping[str, Definition], rule: DisclosureRule,
            unit_municipality: Mapping[str, str]) -> dict[TableId, frozenset[Cell]]:
    """The masked cells of every table in ``rows`` of the indicators in ``definitions``.

    ``rows`` must hold whole tables: every area and sex of every variant in a year with its
    months (the variants of a year are decided together).
    """
    found: dict[TableId, set[Cell]] = {}
    for r in disclose_rows([r for r in rows if r["indicator"] in definitions], definitions,
                           rule, unit_municipality):
        cells = found.setdefault(table_key(r), set())
        if r["status"] == "suppressed":
            cells.add(cell_key(r))
    return {t: frozenset(cells) for t, cells in found.items()}


def _save_decisions(session: Session, snapshot_id: int, decided: Mapping[TableId, frozenset[Cell]],
                    catalogue: Catalogue, rule: DisclosureRule, moment: dt.datetime) -> None:
    if not decided:
        return
    key = rule_key(rule)
    session.connection().execute(insert(IndicatorDisclosure), [
        {"snapshot_id": snapshot_id, "indicator": indicator, "variant": variant, "year": year,
         "rule": key, "definition_version": catalogue.definition(indicator).version,
         "cells": [list(c) for c in sorted(cells)], "decided_at": moment}
        for (indicator, variant, year), cells in sorted(decided.items())])


def _decisions(snapshot_id: int, rule: DisclosureRule, *columns: Any) -> Any:
    """SELECT ``columns`` of the decisions stored for a snapshot under ``rule``."""
    return select(*columns).where(IndicatorDisclosure.snapshot_id == snapshot_id,
                                  IndicatorDisclosure.rule == rule_key(rule))


def _stored_decisions(session: Session, snapshot_id: int, d: Definition,
                      tables: Sequence[tuple[str, str]], rule: DisclosureRule
                      ) -> dict[tuple[str, str], frozenset[Cell]]:
    """The stored decisions of ``tables`` (variant, year) of ``d`` under ``rule``."""
    if not tables:
        return {}
    query = _decisions(snapshot_id, rule, IndicatorDisclosure.variant, IndicatorDisclosure.year,
                       IndicatorDisclosure.cells).where(
        IndicatorDisclosure.indicator == d.id, IndicatorDisclosure.definition_version == d.version,
        IndicatorDisclosure.year.in_(sorted({y for _, y in tables})),
        IndicatorDisclosure.variant.in_(sorted({v for v, _ in tables})))
    wanted = set(tables)
    return {(v, y): frozenset(cast(Cell, tuple(c)) for c in cells)
            for v, y, cells in session.execute(query) if (v, y) in wanted}


def decided_tables(session: Session, snapshot_id: int, catalogue: Catalogue,
                   rule: DisclosureRule) -> tuple[int, int]:
    """(tables with stored decisions under ``rule``, tables disclosure control decides) of a
    snapshot: the second exceeds the first when `naravard indicators disclose` has work."""
    year = func.substr(IndicatorResult.period, 1, 4)
    stored = session.execute(
        select(IndicatorResult.indicator, IndicatorResult.variant, year)
        .where(IndicatorResult.snapshot_id == snapshot_id).distinct()).all()
    plain = {d.id: d for d in catalogue.definitions if source_of(d) is None}
    tables = {(i, v, y) for i, v, y in stored if i in plain}
    decided = {(i, v, y) for i, v, y, version in session.execute(_decisions(
        snapshot_id, rule, IndicatorDisclosure.indicator, IndicatorDisclosure.variant,
        IndicatorDisclosure.year, IndicatorDisclosure.definition_version))
        if i in plain and version == plain[i].version}
    return len(tables & decided), len(tables)


def decide_stored(session: Session, catalogue: Catalogue, rule: DisclosureRule, actor: str,
                  step: Callable[[str], None] | None = None) -> int:
    """Store the disclosure decisions under ``rule`` of every table of the current results
    that has none yet (results stored before decisions were kept, or under another rule);
    returns how many tables were decided, each indicator's in the audit log as
    ``indicators.disclose``. ``step`` is told each indicator as it is done."""
    count = 0
    units: dict[int, dict[str, str]] = {}  # care unit → municipality, per snapshot
    for indicator, snap in sorted(current_snapshots(session).items()):
        d = catalogue.definition(indicator)
        if source_of(d) is None:
            have = {(v, y) for v, y in session.execute(_decisions(
                snap.id, rule, IndicatorDisclosure.variant, IndicatorDisclosure.year).where(
                IndicatorDisclosure.indicator == d.id,
                IndicatorDisclosure.definition_version == d.version))}
            rows = stored_rows(session, snap.id, [d.id])
            # a year is decided with all of its variants; kept are the tables not yet decided
            years = {r["period"][:4] for r in rows if (r["variant"], r["period"][:4]) not in have}
            rows = [r for r in rows if r["period"][:4] in years]
            if snap.id not in units:
                units[snap.id] = {u.care_unit_id: u.municipality_code
                                  for u in care_units_of_snapshot(session, snap.id)}
            decided = {t: m for t, m in _decide(rows, {d.id: d}, rule, units[snap.id]).items()
                       if (t[1], t[2]) not in have}
            _save_decisions(session, snap.id, decided, catalogue, rule, utcnow())
            if decided:
                audit.record(session, actor, "indicators.disclose", "indicator_snapshot",
                             snap.id, indicator=d.id, rule=rule_key(rule), tables=len(decided))
            count += len(decided)
        if step is not None:
            step(indicator)
    return count


# --- reading -----------------------------------------------------------------------------------


def snapshots(session: Session) -> list[IndicatorSnapshot]:
    """Every snapshot, the most recently stored first."""
    return list(session.scalars(select(IndicatorSnapshot).order_by(
        IndicatorSnapshot.stored_at.desc(), IndicatorSnapshot.id.desc())))


def current_snapshots(session: Session) -> dict[str, IndicatorSnapshot]:
    """Indicator id → the most recently stored snapshot holding results for it."""
    out: dict[str, IndicatorSnapshot] = {}
    for snap in reversed(snapshots(session)):
        for indicator in snap.definitions or {}:
            out[indicator] = snap
    return out


def result_count(session: Session, snapshot_id: int) -> int:
    """How many result rows a snapshot holds."""
    return int(session.scalar(select(func.count()).select_from(IndicatorResult).where(
        IndicatorResult.snapshot_id == snapshot_id)) or 0)


def care_units_of_snapshot(session: Session, snapshot_id: int) -> list[CareUnit]:
    """The care units stored with a snapshot, by id."""
    return [CareUnit(u.care_unit_id, u.name, u.region_code, u.municipality_code, u.kind)
            for u in session.scalars(select(IndicatorCareUnit).where(
                IndicatorCareUnit.snapshot_id == snapshot_id)
                .order_by(IndicatorCareUnit.care_unit_id))]


def stored_rows(session: Session, snapshot_id: int, indicators: Sequence[str],
                variant: str | None = None, periods: Sequence[str] | None = None,
                levels: Sequence[str] | None = None) -> list[Row]:
    """Internal result rows of ``indicators`` in a snapshot (one variant, some periods and some
    area levels when given)."""
    cols = [getattr(IndicatorResult, c) for c in _READ]
    query = select(*cols).where(IndicatorResult.snapshot_id == snapshot_id,
                                IndicatorResult.indicator.in_(list(indicators)))
    if variant is not None:
        query = query.where(IndicatorResult.variant == variant)
    if periods is not None:
        query = query.where(IndicatorResult.period.in_(sorted(set(periods))))
    if levels is not None:
        query = query.where(IndicatorResult.area_level.in_(sorted(set(levels))))
    # Core execution: plain rows, without the ORM's per-row work (a fifth of the time on large
    # reads), in the session's transaction all the same
    return _row_dicts(session.connection().execute(query))


#: The result columns in the order :func:`_row_dicts` reads them (that of ``COLUMNS``).
_READ = ("indicator", "version", "variant", "period", "area_level", "area_code", "sex",
         "numerator", "denominator", "value", "status", "ci_low", "ci_high")


def _row_dicts(result: Iterable[Sequence[Any]]) -> list[Row]:
    """Rows of :data:`_READ` columns as dicts, each text shared by every row that holds it.

    A whole indicator is hundreds of thousands of rows with a few thousand distinct texts
    (areas, periods, statuses), and the database driver makes a new string for every cell:
    sharing them halves what the row cache holds (576 420 rows: 584 → 320 MB) at no cost in
    time (the dict display is quicker than ``dict(zip(...))`` by as much as the sharing costs).
    """
    seen: dict[Any, Any] = {}
    one = seen.setdefault
    return [{"indicator": one(i, i), "version": one(v, v), "variant": one(w, w),
             "period": one(p, p), "area_level": one(lv, lv), "area_code": one(a, a),
             "sex": one(x, x), "numerator": n, "denominator": d, "value": val,
             "status": one(st, st), "ci_low": lo, "ci_high": hi}
            for i, v, w, p, lv, a, x, n, d, val, st, lo, hi in result]


@dataclass(frozen=True)
class ResultSet:
    """One indicator's results from one snapshot: published, or internal for staff."""

    indicator: str
    snapshot: IndicatorSnapshot
    rows: tuple[Row, ...]
    units: Mapping[str, CareUnit]
    internal: bool
    rule: DisclosureRule
    #: What readers derive from ``rows`` and keep for the next request (e.g. the API's entry
    #: index); it lives in the cache beside the rows and goes with them.
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


_CACHE: OrderedDict[tuple[Any, ...],
                    tuple[tuple[Row, ...], dict[str, CareUnit], dict[str, Any]]] = OrderedDict()
#: The cache keeps at most this many rows (the newest entry always stays).
_CACHE_ROWS = 400_000
#: The server's threads share the cache: finding, adding and pushing out hold this lock (the
#: rows themselves are read outside it).
_CACHE_LOCK = threading.Lock()

#: Disclosure decisions per table (snapshot, indicator, rule; variant and year): the cells
#: publication masks. A few per cent of the cells, so kept far longer than rows: a request
#: for other periods, or after its rows left the row cache, reads only the rows it returns.
_MASKS: OrderedDict[tuple[Any, ...], frozenset[Cell]] = OrderedDict()
_MASK_TABLES = 5_000
_MASKS_LOCK = threading.Lock()


def clear_caches() -> None:
    """Forget cached result rows and disclosure decisions (they are also keyed by the
    snapshot's revision and storage time, so storing results never needs this)."""
    with _CACHE_LOCK:
        _CACHE.clear()
    with _MASKS_LOCK:
        _MASKS.clear()


def _published_plain(session: Session, snap: IndicatorSnapshot, d: Definition,
                     variant: str | None, wanted: Sequence[str] | None,
                     levels: Sequence[str] | None, rule: DisclosureRule,
                     unit_municipality: Mapping[str, str], base: tuple[Any, ...]) -> list[Row]:
    """Published rows of an indicator that is not derived, for ``wanted`` periods and area
    ``levels``.

    Disclosure control decides on whole tables (a variant in a year with its months), the
    variants of a year together. The decisions are stored with the results
    (:func:`store_results`) and kept in memory once read; a table without stored decisions
    (stored under another rule, or before decisions were stored) is decided here from all of
    its year's rows and kept in memory. The rows themselves are read only for the periods and
    levels asked for.
    """
    rows = stored_rows(session, snap.id, [d.id], variant, wanted, levels)
    tables = {(r["variant"], r["period"][:4]) for r in rows}
    with _MASKS_LOCK:
        masks = {t: _MASKS[(*base, *t)] for t in tables if (*base, *t) in _MASKS}
    known = _stored_decisions(session, snap.id, d, sorted(tables - masks.keys()), rule)
    masks.update(known)
    missing = sorted({year for v, year in tables if (v, year) not in masks})
    decided: dict[tuple[str, str], frozenset[Cell]] = {}
    if missing:  # decided with every variant of those years (see suppress_variants)
        whole = rows if wanted is None and levels is None and variant is None else stored_rows(
            session, snap.id, [d.id], None, table_periods(d, missing))
        decided = {(v, y): m for (_, v, y), m in
                   _decide(whole, {d.id: d}, rule, unit_municipality).items()}
        masks.update({t: m for t, m in decided.items() if t in tables})
    with _MASKS_LOCK:
        _MASKS.update({(*base, *t): m for t, m in (known | decided).items()})
        for t in tables:
            if (*base, *t) in _MASKS:
                _MASKS.move_to_end((*base, *t))
        while len(_MASKS) > _MASK_TABLES:
            _MASKS.popitem(last=False)
    return [mask_row(r, d) if cell_key(r) in masks[(r["variant"], r["period"][:4])] else r
            for r in rows]


def _decision_base(session: Session, snap: IndicatorSnapshot, indicator: str,
                   rule: DisclosureRule) -> tuple[Any, ...]:
    """What an indicator's disclosure decisions depend on: the snapshot as stored, the
    indicator and the rule (the key of its cached rows and decisions, before variant and
    periods)."""
    return (str(session.get_bind().engine.url), snap.id, snap.checksum, snap.revision,
            aware(snap.stored_at).isoformat(), indicator, rule_key(rule))


def results_version(session: Session, indicators: Sequence[str],
                    rule: DisclosureRule) -> tuple[Any, ...]:
    """What the published results of ``indicators`` are as of now: for each, its current
    snapshot as stored (None when there is none) under ``rule``. A file made from them stays
    right while this stays the same."""
    current = current_snapshots(session)
    return tuple(None if i not in current else _decision_base(session, current[i], i, rule)
                 for i in indicators)


def _read(session: Session, indicator: str, catalogue: Catalogue, rule: DisclosureRule,
          internal: bool, variant: str | None, periods: Sequence[str] | None,
          levels: Sequence[str] | None) -> ResultSet | None:
    snap = current_snapshots(session).get(indicator)
    if snap is None:
        return None
    wanted = None if periods is None else tuple(sorted(set(periods)))
    at = None if levels is None else tuple(sorted(set(levels)))
    base = _decision_base(session, snap, indicator, rule)
    key = (*base, variant, wanted, at, internal)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
    if hit is None:
        units = {u.care_unit_id: u for u in care_units_of_snapshot(session, snap.id)}
        unit_municipality = {u.care_unit_id: u.municipality_code for u in units.values()}
        d = catalogue.definition(indicator)
        if internal:
            rows = stored_rows(session, snap.id, [indicator], variant, wanted, at)
        elif source_of(d) is None:
            rows = _published_plain(session, snap, d, variant, wanted, at, rule,
                                    unit_municipality, base)
        else:
            # formed from the source's published values (its stored disclosure decisions),
            # in the years asked for and the base year
            source = catalogue.definition(str(source_of(d)))
            extra = (None if wanted is None else
                     table_periods(source, [*wanted, str(base_year(d))]))
            source_rows = _published_plain(session, snap, source, variant, extra, at, rule,
                                           unit_municipality,
                                           _decision_base(session, snap, source.id, rule))
            own = stored_rows(session, snap.id, [indicator], variant, wanted, at)
            rows = form_derived(d, own, source_rows)
        rows.sort(key=publication_order)
        hit = (tuple(rows), units, {})
        with _CACHE_LOCK:
            _CACHE[key] = hit
            while len(_CACHE) > 1 and sum(len(v[0]) for v in _CACHE.values()) > _CACHE_ROWS:
                _CACHE.popitem(last=False)
    return ResultSet(indicator, snap, hit[0], hit[1], internal, rule, hit[2])


def published(session: Session, indicator: str, catalogue: Catalogue, rule: DisclosureRule,
              variant: str | None = None, periods: Sequence[str] | None = None,
              levels: Sequence[str] | None = None) -> ResultSet | None:
    """The indicator's results from its current snapshot, with disclosure control applied.

    ``variant``, ``periods`` and area ``levels`` narrow what is returned; disclosure control
    always sees whole tables (every area and sex of every variant in a year, with the year's
    months), so they never change a published cell.
    """
    return _read(session, indicator, catalogue, rule, False, variant, periods, levels)


def internal(session: Session, indicator: str, catalogue: Catalogue, rule: DisclosureRule,
             variant: str | None = None, periods: Sequence[str] | None = None,
             levels: Sequence[str] | None = None) -> ResultSet | None:
    """The indicator's results without disclosure control (staff only; never published)."""
    return _read(session, indicator, catalogue, rule, True, variant, periods, levels)
