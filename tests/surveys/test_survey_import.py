"""``naravard round import-answers``: the round's own answer export read back (CSV and Excel)
into another round exactly; every problem listed before anything is stored; drafts or imported
versions as of a time; personal data confirmed by signature (both engines)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_results import latest_answers
from naravard.storage.survey_tables import SurveySubmission
from tests.surveys.conftest import Clock
from tests.surveys.rounds import COMPLETE, DURING, fake_receipt, make_round, response
from tests.surveys.test_survey_round_cli import environment, run  # noqa: F401 (fixture)
from tests.surveys.test_survey_web import text_of
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]
INTERIM = {k: v for k, v in COMPLETE.items() if k != "final_only"}


@pytest.fixture
def answered(session: Session) -> None:
    """Halland and Dalarna have submitted their interim reports to test-2024 (a formula and a
    quote in Halland's text); copy-2024 is the same questionnaire, empty."""
    r = make_round(session)
    for org, extra in (("13", {"plan_text": "=HYPERLINK(1) 'x'"}), ("20", {"staff": "7"})):
        resp = response(session, r, org)
        repo.save_answers(session, resp, {**INTERIM, **extra}, actor="r", now=DURING)
        repo.submit(session, resp, actor="r", actor_name="R", now=DURING, confirmed=(),
                    render_receipt=fake_receipt)
    make_round(session, code="copy-2024")
    session.commit()


def submissions(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(SurveySubmission)) or 0


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_export_reads_back_exactly(session: Session, answered: None, tmp_path: Path,
                                       suffix: str) -> None:
    export = tmp_path / f"svar.{suffix}"
    code, out, err = run("round", "results", "test-2024", "--per-respondent", "--format",
                         suffix, "--out", str(export))
    assert code == 0, err
    code, out, err = run("round", "import-answers", "copy-2024", str(export), "--submit",
                         "--as-of", "2024-02-02T09:30")
    assert code == 0, err
    assert out.strip() == ("2 organisations' answers to copy-2024 submitted as imported "
                           "versions (as of 2024-02-02T09:30+01:00).")
    session.expire_all()
    source = {a.organisation_code: a.values
              for a in latest_answers(session, repo.get_round(session, "test-2024"))}  # type: ignore[arg-type]
    copied = latest_answers(session, repo.get_round(session, "copy-2024"))  # type: ignore[arg-type]
    assert {a.organisation_code: a.values for a in copied} == source
    assert source["13"]["plan_text"] == "=HYPERLINK(1) 'x'"  # escaped in the file, not here
    assert {(a.version, a.report_kind) for a in copied} == {(1, "interim")}
    stored = session.scalars(select(SurveySubmission).where(
        SurveySubmission.source == repo.IMPORT)).all()
    assert [(s.submitted_by, s.submitted_at.isoformat()[:16]) for s in stored] == [
        ("cli", "2024-02-02T08:30")] * 2  # UTC


def test_every_problem_is_listed_and_nothing_stored(session: Session, answered: None,
                                                    tmp_path: Path) -> None:
    bad = tmp_path / "svar.csv"
    bad.write_text(
        "organisation_code;plan;staff;colour\n"
        "13;ja;tolv;blå\n"
        "99;ja;3;\n"
        "13;nej;4;\n"
        "20;ja;-5;\n", encoding="utf-8")
    code, _, err = run("round", "import-answers", "copy-2024", str(bad), "--submit",
                       "--as-of", "2024-02-02T09:30")
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0] == "column colour: no question 'colour' in test-region"
    assert "row 3, column organisation_code: 99 is not a respondent of round copy-2024" in lines
    assert "row 4, column organisation_code: 13 is also in row 2" in lines
    assert lines[-1] == "error: Nothing was stored: 3 problems in svar.csv."
    assert submissions(session) == 2  # only the two of test-2024
    # without the unknown rows and column, the rules of the questionnaire speak
    bad.write_text("organisation_code;plan;staff\n13;ja;tolv\n20;ja;-5\n", encoding="utf-8")
    code, _, err = run("round", "import-answers", "copy-2024", str(bad), "--submit",
                       "--as-of", "2024-02-02T09:30")
    assert code == 1
    assert "row 2, column staff: Enter a whole number." in err
    assert "row 3, column staff: The value must not be less than 0." in err
    assert "Nothing was stored: 2 problems in svar.csv." in err
    session.expire_all()
    copy = repo.get_round(session, "copy-2024")
    assert copy is not None and all(not r.draft for r in copy.responses)  # no draft either
    assert submissions(session) == 2


def test_drafts_replace_and_a_locked_round_needs_the_time_of_arrival(
    session: Session, answered: None, tmp_path: Path
) -> None:
    copy = repo.get_round(session, "copy-2024")
    assert copy is not None
    repo.save_answers(session, response(session, copy, "13"), {"comment": "Gammalt", "staff": "1"},
                      actor="r", now=DURING)
    session.commit()
    drafts = tmp_path / "utkast.csv"
    drafts.write_text("organisation_code,staff,areas,grid.r01.count\n13,12,o1 o3,3\n",
                      encoding="utf-8")
    code, out, err = run("round", "import-answers", "copy-2024", str(drafts), "--as-of",
                         "2024-02-03T10:00")
    assert code == 0, err
    assert "1 organisation's answers to copy-2024 stored as drafts" in out
    session.expire_all()
    assert response(session, copy, "13").draft == {  # the file is the answers: comment gone
        "staff": "12", "areas": ["o1", "o3"], "grid": {"r01": {"count": "3"}}}
    assert submissions(session) == 2
    # after the deadline the answers are locked, unless they arrived before it
    code, _, err = run("round", "import-answers", "copy-2024", str(drafts))
    assert code == 1 and "row 2: The deadline 2025-03-31 has passed; the answers are locked." in err


def test_personal_data_is_confirmed_by_signature(session: Session, answered: None,
                                                 tmp_path: Path) -> None:
    rows = io.StringIO()
    csv.writer(rows).writerows([
        ["organisation_code", "plan", "plan_text", "staff", "areas", "share", "grid.r01.count"],
        ["13", "ja", "Ring 070-123 45 67", "12", "o1", "58,4", "3"]])
    path = tmp_path / "pii.csv"
    path.write_text(rows.getvalue(), encoding="utf-8")
    args = ("round", "import-answers", "copy-2024", str(path), "--submit", "--as-of",
            "2024-02-02T09:30")
    code, _, err = run(*args)
    assert code == 1
    assert "row 2, column plan_text: possible personal data (phone): '070-123 45 67'" in err
    signature = err.split("confirming the signature ")[1].split(", or remove")[0].strip("'")
    assert "Keep possible personal data with --confirm SIGNATURE." in err
    assert signature == "plan_text|||phone|070-123 45 67"
    code, _, err = run(*args, "--confirm", signature)
    assert code == 0, err
    assert submissions(session) == 3


def test_command_checks_its_input(session: Session, answered: None, tmp_path: Path) -> None:
    empty = tmp_path / "tom.csv"
    empty.write_text("\n", encoding="utf-8")
    code, _, err = run("round", "import-answers", "copy-2024", str(empty))
    assert code == 1 and "holds no rows" in err
    headless = tmp_path / "utan.csv"
    headless.write_text("plan\nja\n", encoding="utf-8")
    code, _, err = run("round", "import-answers", "copy-2024", str(headless))
    assert code == 1 and "the column organisation_code is missing" in err
    code, _, err = run("round", "import-answers", "copy-2024", str(headless), "--as-of", "igår")
    assert code == 1 and "--as-of must be a time like 2024-03-28T10:00" in err


# --- the round's page ------------------------------------------------------------------------


def upload(client: TestClient, round_id: int, name: str, content: bytes,
           **fields: str) -> httpx.Response:
    return client.post(f"/surveys/rounds/{round_id}/import",
                       data={"csrf_token": CSRF, **fields},
                       files={"file": (name, content, "text/csv")})


def test_the_page_imports_a_file(client_as: Client, clock: Clock, session: Session,
                                 answered: None, tmp_path: Path) -> None:
    export = tmp_path / "svar.csv"
    assert run("round", "results", "test-2024", "--per-respondent", "--format", "csv",
               "--out", str(export))[0] == 0
    copy = repo.get_round(session, "copy-2024")
    assert copy is not None
    analyst = client_as("analyst")
    sent = upload(analyst, copy.id, "svar.csv", export.read_bytes(), arrived="2024-02-02T09:30",
                  submit="yes")
    assert (sent.status_code, sent.headers["location"]) == (
        303, f"/surveys/rounds/{copy.id}?notice=imported-submitted-2#import")
    assert "Svaren från 2 organisationer är importerade och inlämnade." in text_of(
        analyst.get(sent.headers["location"]).text)
    session.expire_all()
    stored = session.scalars(select(SurveySubmission).where(
        SurveySubmission.source == repo.IMPORT)).all()
    assert [(s.submitted_by, s.submitted_at.isoformat()[:16]) for s in stored] == [
        ("analyst", "2024-02-02T08:30")] * 2


def test_the_page_lists_every_problem_in_swedish_and_keeps_the_form(
    client_as: Client, clock: Clock, session: Session, answered: None
) -> None:
    copy = repo.get_round(session, "copy-2024")
    assert copy is not None
    analyst = client_as("analyst")
    bad = "organisation_code;plan;staff;colour\n13;ja;tolv;blå\n99;ja;3;\n".encode()
    page = upload(analyst, copy.id, "svar.csv", bad, arrived="2024-02-02T09:30", submit="yes",
                  confirm="a|b")
    assert page.status_code == 422
    text = html.unescape(text_of(page.text))
    assert ("Ingenting sparades. Rätta filen och välj den igen: kolumn colour: ingen fråga "
            "'colour' i test-region rad 3, kolumn organisation_code: 99 är inte "
            "uppgiftslämnare i omgången copy-2024") in text
    assert 'value="2024-02-02T09:30"' in page.text and ">a|b</textarea>" in page.text
    assert 'name="submit" value="yes" checked' in page.text
    rules = upload(analyst, copy.id, "svar.csv", b"organisation_code,staff\n20,-5\n",
                   arrived="2024-02-02T09:30", submit="yes")
    assert "rad 2, kolumn staff: Värdet får inte vara mindre än 0." in text_of(rules.text)
    assert submissions(session) == 2
    for fields, name, content, status, message in [
        ({"arrived": "i går"}, "svar.csv", b"organisation_code\n13\n", 422,
         "Ange när svaren kom in som ÅÅÅÅ-MM-DD TT:MM."),
        ({}, "svar.xlsx", b"not a workbook", 422, "Filen är inte en Excel-arbetsbok."),
        ({}, "svar.csv", "organisation_code\n13\n".encode("utf-16"), 422,
         "Filen är inte text i UTF-8."),
        ({}, "svar.csv", b"\n", 422, "Filen innehåller inga rader."),
    ]:
        refused = upload(analyst, copy.id, name, content, **fields)
        assert refused.status_code == status, message
        assert message in html.unescape(text_of(refused.text)), message
    empty = analyst.post(f"/surveys/rounds/{copy.id}/import", data={"csrf_token": CSRF})
    assert empty.status_code == 400 and "Välj en fil att importera." in text_of(empty.text)
    assert upload(client_as("respondent"), copy.id, "svar.csv",
                  b"organisation_code\n13\n").status_code == 403
    assert submissions(session) == 2
