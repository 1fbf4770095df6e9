"""The allocate and agreement commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.funding.display import THIN

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_allocate_by_population_picks_the_closest_date() -> None:
    code, out, err = run("allocate", "--total", "2935000000", "--population-date", "2019-11-01")
    assert code == 0
    assert "using the closest date, 2020-12-31" in err
    assert f"2{THIN}935{THIN}000{THIN}000" in out
    assert "Summa" in out


def test_allocate_csv_sums_to_total_with_plain_integers() -> None:
    code, out, _ = run("allocate", "--total", "2935000000", "--population-date", "2020-12-31",
                       "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["code", "name", "weight", "share", "amount_sek"]
    assert len(rows) == 21
    assert sum(int(r["amount_sek"]) for r in rows) == 2_935_000_000
    assert rows[0]["code"] == "01" and rows[0]["weight"] == "2391990"


def test_allocate_rss_level_json() -> None:
    code, out, err = run("allocate", "--total", "500000000", "--population-date", "2021-12-31",
                         "--level", "rss", "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["population_date"] == "2021-12-31" and doc["level"] == "rss"
    assert [r["code"] for r in doc["rows"]][:2] == ["RSS01", "RSS03"]
    assert sum(r["amount_sek"] for r in doc["rows"]) == 500_000_000
    assert isinstance(doc["rows"][0]["weight"], int)


def test_allocate_by_key_file(tmp_path: Path) -> None:
    key = tmp_path / "key.csv"
    key.write_text("code,weight\n03,1\n01,1\n04,1\n", encoding="utf-8")
    code, out, _ = run("allocate", "--total", "10", "--key", str(key), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["code"], r["name"], r["amount_sek"]) for r in rows] == [
        ("01", "Region Stockholm", "4"),
        ("03", "Region Uppsala", "3"),
        ("04", "Region Sörmland", "3"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--total", "10"], "exactly one of --population-date and --key"),
        (["--total", "10", "--population-date", "2020-12-31", "--key", "pyproject.toml"],
         "exactly one of"),
    ],
)
def test_allocate_argument_errors(args: list[str], message: str) -> None:
    code, _, err = run("allocate", *args)
    assert code == 1 and message in err


def test_allocate_key_file_errors(tmp_path: Path) -> None:
    key = tmp_path / "key.csv"
    key.write_text("code,weight\n01,0\n03,0\n", encoding="utf-8")
    code, _, err = run("allocate", "--total", "10", "--key", str(key))
    assert code == 1 and "all weights are zero" in err


def test_agreement_allocate_2020_totals() -> None:
    code, out, err = run("agreement", "allocate", "gonv-2020", "--format", "json")
    assert code == 0
    assert "population on 2019-11-01 is not shipped" in err
    doc = json.loads(out)
    assert doc["lines_total_sek"] == doc["total_sek"] == 6_250_500_000
    regions = next(s for s in doc["subtotals"] if s["label"].startswith("Stimulansmedel"))
    assert regions["lines_sek"] == regions["stated_sek"] == 5_698_500_000
    for line in doc["lines"]:
        if line["allocated"]:
            assert sum(r["amount_sek"] for r in line["rows"]) == line["amount_sek"]
    assert {li["id"] for li in doc["lines"] if not li["allocated"]} == {
        "barnhalsovard", "medarbetare-kommuner",
    }


def test_agreement_allocate_table_and_key_file(tmp_path: Path) -> None:
    counts = tmp_path / "khsv.csv"
    counts.write_text("code,weight\n" + "".join(
        f"{c},100\n" for c in ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
                               "14", "17", "18", "19", "20", "21", "22", "23", "24", "25"]
    ), encoding="utf-8")
    code, out, _ = run("agreement", "allocate", "gonv-2020", "--key-file",
                       f"khsv-2020={counts}")
    assert code == 0
    total = f"6{THIN}250{THIN}500{THIN}000"
    assert f"Lines total {total} kr: equals the stated total {total} kr." in out
    assert "care_recipients" in out
    code, _, err = run("agreement", "allocate", "gonv-2020", "--key-file", "khsv-2020")
    assert code == 1 and "KEY_ID=FILE.csv" in err


def test_agreement_list_show_unknown() -> None:
    code, out, _ = run("agreement", "list")
    assert code == 0 and "gonv-2020" in out and "gonv-2023" in out
    code, out, _ = run("agreement", "show", "gonv-2020")
    assert code == 0 and "rekvisition" in out and "NOT AVAILABLE" in out
    code, _, err = run("agreement", "show", "gonv-1999")
    assert code == 1 and "no agreement 'gonv-1999'" in err


def test_agreement_export_and_import_round_trip(tmp_path: Path) -> None:
    xlsx = tmp_path / "a.xlsx"
    code, _, _ = run("agreement", "export", "gonv-2020", "--format", "xlsx", "-o", str(xlsx))
    assert code == 0 and xlsx.stat().st_size > 0
    store = tmp_path / "store"
    code, out, _ = run("agreement", "import", str(xlsx), "--into", str(store))
    assert code == 0 and "valid" in out
    assert (store / "gonv-2020.yaml").is_file()
    code, out, _ = run("agreement", "export", "gonv-2021")
    assert code == 0 and out.startswith("id: gonv-2021")


def test_agreement_import_reports_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    code, out, _ = run("agreement", "export", "gonv-2020")
    bad.write_text(out.replace("amount_sek: 52000000", "amount_sek: 52000001", 1),
                   encoding="utf-8")
    code, _, err = run("agreement", "import", str(bad))
    assert code == 1
    assert "lines sum to 6250500001 kr, the agreement states 6250500000 kr" in err


def test_every_funding_command_has_help() -> None:
    for args in (["allocate"], ["agreement"], ["agreement", "list"], ["agreement", "show"],
                 ["agreement", "allocate"], ["agreement", "export"], ["agreement", "import"]):
        code, out, _ = run(*args, "--help")
        assert code == 0 and "Usage" in out
