"""``naravard round list|create|open|close|reopen|status|answers|results`` (both engines;
``remind`` in ``test_survey_reminders``)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.storage import survey_repo as repo
from tests.surveys.rounds import COMPLETE, FIXTURES, at, fake_receipt

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARAVARD_DATABASE_URL", db_url)
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "data"))


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def create(*extra: str) -> tuple[int, str, str]:
    code, out, _ = run("questionnaire", "import", str(FIXTURES / "round_test_form.yaml"))
    assert code == 0, out
    return run("round", "create", "test-region", "--code", "t-2024", "--opens", "2024-01-15",
               "--deadline", "2099-12-31", *extra)


def test_every_round_command_has_help() -> None:
    for command in ("list", "create", "open", "close", "reopen", "remind", "status", "answers",
                    "results", "import-answers"):
        code, out, _ = run("round", command, "--help")
        assert code == 0 and "Usage" in out, command


def test_create_open_status_reopen_close(session: Session) -> None:
    code, out, _ = create("--org", "13", "--org", "20")
    assert code == 0
    assert out.strip() == ("Round t-2024 (id 1): test-region version 1, 2 respondents, opens "
                           "2024-01-15, deadline 2099-12-31, planned.")
    code, _, err = create("--org", "13")
    assert code == 1 and "There is already a round t-2024." in err
    assert run("round", "open", "t-2024")[1].strip() == "Round t-2024 is open."
    code, _, err = run("round", "open", "t-2024")
    assert code == 1 and "Round t-2024 is already open." in err
    code, out, _ = run("round", "list", "--format", "csv")
    assert out.splitlines()[1] == "1,t-2024,test-region,1,2024-01-15,,2099-12-31,open,0,2"
    # Region Halland's answers arrive
    r = repo.get_round(session, "t-2024")
    assert r is not None
    halland = repo.response_for(session, r, "13")
    assert halland is not None
    repo.save_answers(session, halland, COMPLETE, actor="respondent", now=at("2024-02-01"))
    repo.submit(session, halland, actor="respondent", actor_name="R", now=at("2024-02-01"),
                confirmed=(), render_receipt=fake_receipt)
    session.commit()
    code, out, _ = run("round", "status", "t-2024")
    assert code == 0
    assert out.splitlines()[0] == (
        "t-2024 (open, deadline 2099-12-31): answers from 1 of 2 regions (50.0 %); on time 1, "
        "late 0, missing 1; required questions answered 54.5 %")
    code, out, _ = run("round", "status", "t-2024", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["organisation"], r["status"], r["on_time"], r["answered"], r["required"],
             r["completeness_percent"]) for r in rows] \
        == [("13", "submitted", "yes", "6", "6", "100.0"), ("20", "not_started", "", "0", "5",
                                                            "0.0")]
    code, out, _ = run("round", "reopen", "t-2024", "--org", "20", "--reason", "Sent besked",
                       "--deadline", "2100-01-31")
    assert code == 0 and out.strip() == "20 may change its answers to t-2024 until 2100-01-31."
    code, _, err = run("round", "reopen", "t-2024", "--org", "99", "--reason", "x",
                       "--deadline", "2100-01-31")
    assert code == 1 and "99 is not a respondent of round t-2024." in err
    assert run("round", "close", "1")[1].strip() == "Round t-2024 is closed."
    code, _, err = run("round", "status", "nope")
    assert code == 1 and "no round 'nope'" in err


def test_answers_as_of_and_results(session: Session, tmp_path: Path) -> None:
    create("--org", "13", "--open")
    r = repo.get_round(session, "t-2024")
    assert r is not None
    halland = repo.response_for(session, r, "13")
    assert halland is not None
    repo.save_answers(session, halland, COMPLETE, actor="respondent", now=at("2024-02-01"))
    repo.submit(session, halland, actor="respondent", actor_name="R", now=at("2024-02-01", "11:00"),
                confirmed=(), render_receipt=fake_receipt)
    repo.save_answers(session, halland, {"staff": "20"}, actor="respondent",
                      now=at("2024-02-05"))
    repo.submit(session, halland, actor="respondent", actor_name="R", now=at("2024-02-06"),
                confirmed=(), render_receipt=fake_receipt)
    session.commit()
    code, out, _ = run("round", "answers", "t-2024", "--org", "13", "--as-of", "2024-02-03T12:00")
    document = json.loads(out)
    assert (document["version"], document["answers"]["staff"]) == (1, 12)
    assert document["submitted_at"] == "2024-02-01T10:00:00+00:00"
    code, out, _ = run("round", "answers", "t-2024", "--org", "13", "--as-of",
                       "2024-02-05T12:00", "--draft")
    assert json.loads(out)["draft"]["staff"] == "20"
    code, out, _ = run("round", "answers", "t-2024", "--org", "13")
    assert json.loads(out)["version"] == 2
    code, out, _ = run("round", "results", "t-2024", "--question", "test.areas")
    assert out.splitlines() == [
        "key,question,number,option,cell,count,n,percent,min,median,max,sum",
        "test.areas,areas,3,o1,,1,1,100.0,,,,", "test.areas,areas,3,o2,,0,1,0.0,,,,",
        "test.areas,areas,3,o3,,1,1,100.0,,,,", "test.areas,areas,3,o4,,0,1,0.0,,,,",
    ]
    code, out, _ = run("round", "results", "t-2024", "--question", "staff", "--format", "json")
    assert json.loads(out) == [{"key": "test.staff", "question": "staff", "number": "2",
                                "option": "", "cell": "", "count": None, "n": 1,
                                "percent": None, "min": "20", "median": "20", "max": "20",
                                "sum": "20"}]
    code, _, err = run("round", "results", "t-2024", "--format", "xlsx")
    assert code == 1 and "--format xlsx needs --out" in err
    target = tmp_path / "answers.xlsx"
    code, out, _ = run("round", "results", "t-2024", "--per-respondent", "--format", "xlsx",
                       "--out", str(target))
    assert code == 0 and out.strip() == f"Wrote {target}: 1 rows"
    sheet = load_workbook(target)["t-2024"]
    assert [c.value for c in sheet[2]][:3] == ["13", "Region Halland", 2]
    # the answers per question as a document, free texts in full (version 2 counted)
    document = tmp_path / "answers.pdf"
    code, out, _ = run("round", "results", "t-2024", "--format", "pdf", "--out", str(document),
                       "--lang", "en", "--site", "https://nara.example.se/")
    assert code == 0 and out.startswith(f"Wrote {document}: ")
    text = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(document.read_bytes())).pages))
    assert text.startswith("Answers per question: Testenkät för regioner")  # the round's title
    assert "Region Halland (13) 2 Final report" in text
    assert "Region Halland Fler mobila team." in text  # a free text, in full
    assert "https://nara.example.se/surveys/rounds/" in text.replace(" ", "")
    code, _, err = run("round", "results", "t-2024", "--format", "pdf")
    assert code == 1 and "--format pdf needs --out FILE.pdf" in err
    code, _, err = run("round", "results", "t-2024", "--format", "pdf", "--out",
                       str(document), "--lang", "de")
    assert code == 1 and "--lang must be sv or en, got 'de'" in err
    code, _, err = run("round", "results", "t-2024", "--format", "pdf", "--out",
                       str(document), "--question", "staff")
    assert code == 1 and "leave out --question and --per-respondent" in err
    code, _, err = run("round", "results", "t-2024", "--report", "last")
    assert code == 1 and "--report must be interim or final, got 'last'" in err
