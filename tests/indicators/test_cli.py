"""The ``naravard indicators`` and ``naravard synth`` commands, end to end on tiny data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.indicators.data import table_from_rows, write_table
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.output import parse_years

from .helpers import D, person

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "registers"
    result = runner.invoke(app, ["synth", "--scale", "0.0005", "--years", "2022-2023",
                                 "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "outpatient_contacts" in result.output
    return out


def test_list_and_show() -> None:
    result = runner.invoke(app, ["indicators", "list", "--lang", "sv"])
    assert result.exit_code == 0
    assert "readmission_30d_65plus" in result.output and "Oplanerade" in result.output
    rows = {line.split("│")[1].strip(): line.split("│")[5].strip()
            for line in result.output.splitlines() if line.count("│") == 7}
    assert rows["readmission_30d_65plus"] == "lower" and rows["named_doctor_listed"] == "higher"
    assert rows["distance_share_doctor_visits"] == "none"
    result = runner.invoke(app, ["indicators", "show", "readmission_30d_65plus"])
    assert result.exit_code == 0 and "window_first_day" in result.output
    result = runner.invoke(app, ["indicators", "show", "nope"])
    assert result.exit_code == 1 and "unknown indicator 'nope'" in result.output


def test_validate_reports_problems(tmp_path: Path, tiny: Path) -> None:
    result = runner.invoke(app, ["indicators", "validate", "--data", str(tiny)])
    assert result.exit_code == 0 and "no problems found" in result.output
    write_table(tmp_path, "persons", table_from_rows("persons", [person(1, "X", D(1950, 1, 1))]))
    result = runner.invoke(app, ["indicators", "validate", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "value not one of K, M" in result.output


def test_compute_writes_csv_with_masks_and_parquet_with_metadata(tiny: Path,
                                                                  tmp_path: Path) -> None:
    out_csv = tmp_path / "r.csv"
    result = runner.invoke(app, [
        "indicators", "compute", "--data", str(tiny), "--years", "2023",
        "-i", "readmission_30d_65plus", "-i", "primary_care_cost_share", "--out", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert "Counts under 5" in result.output
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert {r["indicator"] for r in rows} == {"readmission_30d_65plus", "primary_care_cost_share"}
    masked = [r for r in rows if r["status"] == "suppressed"]
    assert masked and all(r["value"] == ".." and r["numerator"] == ".." for r in masked)
    assert {r["note"] for r in masked} == {shipped_rule().footnote_text("sv")}
    assert {r["note"] for r in rows if r["status"] != "suppressed"} == {""}
    nation = next(r for r in rows if r["indicator"] == "primary_care_cost_share"
                  and r["area_code"] == "00")
    assert nation["status"] == "ok" and 10 < float(nation["value"]) < 30
    out_pq = tmp_path / "r.parquet"
    result = runner.invoke(app, [
        "indicators", "compute", "--data", str(tiny), "--years", "2022-2023",
        "-i", "ed_visits_80plus", "--out", str(out_pq), "--no-disclosure",
        "--engine", "reference"])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out_pq)
    meta = json.loads(table.schema.metadata[b"naravard"])
    assert meta["definitions"] == {"ed_visits_80plus": "1.4-approx-unverified"}
    assert meta["engine"] == "reference" and "disclosure" not in meta
    assert "suppressed" not in table.column("status").to_pylist()


def test_compute_refuses_bad_input(tiny: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["indicators", "compute", "--data", str(tiny), "--years",
                                 "2023-2021", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "runs backwards" in result.output
    result = runner.invoke(app, ["indicators", "compute", "--data", str(tiny), "--years",
                                 "2023", "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1 and ".parquet or .csv" in result.output
    result = runner.invoke(app, ["indicators", "compute", "--data", str(tmp_path / "none"),
                                 "--years", "2023", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "not found" in result.output
    write_table(tmp_path / "bad", "persons",
                table_from_rows("persons", [person(1, "X", D(1950, 1, 1))]))
    result = runner.invoke(app, ["indicators", "compute", "--data", str(tmp_path / "bad"),
                                 "--years", "2023", "-i", "ed_visits_80plus",
                                 "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert "population: table missing" in result.output and "persons.sex" in result.output


def test_docs_are_current() -> None:
    result = runner.invoke(app, ["indicators", "docs", "--docs", str(DOCS), "--check"])
    assert result.exit_code == 0, result.output


def test_parse_years() -> None:
    assert parse_years("2019-2023") == [2019, 2020, 2021, 2022, 2023]
    assert parse_years("2023") == [2023]
    assert parse_years("2021, 2023") == [2021, 2023]
    with pytest.raises(ValueError, match="must look like"):
        parse_years("last year")
