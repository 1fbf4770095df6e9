"""Helpers for round tests: the small test questionnaire, fixed times and a stand-in receipt."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyResponse, SurveyRound
from naravard.surveys.model import Questionnaire
from naravard.surveys.yamlform import read_yaml_form

FIXTURES = Path(__file__).parent / "fixtures"
STOCKHOLM = repo.STOCKHOLM


def at(day: str, clock: str = "10:00") -> dt.datetime:
    """A Stockholm time: ``at("2024-02-01", "23:59")``."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=STOCKHOLM)


#: The test round: opens 2024-01-15, interim report by 2024-09-30, final report by 2025-03-31.
OPENS, INTERIM, DEADLINE = dt.date(2024, 1, 15), dt.date(2024, 9, 30), dt.date(2025, 3, 31)
CREATED = at("2024-01-10")
DURING = at("2024-02-01")  # interim phase
FINAL_PHASE = at("2024-11-02")
AFTER = at("2025-04-01", "00:00")  # the first instant after the deadline


@cache
def small_form() -> Questionnaire:
    """The small questionnaire of ``fixtures/round_test_form.yaml``."""
    text = (FIXTURES / "round_test_form.yaml").read_text(encoding="utf-8")
    return read_yaml_form(text, name="round_test_form.yaml")


def fake_receipt(data: repo.ReceiptData) -> bytes:
    """A stand-in for the PDF receipt (storage tests do not render PDFs)."""
    return f"%PDF-test {data.organisation_code} v{data.version}".encode()


#: A complete, valid set of final-report answers (as a browser would post them).
COMPLETE = {
    "plan": "ja", "plan_text": "En plan för 2024.", "staff": "12", "areas": ["o1", "o3"],
    "share": "58,4", "grid": {"r01": {"count": "3"}, "r02": {"count": "0"}},
    "final_only": "Fler mobila team.",
}


def make_round(session: Session, respondents: tuple[str, ...] = ("13", "20"), *,
               code: str = "test-2024", interim: bool = True, open_it: bool = True
               ) -> SurveyRound:
    """The test round (opened at ``CREATED`` unless ``open_it`` is false)."""
    r = repo.create_round(
        session, small_form(), code=code, title="Testomgång 2024", respondents=respondents,
        opens_on=OPENS, deadline=DEADLINE, interim_deadline=INTERIM if interim else None,
        actor="analyst", now=CREATED,
    )
    if open_it:
        repo.open_round(session, r, "analyst", CREATED)
    return r


def response(session: Session, r: SurveyRound, org: str = "13") -> SurveyResponse:
    found = repo.response_for(session, r, org)
    assert found is not None
    return found
