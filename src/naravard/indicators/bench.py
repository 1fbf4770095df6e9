"""Indicator benchmarks, each with a baseline measured in the same run on the same data.

``naravard bench`` (small synthetic data, :func:`benchmarks`):

- DuckDB engine against the pure-Python reference engine (cells of every definition);
- the whole DuckDB suite against one DuckDB pass that reads every input column once.

``naravard bench --full`` / ``benchmarks/indicators_bench.py`` (national scale,
:func:`full_benchmark`): the whole suite as ``naravard indicators compute`` runs it (validation,
engine, finalisation, disclosure control) on one year, with wall time, peak memory (the maximum
resident set size of a fresh process, which counts DuckDB's and NumPy's memory) and rows per
second; the ratio to one DuckDB pass over every input column; and, on a 10 % sample of persons,
the DuckDB engine against a straightforward pandas implementation of the readmission and
continuity indicators (:mod:`naravard.indicators.bench_pandas`), whose cells must agree.
Every measurement runs in its own process, the two sides of each ratio taking turns run by run
so that they see the same load; medians of ``repeats`` runs are reported.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from naravard.bench import Result, Timing, machine, measure
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import Request, compute, compute_cells, required_tables
from naravard.indicators.data import RegisterData, write_table
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.engines.base import data_end
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.engines.reference import ReferenceEngine
from naravard.indicators.finalise import tidy_cells
from naravard.indicators.loader import check
from naravard.indicators.plan import CELL_KEY, CELL_SUMS, make_plans
from naravard.indicators.schema import TABLES, TABLES_BY_NAME
from naravard.indicators.synth.generate import synthesise

SAMPLE_TABLES = ("persons", "inpatient_episodes", "outpatient_contacts", "listings")
"""Tables the readmission and continuity comparison reads."""
TARGET_SECONDS = 60.0
TARGET_BYTES = 8 * 1024**3
TARGET_RATIO = 3.0


def single_pass(data: RegisterData) -> Callable[[], object]:
    """One DuckDB query per table that reads every value of every column once (hashing it, so
    nothing is answered from Parquet statistics): the lower bound of any suite."""

    def run() -> object:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        data.attach(con)
        out = []
        for spec in TABLES:
            if data.has(spec.name):
                cols = ", ".join(f'sum(hash("{c}"))' for c in spec.column_names)
                out.append(con.execute(f"SELECT {cols} FROM {spec.name}").fetchall())  # noqa: S608
        con.close()
        return out

    return run


def engine_results(data: RegisterData, year: int, repeats: int) -> list[Result]:
    """Both quick comparisons on ``data`` for ``year``."""
    defs = shipped_catalogue().definitions
    duck = measure(lambda: compute_cells(data, [year], defs, DuckDBEngine()), repeats)
    ref = measure(lambda: compute_cells(data, [year], defs, ReferenceEngine()), repeats)
    one = measure(single_pass(data), repeats)
    return [
        Result("indicator cells, every definition", "DuckDB engine", "reference engine",
               duck, ref),
        Result("indicator suite vs. reading the data", "DuckDB engine (all indicators)",
               "one DuckDB pass over every column", duck, one),
    ]


def benchmarks(quick: bool) -> list[Result]:
    """Entry point for ``naravard bench``: small synthetic data, one year."""
    scale = 0.0005 if quick else 0.002
    repeats = 3 if quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        synthesise(scale, [2023], 1, Path(tmp) / "registers")
        data = RegisterData.from_directory(Path(tmp) / "registers")
        return engine_results(data, 2023, repeats)


# --- national scale ----------------------------------------------------------------------------

def _suite(root: str, year: int) -> dict[str, float]:
    """What ``naravard indicators compute`` does, timed by phase: validation, the engine (until
    its last plan), and what finishing the results still takes after that (most of it overlaps
    with the engine)."""
    data = RegisterData.from_directory(root)
    cat = shipped_catalogue()
    t0 = time.perf_counter()
    check(data, required_tables(cat.definitions, cat))
    t1 = time.perf_counter()
    engine_done = [t1]

    def progress(label: str) -> None:
        if not label.endswith(": results"):
            engine_done[0] = time.perf_counter()

    out = compute(data, [year], cat.definitions, catalogue=cat, validate=False,
                  disclosure=shipped_rule(), progress=progress)
    t3 = time.perf_counter()
    return {"total": t3 - t0, "validation": t1 - t0, "engine": engine_done[0] - t1,
            "results": t3 - engine_done[0], "rows": float(out.num_rows)}


def _single_pass(root: str) -> dict[str, float]:
    start = time.perf_counter()
    single_pass(RegisterData.from_directory(root))()
    return {"total": time.perf_counter() - start}


def _sample_plans(year: int) -> list[Any]:
    cat = shipped_catalogue()
    defs = [cat.definition("readmission_30d_65plus"), cat.definition("continuity_primary_care")]
    return make_plans(cat, Request(tuple(defs), (year,)).sources(cat))


def _engine_sample(root: str, year: int) -> tuple[dict[str, float], pa.Table]:
    start = time.perf_counter()
    data = RegisterData.from_directory(root)
    cells = tidy_cells(DuckDBEngine().cells(data, _sample_plans(year), [year]))
    return {"total": time.perf_counter() - start}, cells


def _pandas_sample(root: str, year: int, end: dt.date) -> tuple[dict[str, float], pa.Table]:
    from naravard.indicators.bench_pandas import pandas_cells

    start = time.perf_counter()
    cells = tidy_cells(pandas_cells(Path(root), year, _sample_plans(year), end))
    return {"total": time.perf_counter() - start}, cells


TASKS: dict[str, Callable[..., Any]] = {
    "suite": _suite, "pass": _single_pass, "engine": _engine_sample, "pandas": _pandas_sample}


def _child(task: str, args: tuple[Any, ...], queue: Any) -> None:
    out = TASKS[task](*args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    queue.put((out, peak))


def in_child(task: str, *args: Any) -> tuple[Any, int]:
    """Run ``task`` in a fresh process; its result and its peak resident memory in bytes."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(task, args, queue))
    process.start()
    while True:
        try:
            out, peak = queue.get(timeout=1.0)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"benchmark task {task} failed (exit code "
                                   f"{process.exitcode})") from None
    process.join()
    return out, int(peak)


@dataclass(frozen=True)
class Runs:
    """Repeated measurements of one subject: phase seconds per run and peak memory per run."""

    name: str
    seconds: tuple[dict[str, float], ...]
    peaks: tuple[int, ...]

    def median(self, phase: str = "total") -> float:
        """Median seconds of ``phase``."""
        return statistics.median(r[phase] for r in self.seconds)

    def timing(self) -> Timing:
        """Total seconds of every run."""
        return Timing(tuple(r["total"] for r in self.seconds))

    @property
    def peak(self) -> int:
        """Largest peak resident memory of the runs, bytes."""
        return max(self.peaks)


def _take_turns(repeats: int, subjects: Sequence[tuple[str, str, tuple[Any, ...]]]
                ) -> list[tuple[Runs, Any]]:
    """Run each (name, task, args) ``repeats`` times, taking turns (a, b, a, b, …), so that
    both sides of a ratio see the same load on a shared machine; each subject's runs and the
    extra result of its last run."""
    seconds: list[list[dict[str, float]]] = [[] for _ in subjects]
    peaks: list[list[int]] = [[] for _ in subjects]
    last: list[Any] = [None] * len(subjects)
    for _ in range(repeats):
        for i, (_name, task, args) in enumerate(subjects):
            out, peak = in_child(task, *args)
            if isinstance(out, tuple):
                out, last[i] = out
            seconds[i].append(out)
            peaks[i].append(peak)
    return [(Runs(name, tuple(seconds[i]), tuple(peaks[i])), last[i])
            for i, (name, _task, _args) in enumerate(subjects)]


def input_rows(root: Path, year: int) -> dict[str, int]:
    """Rows per table read for ``year`` (from the Parquet footers)."""
    rows: dict[str, int] = {}
    for name, spec in TABLES_BY_NAME.items():
        folder = root / name / (f"year={year}" if spec.partitioned_by_year else "")
        files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        if files:
            rows[name] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return rows


def write_sample(root: Path, out: Path, modulus: int = 10) -> int:
    """Persons whose id is divisible by ``modulus`` (and their rows) as a register directory."""
    data = RegisterData.from_directory(root)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    data.attach(con)
    total = 0
    for name in SAMPLE_TABLES:
        table = con.sql(f"SELECT * FROM {name} WHERE person_id % {int(modulus)} = 0"  # noqa: S608
                        ).to_arrow_table()
        write_table(out, name, table.select(TABLES_BY_NAME[name].arrow_schema().names)
                    .cast(TABLES_BY_NAME[name].arrow_schema()))
        total += table.num_rows
    con.close()
    return total


def _same_cells(a: pa.Table, b: pa.Table) -> bool:
    ra, rb = a.to_pylist(), b.to_pylist()
    if [tuple(r[k] for k in CELL_KEY) for r in ra] != [tuple(r[k] for k in CELL_KEY) for r in rb]:
        return False
    return all(math.isclose(x[name], y[name], rel_tol=1e-9, abs_tol=1e-9)
               for x, y in zip(ra, rb, strict=True) for name in CELL_SUMS)


@dataclass(frozen=True)
class FullReport:
    """Everything :func:`full_benchmark` measured."""

    root: Path
    year: int
    rows: dict[str, int]
    data_bytes: int
    suite: Runs
    single: Runs
    engine: Runs
    pandas: Runs
    sample_rows: int
    cells_agree: bool

    def results(self) -> list[Result]:
        """The two comparisons in ``naravard bench``'s table form."""
        return [
            Result(f"indicator suite, national year {self.year}",
                   "compute: validation + engine + results", "one DuckDB pass over every column",
                   self.suite.timing(), self.single.timing()),
            Result("readmission + continuity, 10 % sample", "DuckDB engine",
                   "pandas (straightforward)", self.engine.timing(), self.pandas.timing()),
        ]

    def lines(self) -> list[str]:
        """The report as text lines."""
        total = sum(self.rows.values())
        s, p = self.suite, self.single
        ok = {True: "met", False: "missed"}
        suite_s, engine_s = s.median(), s.median("engine") + s.median("results")
        runs = ", ".join(f"{r['total']:.1f}" for r in s.seconds)
        return [
            f"machine: {machine()}",
            f"data: {self.root} ({self.data_bytes / 1e6:.0f} MB on disk), year {self.year}: "
            f"{total:,} input rows ("
            + ", ".join(f"{k} {v:,}" for k, v in self.rows.items()) + ")",
            f"suite (naravard indicators compute, all {int(s.seconds[0]['rows']):,} result "
            f"rows): median {suite_s:.1f} s over {len(s.seconds)} runs "
            f"({runs}); "
            f"validation {s.median('validation'):.1f} s, engine {s.median('engine'):.1f} s, "
            f"results and disclosure control after the engine {s.median('results'):.1f} s",
            f"  peak memory {s.peak / 1024**3:.2f} GiB; {total / suite_s / 1e6:.2f} M input "
            f"rows/s (engine and results alone: {total / engine_s / 1e6:.2f} M rows/s)",
            f"single DuckDB pass over every input column: median {p.median():.1f} s, peak "
            f"memory {p.peak / 1024**3:.2f} GiB",
            f"  ratio suite / single pass: {suite_s / p.median():.2f} "
            f"(without validation: {engine_s / p.median():.2f})",
            f"10 % sample ({self.sample_rows:,} rows): DuckDB engine median "
            f"{self.engine.median():.2f} s (peak {self.engine.peak / 1024**3:.2f} GiB), pandas "
            f"median {self.pandas.median():.2f} s (peak {self.pandas.peak / 1024**3:.2f} GiB); "
            f"pandas / engine = {self.pandas.median() / self.engine.median():.1f}; "
            f"cells {'identical' if self.cells_agree else 'DIFFER'}",
            f"targets: ≤ {TARGET_SECONDS:.0f} s {ok[suite_s <= TARGET_SECONDS]}, "
            f"≤ {TARGET_BYTES / 1024**3:.0f} GiB {ok[s.peak <= TARGET_BYTES]}, "
            f"≤ {TARGET_RATIO:.0f}× single pass {ok[suite_s <= TARGET_RATIO * p.median()]}",
        ]


def full_benchmark(root: Path | None, year: int = 2023, repeats: int = 3, scale: float = 1.0,
                   seed: int = 1, progress: Callable[[str], None] | None = None) -> FullReport:
    """Measure the suite on ``root`` (or on synthetic data of ``scale`` made for the run)."""
    say = progress or (lambda _: None)
    with tempfile.TemporaryDirectory(prefix="naravard-bench-") as tmp:
        if root is None:
            say(f"generating synthetic registers, scale {scale}, {year}")
            root = Path(tmp) / "registers"
            synthesise(scale, [year], seed, root)
        data_bytes = sum(f.stat().st_size for f in root.rglob("*.parquet"))
        say("single pass and suite, in turns")
        (single, _), (suite, _) = _take_turns(repeats, [
            ("single pass", "pass", (str(root),)), ("suite", "suite", (str(root), year))])
        say("10 % sample")
        sample = Path(tmp) / "sample"
        sample_rows = write_sample(root, sample)
        end = data_end(RegisterData.from_directory(root))
        say("engine and pandas on the sample, in turns")
        (engine, engine_cells), (pandas, pandas_cells) = _take_turns(repeats, [
            ("engine", "engine", (str(sample), year)),
            ("pandas", "pandas", (str(sample), year, end))])
        return FullReport(root, year, input_rows(root, year), data_bytes, suite, single, engine,
                          pandas, sample_rows, _same_cells(engine_cells, pandas_cells))
