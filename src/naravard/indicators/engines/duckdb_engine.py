"""The DuckDB engine (the default): the shared SQL of :mod:`.sql` over the Parquet datasets.

Every query covers all requested periods at once, never one query per period; shared pieces
(person-years, listings on a reference day, transfer chains, the contact and assessment cubes,
per-patient visit statistics) are materialised once as temporary tables and reused by every
plan that needs them, then dropped after the last plan that reads them. The per-patient
visit statistics of continuity are computed from one DuckDB scan with NumPy
(:mod:`.visit_stats`), which at national scale is several times faster than the SQL window, in
a background thread while the other indicators run (continuity plans run last);
``sql_only=True`` keeps them in SQL. The contact cube's join runs as written (``AS_WRITTEN``):
DuckDB's optimiser misjudges its filtered contacts and would build its hash table on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext

import duckdb
import pyarrow as pa

from naravard.indicators.data import RegisterData
from naravard.indicators.engines.base import Done, Progress
from naravard.indicators.engines.sql import DUCKDB, CellQueries, Dialect, age_sql, last_uses
from naravard.indicators.engines.visit_stats import compact, stats_schema, visit_stats
from naravard.indicators.plan import CELL_SCHEMA, Plan

__all__ = ["DuckDBEngine", "age_sql"]


#: Pieces whose join DuckDB runs as written: the large table on the left probes a hash table
#: built on the smaller one on the right. The contact cube's contacts, filtered by equalities
#: on three columns, are estimated far fewer than they are (about 19 million doctor visits a
#: year), so the optimiser builds its hash table on them instead of on the person-years (10.7
#: million a year). As written, a national year's cube takes 1.7 s and 1.0 GiB instead of
#: 3.0–3.4 s and 3.1 GiB, five years' 9.6 s and 4.1 GiB instead of 17.8 s and 14.0 GiB, with
#: the same rows. The other pieces' joins are as quick or quicker when the optimiser orders
#: them (measured piece by piece), so only these are pinned.
AS_WRITTEN = frozenset({"contact_cube"})
#: The optimisers that reorder joins and choose their build sides.
_JOIN_ORDER = ("join_order", "build_side_probe_side")


class _DuckRun:
    """Executes the builder's statements on one DuckDB connection."""

    dialect: Dialect = DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables: set[str] = set()

    def materialise(self, name: str, sql: str) -> None:
        """Store ``sql`` as temporary table ``name`` (planned as :func:`planned` says)."""
        with planned(self.con, name):
            self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        self.tables.add(name)

    def release(self, name: str) -> None:
        """Free piece ``name`` (no later query reads it)."""
        if name in self.tables:
            self.con.execute(f"DROP TABLE {name}")
            self.tables.discard(name)


def planned(con: duckdb.DuckDBPyConnection, piece: str) -> AbstractContextManager[None]:
    """How the statement making ``piece`` is planned: joins as written for ``AS_WRITTEN``,
    by the optimiser otherwise."""
    return _joins_as_written(con) if piece in AS_WRITTEN else nullcontext()


@contextmanager
def _joins_as_written(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the statements inside with the join-ordering optimisers off (those this DuckDB
    has), then restore the connection's setting."""
    was = str(con.sql("SELECT current_setting('disabled_optimizers')").fetchall()[0][0] or "")
    known = {str(r[0]) for r in con.sql("SELECT name FROM duckdb_optimizers()").fetchall()}
    off = [*filter(None, was.split(",")), *(o for o in _JOIN_ORDER if o in known)]
    con.execute(f"SET disabled_optimizers = {DUCKDB.lit(','.join(off))}")
    try:
        yield
    finally:
        con.execute(f"SET disabled_optimizers = {DUCKDB.lit(was)}")


class _DuckQueries(CellQueries):
    """The shared SQL, with visit statistics computed by NumPy from one scan.

    :meth:`start` computes the visit statistics in a background thread on a connection of its
    own, so their single-threaded NumPy sorts overlap with the SQL of the other indicators.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, data: RegisterData,
                 plans: Sequence[Plan], years: Sequence[int],
                 connect: Callable[[], duckdb.DuckDBPyConnection]) -> None:
        self.duck_run = _DuckRun(con)
        super().__init__(self.duck_run, data, plans, years)
        self.con = con
        self.connect = connect
        self._pending: Future[pa.Table] | None = None

    def _compute_visit_stats(self) -> pa.Table:
        con = self.connect()
        try:
            parts = []
            minimums = self.scope_minimums()
            for year in self.years:  # years never interact; one at a time bounds the memory
                sql = self.visits_sql([year], day="CAST(dayofyear(contact_date) AS SMALLINT)",
                                      with_year=False)
                stats = visit_stats(con.sql(sql).to_arrow_table(), len(self.scopes), year)
                parts.append(compact(stats, minimums))
        finally:
            con.close()
        return (pa.concat_tables(parts, promote_options="permissive") if parts
                else stats_schema(len(self.scopes)).empty_table())

    def start(self, pool: ThreadPoolExecutor) -> None:
        """Begin the visit statistics in ``pool`` if any continuity plan needs them."""
        if self.scopes and self._pending is None:
            self._pending = pool.submit(self._compute_visit_stats)

    def visit_stats(self) -> str:
        """Visit statistics per patient-year and scope (see :func:`.visit_stats.visit_stats`)."""
        name = "visit_stats"
        if name not in self._made:
            stats = (self._pending.result() if self._pending is not None
                     else self._compute_visit_stats())
            self._pending = None
            self.con.register(name, stats)  # scanned in place by the continuity cube
            self._made.add(name)
        return name

    def release(self, name: str) -> None:
        """Free piece ``name``: a temporary table, or the registered visit statistics."""
        if name == "visit_stats" and name in self._made:
            self.con.unregister(name)
        else:
            self.duck_run.release(name)


class DuckDBEngine:
    """Embedded DuckDB engine (the default)."""

    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None,
                 sql_only: bool = False) -> None:
        self.threads = threads
        self.memory_limit = memory_limit
        self.sql_only = sql_only

    def _connect(self, data: RegisterData) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        if self.threads is not None:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit is not None:
            con.execute(f"SET memory_limit = {DUCKDB.lit(self.memory_limit)}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        data.attach(con)
        return con

    def cells(self, data: RegisterData, plans: Sequence[Plan], years: Sequence[int],
              progress: Progress | None = None, done: Done | None = None) -> pa.Table:
        """Cells for ``plans`` in ``years``."""
        parts: dict[int, pa.Table] = {}
        con = self._connect(data)
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                if self.sql_only:
                    run = _DuckRun(con)
                    queries = CellQueries(run, data, plans, years)
                    release = run.release
                else:
                    duck = _DuckQueries(con, data, plans, years, lambda: self._connect(data))
                    duck.start(pool)
                    queries, release = duck, duck.release
                # continuity last: its visit statistics are computed meanwhile
                order = sorted(range(len(plans)), key=lambda i: plans[i].kind == "continuity")
                last = last_uses(data, plans, years, order)
                for pos, i in enumerate(order):
                    plan = plans[i]
                    parts[i] = con.sql(queries.sql(plan)).to_arrow_table().cast(CELL_SCHEMA)
                    for name in sorted(n for n, at in last.items() if at == pos):
                        release(name)  # no later plan reads it: its memory can go
                    if done is not None:
                        done(plan, parts[i])
                    if progress is not None:
                        progress(f"{plan.id}/{plan.variant}")
        finally:
            con.close()
        if not parts:
            return CELL_SCHEMA.empty_table()
        return pa.concat_tables([parts[i] for i in sorted(parts)])
