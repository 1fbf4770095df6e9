"""The command line: help everywhere, reference tables, users, demo."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from naravard import __version__
from naravard.cli.main import COMMANDS, app
from naravard.formatting import THIN

runner = CliRunner()


def _loaded_by(args: list[str], modules: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(output lines, those of ``modules`` loaded) of ``naravard ARGS`` in a fresh process."""
    code = (f"import json, sys; from naravard.cli.main import app; "
            f"sys.argv = {['naravard', *args]!r}\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    *lines, loaded = done.stdout.splitlines()
    return lines, json.loads(loaded)


def test_every_command_is_found_and_version_needs_no_heavy_import() -> None:
    root = typer.main.get_command(app)
    assert [root.get_command(None, n).name for n in COMMANDS] == list(COMMANDS)
    lines, loaded = _loaded_by(["--version"], ("pyarrow", "sqlalchemy", "duckdb", "weasyprint"))
    assert (lines, loaded) == ([f"naravard {__version__}"], [])


def test_indicator_listing_loads_no_engine() -> None:
    lines, loaded = _loaded_by(["indicators", "list"], (
        "duckdb", "pyarrow.dataset", "sqlalchemy", "naravard.indicators.compute"))
    assert any("avoidable_inpatient_chronic" in line for line in lines)
    assert loaded == []


def all_commands() -> Iterator[list[str]]:
    def walk(cmd: Any, path: list[str]) -> Iterator[list[str]]:
        yield path
        if hasattr(cmd, "list_commands"):  # a group; the root loads its commands lazily
            for name in cmd.list_commands(None):
                yield from walk(cmd.get_command(None, name), [*path, name])

    yield from walk(typer.main.get_command(app), [])


@pytest.mark.parametrize("path", list(all_commands()), ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.output.strip() == f"naravard {__version__}"


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARAVARD_DATABASE_URL", db_url)
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


@pytest.mark.parametrize(("date", "national"), [("2020-12-31", 10_379_295),
                                                ("2023-12-31", 10_551_707)])
def test_population_csv_sums_to_national(env: Path, date: str, national: int) -> None:
    result = runner.invoke(app, ["reference", "show", "population", "--date", date,
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 21
    assert sum(int(r["total"]) for r in rows) == national
    assert abs(sum(float(r["share_percent"]) for r in rows) - 100) < 0.01


def test_population_table_and_closest_date(env: Path) -> None:
    result = runner.invoke(app, ["reference", "show", "population", "--date", "2019-11-01"])
    assert result.exit_code == 0
    assert "closest date, 2020-12-31" in result.output
    assert f"equals Riket 10{THIN}379{THIN}295" in result.output


def test_reference_json_and_rss(env: Path) -> None:
    result = runner.invoke(app, ["reference", "show", "rss", "--format", "json"])
    data = json.loads(result.stdout)
    halland = next(r for r in data if r["code"] == "RSS13")
    assert halland["municipalities"] == 6
    result = runner.invoke(app, ["reference", "show", "municipalities", "--region", "13",
                                 "--format", "csv"])
    assert [r["code"] for r in csv.DictReader(io.StringIO(result.stdout))] == [
        "1315", "1380", "1381", "1382", "1383", "1384"]


def test_load_population_file(env: Path, tmp_path: Path) -> None:
    good = tmp_path / "nov.csv"
    good.write_text("code,name,level,total,men,women\n00,Riket,riket,10,,\n", encoding="utf-8")
    args = ["reference", "load-population", str(good), "--date", "2019-11-01", "--source", "SCB"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "1 population rows loaded" in result.output
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "already loaded" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,total,men,women\n00,Riket,riket,x,,\n", encoding="utf-8")
    result = runner.invoke(app, ["reference", "load-population", str(bad), "--date",
                                 "2018-11-01", "--source", "SCB"])
    assert result.exit_code == 1 and "row 2: column total" in result.output


def test_user_commands(env: Path) -> None:
    result = runner.invoke(app, ["user", "add", "Eva", "--role", "respondent", "--org", "RSS20"])
    assert result.exit_code == 0 and "Password (shown once):" in result.output
    result = runner.invoke(app, ["user", "add", "eva", "--role", "analyst"])
    assert result.exit_code == 1 and "already exists" in result.output
    assert runner.invoke(app, ["user", "disable", "eva"]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(
        runner.invoke(app, ["user", "list", "--format", "csv"]).stdout)))
    eva = next(r for r in rows if r["username"] == "eva")
    assert (eva["organisation"], eva["active"]) == ("RSS20", "no")
    result = runner.invoke(app, ["user", "set-password", "eva", "--password", "short"])
    assert result.exit_code == 1 and "at least 12" in result.output
    result = runner.invoke(app, ["user", "set-email", "eva", "eva@rss.example.se"])
    assert result.exit_code == 0 and "E-mail address of eva set." in result.output
    rows = list(csv.DictReader(io.StringIO(
        runner.invoke(app, ["user", "list", "--format", "csv"]).stdout)))
    assert next(r for r in rows if r["username"] == "eva")["email"] == "eva@rss.example.se"
    result = runner.invoke(app, ["user", "set-email", "eva", "eva at rss"])
    assert result.exit_code == 1 and "Give an e-mail address such as" in result.output
    assert runner.invoke(app, ["user", "set-email", "eva", ""]).exit_code == 0


def test_demo_is_idempotent(env: Path) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "kungsbacka" in first.output
    second = runner.invoke(app, ["demo", "--show-logins"])
    assert "none added" in second.output
    logins = (env / "demo-logins.txt").read_text(encoding="utf-8").splitlines()
    # The base state already has a user called admin, so the demo adds the other six.
    assert [line.split()[0] for line in logins] == [
        "analytiker", "handlaggare", "halland", "rss-halland", "dalarna", "kungsbacka"]
    rows = list(csv.DictReader(io.StringIO(
        runner.invoke(app, ["user", "list", "--format", "csv"]).stdout)))
    emails = {r["username"]: r["email"] for r in rows}
    assert (emails["halland"], emails["dalarna"]) == ("helena.ek@regionhalland.example", "")
    assert (env / "demo-logins.txt").stat().st_mode & 0o077 == 0
