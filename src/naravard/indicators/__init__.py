"""Indicators from register data: data model, definitions as data, engines, disclosure control.

The public API:

- data: :class:`RegisterData`, :func:`validate`, :func:`check`, :class:`ValidationError`;
- definitions: :func:`shipped_catalogue` (definitions and code lists);
- computing: :func:`compute` (validated, finalised results), :class:`DuckDBEngine`,
  :class:`SparkEngine` (needs PySpark), :class:`ReferenceEngine`;
- publication: :func:`shipped_rule`, :func:`disclose`, :func:`write_results`;
- synthetic data: :func:`synthesise`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from naravard.indicators.catalogue import shipped_catalogue
    from naravard.indicators.compute import compute
    from naravard.indicators.data import RegisterData
    from naravard.indicators.disclosure import disclose, shipped_rule
    from naravard.indicators.engines.duckdb_engine import DuckDBEngine
    from naravard.indicators.engines.reference import ReferenceEngine
    from naravard.indicators.engines.spark_engine import SparkEngine
    from naravard.indicators.loader import ValidationError, check, validate
    from naravard.indicators.output import write_results
    from naravard.indicators.synth.generate import synthesise

_HOMES = {
    "shipped_catalogue": "catalogue", "compute": "compute", "RegisterData": "data",
    "disclose": "disclosure", "shipped_rule": "disclosure",
    "DuckDBEngine": "engines.duckdb_engine", "ReferenceEngine": "engines.reference",
    "SparkEngine": "engines.spark_engine", "ValidationError": "loader", "check": "loader",
    "validate": "loader", "write_results": "output", "synthesise": "synth.generate",
}
"""Where each public name lives; loaded on first use, so importing one module of the package
(say, the catalogue for a web page) does not load the engines and their libraries."""


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"naravard.indicators.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'naravard.indicators' has no attribute {name!r}")


__all__ = [
    "DuckDBEngine",
    "ReferenceEngine",
    "RegisterData",
    "SparkEngine",
    "ValidationError",
    "check",
    "compute",
    "disclose",
    "shipped_catalogue",
    "shipped_rule",
    "synthesise",
    "validate",
    "write_results",
]
