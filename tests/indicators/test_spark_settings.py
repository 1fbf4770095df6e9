"""Spark settings from the environment: parsing and the error a user sees (no JVM started)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.indicators.data import write_table
from naravard.indicators.engines.spark_engine import (
    CONF_ENV,
    SparkUnavailable,
    build_session,
    parse_conf,
)

from .helpers import cost, data


def test_parse_conf() -> None:
    assert parse_conf("") == {}
    assert parse_conf(" spark.executor.memory=4g ; spark.sql.shuffle.partitions=200;") == {
        "spark.executor.memory": "4g", "spark.sql.shuffle.partitions": "200"}
    assert parse_conf("a=b=c") == {"a": "b=c"}
    with pytest.raises(ValueError, match="expected key=value, got 'broken'"):
        parse_conf("a=1;broken")
    with pytest.raises(ValueError, match="got '=1'"):
        parse_conf("=1")


def test_bad_environment_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CONF_ENV, "spark.executor.memory")
    with pytest.raises(SparkUnavailable, match=CONF_ENV):
        build_session("local[1]")
    register = data(costs=[cost("01", "primary_care", 100)])
    write_table(tmp_path / "reg", "costs", register.arrow("costs"))
    result = CliRunner().invoke(app, [
        "indicators", "compute", "--data", str(tmp_path / "reg"), "--years", "2023",
        "-i", "primary_care_cost_share", "--engine", "spark", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 1
    assert "NARAVARD_SPARK_CONF: expected key=value, got 'spark.executor.memory'" in (
        result.output + (result.stderr if result.stderr_bytes else ""))
