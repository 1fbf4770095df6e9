"""``naravard questionnaire list|validate|import|export``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.surveys.catalog import shipped_forms
from naravard.surveys.xlsform import read_xlsform

runner = CliRunner()
FORMS_DIR = Path(__file__).parents[2] / "src" / "naravard" / "surveys" / "forms"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help() -> None:
    for command in ("list", "validate", "import", "export"):
        code, out, _ = run("questionnaire", command, "--help")
        assert code == 0 and "Usage" in out
    code, out, _ = run("questionnaire", "import", "--help")
    assert "naravard round create" in out


def test_list_shows_shipped_forms() -> None:
    code, out, _ = run("questionnaire", "list")
    assert code == 0
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert set(lines) >= {e.form.form_id for e in shipped_forms()}
    region = [cell.strip() for cell in lines["gonv-2023-region"].split("│")]
    assert region[1:7] == ["gonv-2023-region", "1", "region", "58", "83", "final 2024-03-31"]


@pytest.mark.parametrize("path", sorted(FORMS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_validate_every_shipped_form(path: Path) -> None:
    code, out, _ = run("questionnaire", "validate", str(path))
    assert code == 0
    assert out.startswith(f"OK {path}: ")


def test_validate_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "settings: {form_id: bad, version: '1', form_title::sv: B, respondent: rss}\n"
        "survey:\n"
        "  - {type: select_one nope, name: a, label::sv: A}\n"
        "  - {type: text, name: b, label::sv: B, relevant: '${a} = = 1'}\n",
        encoding="utf-8",
    )
    code, out, err = run("questionnaire", "validate", str(bad))
    assert code == 1 and out == ""
    assert f"{bad}: 2 problem(s)" in err
    assert "survey, row 3, column type: unknown choice list 'nope'" in err
    assert "survey, row 4, column relevant: Unexpected '=' at position 8" in err
    code, _, err = run("questionnaire", "validate", str(tmp_path / "missing.yaml"))
    assert code == 1 and "no such file" in err


def test_import_copies_into_the_data_dir(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "mine.yaml"
    source.write_text(
        (FORMS_DIR / "municipal-survey-2019.yaml").read_text(encoding="utf-8")
        .replace('version: "1"', 'version: "2"'),
        encoding="utf-8",
    )
    code, out, _ = run("questionnaire", "import", str(source))
    assert code == 0 and "Imported" in out
    target = data_dir / "forms" / "municipal-survey-2019-2.yaml"
    assert target.read_bytes() == source.read_bytes()
    code, out, _ = run("questionnaire", "list")
    assert "imported" in out
    assert run("questionnaire", "import", str(source))[0] == 0  # same content again: fine
    source.write_text(source.read_text(encoding="utf-8").replace("Kommentar:", "Kommentar"),
                      encoding="utf-8")
    code, _, err = run("questionnaire", "import", str(source))
    assert code == 1 and "already holds a different definition" in err
    shipped = FORMS_DIR / "gonv-2023-rss.yaml"
    code, _, err = run("questionnaire", "import", str(shipped))
    assert code == 1 and "is shipped with Nära" in err


def test_export_writes_a_workbook_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "region.xlsx"
    code, out, _ = run("questionnaire", "export", "gonv-2023-region", "--out", str(target))
    assert code == 0 and out.startswith(f"Wrote {target}")
    form = read_xlsform(target.read_bytes())
    assert form.form_id == "gonv-2023-region"
    assert run("questionnaire", "validate", str(target))[0] == 0
    yaml_target = tmp_path / "region.yaml"
    assert run("questionnaire", "export", "gonv-2023-region", "--out", str(yaml_target))[0] == 0
    assert run("questionnaire", "validate", str(yaml_target))[0] == 0
    code, _, err = run("questionnaire", "export", "nope", "--out", str(target))
    assert code == 1 and "no questionnaire nope" in err
    code, _, err = run("questionnaire", "export", "gonv-2023-region", "--out", "x.csv")
    assert code == 1 and "use .xlsx or .yaml" in err
