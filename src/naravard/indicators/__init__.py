"""Indicators from register data: data model, definitions as data, engines, disclosure control.

The public API:

- data: :class:`RegisterData`, :func:`validate`, :func:`check`, :class:`ValidationError`;
- definitions: :func:`shipped_catalogue` (definitions and code lists);
- computing: :func:`compute` (validated, finalised results), :class:`DuckDBEngine`,
  :class:`SparkEngine` (needs PySpark), :class:`ReferenceEngine`;
- publication: :func:`shipped_rule`, :func:`disclose`, :func:`write_results`;
- synthetic data: :func:`synthesise`.
"""

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
