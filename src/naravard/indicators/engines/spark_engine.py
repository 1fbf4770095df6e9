"""The PySpark engine: the shared SQL of :mod:`.sql` in Spark SQL, over the same Parquet data.

Each register table becomes a temporary view (``spark.read.parquet(DIR/table)``, year partitions
discovered from the ``year=YYYY`` directories); the shared pieces are cached views; the cell
queries of all plans run as one Spark job and are collected as Arrow. The queries are the DuckDB
engine's, spelled with :class:`naravard.indicators.engines.sql.SparkDialect`; the per-patient
visit statistics of continuity use the SQL window form (the DuckDB engine computes the same
table with NumPy).

Where Spark runs is a setting: ``master`` (``local[*]`` by default, ``spark://host:7077``,
``yarn``, ``k8s://…``) and extra Spark configuration, from the arguments or from the environment
variables ``NARAVARD_SPARK_MASTER`` and ``NARAVARD_SPARK_CONF`` (``key=value`` pairs separated by
``;``). On a cluster the register directory must be readable at the same path by the executors
(shared storage). PySpark is an optional dependency: it is imported only when the engine runs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from naravard.indicators.data import RegisterData, write_table
from naravard.indicators.engines.base import Done, Progress, report_each
from naravard.indicators.engines.spark_env import CONF_ENV, MASTER_ENV
from naravard.indicators.engines.sql import SPARK, CellQueries, Dialect
from naravard.indicators.plan import CELL_SCHEMA, Plan
from naravard.indicators.schema import table as table_spec

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
}
"""Settings for a local session (no web UI, no network beyond the loopback)."""


class SparkUnavailable(RuntimeError):
    """PySpark (or the Java it needs) is not available, or the Spark settings are unusable."""


def parse_conf(text: str) -> dict[str, str]:
    """``key=value;key=value`` as a mapping (empty parts ignored; a part without ``=`` is an
    error naming it)."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{CONF_ENV}: expected key=value, got {part!r}")
        out[key.strip()] = value.strip()
    return out


def build_session(master: str | None = None, conf: Mapping[str, str] | None = None,
                  app_name: str = "naravard-indicators") -> SparkSession:
    """A Spark session for ``master`` (default: environment, then ``local[*]``)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SparkUnavailable(
            "the Spark engine needs PySpark (pip install pyspark) and Java 17 or later"
        ) from exc
    chosen = master or os.environ.get(MASTER_ENV) or "local[*]"
    settings: dict[str, str] = dict(LOCAL_DEFAULTS) if chosen.startswith("local") else {
        "spark.sql.session.timeZone": "UTC"}
    try:
        settings.update(parse_conf(os.environ.get(CONF_ENV, "")))
    except ValueError as exc:
        raise SparkUnavailable(str(exc)) from None
    settings.update(conf or {})
    builder = SparkSession.builder.master(chosen).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java missing or the master unreachable: say so plainly
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SparkUnavailable(f"cannot start Spark (master {chosen}): {first}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


class _SparkRun:
    """Executes the builder's statements in one Spark session."""

    dialect: Dialect = SPARK

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self.views: list[str] = []

    def materialise(self, name: str, sql: str) -> None:
        """Cache ``sql`` as temporary view ``name``."""
        self.spark.sql(f"CACHE TABLE {name} AS {sql}")
        self.views.append(name)

    def drop(self) -> None:
        """Uncache and drop the views made so far (dependent ones first)."""
        for name in reversed(self.views):
            self.spark.sql(f"UNCACHE TABLE IF EXISTS {name}")
            self.spark.catalog.dropTempView(name)
        self.views.clear()


class SparkEngine:
    """Spark SQL engine (local or on a cluster)."""

    name = "spark"

    def __init__(self, master: str | None = None, conf: Mapping[str, str] | None = None,
                 session: SparkSession | None = None, keep_session: bool = False) -> None:
        self.master = master
        self.conf = dict(conf or {})
        self._session = session
        self._own = session is None
        self.keep_session = keep_session

    def session(self) -> SparkSession:
        """The Spark session (created on first use)."""
        if self._session is None:
            self._session = build_session(self.master, self.conf)
        return self._session

    def close(self) -> None:
        """Stop the session if this engine created it (done after each run unless
        ``keep_session``)."""
        if self._own and self._session is not None:
            self._session.stop()
            self._session = None

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cells(self, data: RegisterData, plans: Sequence[Plan], years: Sequence[int],
              progress: Progress | None = None, done: Done | None = None) -> pa.Table:
        """Cells for ``plans`` in ``years``."""
        spark = self.session()
        with tempfile.TemporaryDirectory(prefix="naravard-spark-") as tmp:
            root = data.root if data.root is not None else _write(data, Path(tmp))
            names = _register(spark, data, root)
            run = _SparkRun(spark)
            try:
                queries = CellQueries(run, data, plans, years)
                sql = [queries.sql(plan) for plan in plans]
                cells = CELL_SCHEMA.empty_table()
                if sql:  # one job for all plans: Spark's fixed cost per query dominates
                    arrow: Any = spark.sql(" UNION ALL ".join(f"({q})" for q in sql)).toArrow()
                    cells = pa.table(arrow).select(CELL_SCHEMA.names).cast(CELL_SCHEMA)
            finally:
                run.drop()
                for name in names:
                    spark.catalog.dropTempView(name)
        if not self.keep_session:
            self.close()
        if progress is not None:
            for plan in plans:
                progress(f"{plan.id}/{plan.variant}")
        report_each(plans, cells, done)
        return cells


def _write(data: RegisterData, root: Path) -> Path:
    """In-memory tables written as a register directory Spark can read."""
    for name in data.names():
        write_table(root, name, data.arrow(name))
    return root


def _register(spark: SparkSession, data: RegisterData, root: Path) -> list[str]:
    """One temporary view per present table, named after the table."""
    names = []
    for name in data.names():
        folder = root / name
        frame = spark.read.option("basePath", str(folder)).parquet(str(folder))
        if table_spec(name).partitioned_by_year:
            frame = frame.withColumn("year", frame["year"].cast("smallint"))
        frame.createOrReplaceTempView(name)
        names.append(name)
    return names
