"""Indicator benchmarks, each with a baseline measured in the same run on the same data.

- DuckDB engine against the pure-Python reference engine (cells of every definition).
- The whole DuckDB suite against one DuckDB pass that reads every input column once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from naravard.bench import Result, measure
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute_cells
from naravard.indicators.data import RegisterData
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.engines.reference import ReferenceEngine
from naravard.indicators.schema import TABLES
from naravard.indicators.synth.generate import synthesise


def single_pass(data: RegisterData) -> Callable[[], object]:
    """One DuckDB query per table touching every column once (the lower bound of a suite)."""

    def run() -> object:
        con = duckdb.connect()
        data.attach(con)
        out = []
        for spec in TABLES:
            if data.has(spec.name):
                cols = ", ".join(f'count("{c}")' for c in spec.column_names)
                out.append(con.execute(f"SELECT {cols} FROM {spec.name}").fetchall())  # noqa: S608
        con.close()
        return out

    return run


def engine_results(data: RegisterData, year: int, repeats: int) -> list[Result]:
    """Both comparisons on ``data`` for ``year``."""
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
