"""Shared helpers for indicator fixtures: compute one definition on a small area grid."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute
from naravard.indicators.data import RegisterData
from naravard.indicators.definition import Definition
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.engines.reference import ReferenceEngine
from naravard.indicators.finalise import Areas

SMALL = Areas(regions=("01", "12"), municipalities=("0114", "0180", "1280"))
Result = dict[tuple[str, str, str, str, str], dict[str, Any]]


def definition(indicator: str, **changes: Any) -> Definition:
    """A shipped definition, optionally with top-level fields or setting values replaced."""
    d = shipped_catalogue().definition(indicator)
    settings = dict(d.settings)
    for name in list(changes):
        if name in settings:
            settings[name] = dataclasses.replace(settings[name], value=changes.pop(name))
    return dataclasses.replace(d, settings=settings, **changes)


@pytest.fixture(params=["reference", "duckdb"])
def run(request: pytest.FixtureRequest) -> Any:
    """Compute with each engine; results keyed by (variant, period, level, code, sex)."""
    engine = ReferenceEngine() if request.param == "reference" else DuckDBEngine(threads=1)

    def _run(data: RegisterData, years: list[int], d: Definition) -> Result:
        table = compute(data, years, [d], engine=engine, areas=SMALL)
        return {(r["variant"], r["period"], r["area_level"], r["area_code"], r["sex"]): r
                for r in table.to_pylist()}

    return _run
