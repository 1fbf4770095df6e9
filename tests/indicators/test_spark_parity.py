"""DuckDB and PySpark give the same cells and results on a small synthetic data set.

PySpark (with Java 17+) is a test dependency: without it this test fails, it does not skip.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import Request, results
from naravard.indicators.data import RegisterData
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.finalise import tidy_cells
from naravard.indicators.plan import CELL_KEY, make_plans
from naravard.indicators.synth.generate import synthesise

YEARS = (2022, 2023)
FLOAT_NUMERATORS = {"continuity_primary_care", "continuity_primary_care_other"}
"""Indicators whose numerators are sums of fractions (the order of summation differs)."""


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    try:
        import pyspark  # noqa: F401

        from naravard.indicators.engines.spark_engine import build_session
    except ImportError as exc:
        pytest.fail(f"the Spark parity test needs PySpark (pip install pyspark, Java 17+): {exc}")
    session = build_session("local[1]", {
        "spark.sql.shuffle.partitions": "1", "spark.default.parallelism": "1",
        "spark.sql.codegen.wholeStage": "false"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> RegisterData:
    root: Path = tmp_path_factory.mktemp("parity") / "registers"
    synthesise(0.0005, list(YEARS), 7, root)
    return RegisterData.from_directory(root)


def _same(a: float | None, b: float | None, exact: bool) -> bool:
    if a is None or b is None or exact:
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _other_settings() -> list[Definition]:
    """Shipped definitions with settings other than the shipped ones, as indicators of their
    own (first variant only): the mean population, telephone as a visit, continuity beyond
    primary care."""
    changes = {"avoidable_inpatient_chronic": {"population_basis": "mean"},
               "ed_visits_80plus": {"population_basis": "mean"},
               "distance_share_doctor_visits": {"visit_modes": ["physical", "phone"]},
               "continuity_primary_care": {"care_levels": ["primary", "specialist"]}}
    out = []
    for indicator, values in changes.items():
        d = shipped_catalogue().definition(indicator)
        settings = {k: dataclasses.replace(v, value=values.get(k, v.value))
                    for k, v in d.settings.items()}
        out.append(dataclasses.replace(d, id=f"{indicator}_other", settings=settings,
                                       variants=d.variants[:1]))
    return out


def test_duckdb_and_spark_agree(spark: Any, data: RegisterData) -> None:
    from naravard.indicators.engines.spark_engine import SparkEngine

    cat = shipped_catalogue()
    request = Request(cat.definitions, YEARS)
    plans = make_plans(cat, [*request.sources(cat), *_other_settings()])
    years = request.engine_years(cat)
    duck = tidy_cells(DuckDBEngine(threads=1).cells(data, plans, years))
    sprk = tidy_cells(SparkEngine(session=spark).cells(data, plans, years))

    d_rows, s_rows = duck.to_pylist(), sprk.to_pylist()
    assert [tuple(r[k] for k in CELL_KEY) for r in d_rows] == [
        tuple(r[k] for k in CELL_KEY) for r in s_rows]
    assert {(r["indicator"], r["variant"]) for r in d_rows} == {(p.id, p.variant) for p in plans}
    for a, b in zip(d_rows, s_rows, strict=True):
        assert a["denominator"] == b["denominator"], (a, b)
        assert _same(a["numerator"], b["numerator"],
                     a["indicator"] not in FLOAT_NUMERATORS), (a, b)
        assert _same(a["numerator_sq"], b["numerator_sq"],
                     a["indicator"] not in FLOAT_NUMERATORS), (a, b)
        # each person's squared denominator and numerator × denominator (readmissions)
        assert a["denominator_sq"] == b["denominator_sq"], (a, b)
        assert a["numerator_denominator"] == b["numerator_denominator"], (a, b)

    rule = shipped_rule()
    d_res = results(data, request, duck, catalogue=cat, disclosure=rule).to_pylist()
    s_res = results(data, request, sprk, catalogue=cat, disclosure=rule).to_pylist()
    assert len(d_res) == len(s_res) > 0
    statuses = set()
    for a, b in zip(d_res, s_res, strict=True):
        exact = a["indicator"] not in FLOAT_NUMERATORS
        keys = ("indicator", "variant", "period", "area_level", "area_code", "sex", "status")
        assert {k: a[k] for k in keys} == {k: b[k] for k in keys}
        assert a["denominator"] == b["denominator"], (a, b)
        assert _same(a["numerator"], b["numerator"], exact), (a, b)
        assert _same(a["value"], b["value"], exact), (a, b)
        statuses.add(a["status"])
    assert {"ok", "suppressed"} <= statuses
