"""The DuckDB engine's NumPy visit statistics and its all-SQL path give the same cells."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute_cells
from naravard.indicators.data import RegisterData
from naravard.indicators.engines.duckdb_engine import DuckDBEngine

from .strategies import YEARS, register_data
from .test_engines import _with_alternatives


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(register_data())
def test_numpy_and_sql_paths_agree(data: RegisterData) -> None:
    defs = [_with_alternatives(d) for d in shipped_catalogue().definitions
            if d.kind == "continuity"]
    fast = compute_cells(data, YEARS, defs, DuckDBEngine(threads=1)).to_pylist()
    sql = compute_cells(data, YEARS, defs, DuckDBEngine(threads=1, sql_only=True)).to_pylist()
    assert len(fast) == len(sql)
    for a, b in zip(fast, sql, strict=True):
        assert {k: v for k, v in a.items() if k not in ("numerator", "denominator")} == {
            k: v for k, v in b.items() if k not in ("numerator", "denominator")}
        assert math.isclose(a["numerator"], b["numerator"], rel_tol=1e-12, abs_tol=1e-12)
        assert a["denominator"] == b["denominator"]
