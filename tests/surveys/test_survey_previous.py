"""Answers from an earlier round: matched by stable key and kind, only unanswered questions
filled, each through the history; refusals change nothing (both engines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.storage import survey_previous as previous
from naravard.storage import survey_repo as repo
from naravard.storage.models import AuditEvent
from naravard.storage.survey_tables import SurveyRound
from naravard.surveys.model import Questionnaire
from naravard.surveys.yamlform import read_yaml_form
from tests.surveys.conftest import Clock
from tests.surveys.rounds import (
    COMPLETE,
    FIXTURES,
    at,
    fake_receipt,
    make_round,
    response,
    small_form,
)
from tests.surveys.test_survey_web import fresh, text_of
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]


@cache
def next_year() -> Questionnaire:
    """The test questionnaire's next version: ``plan`` renamed (same key), ``staff`` now a decimal,
    ``share`` a new key, the option o3 and the table row r02 gone."""
    text = (FIXTURES / "round_test_form.yaml").read_text(encoding="utf-8")
    for old, new in (('version: "1"', 'version: "2"'),
                     ("name: plan\n", "name: plan2\n"), ("${plan}", "${plan2}"),
                     ("  - type: integer\n    name: staff", "  - type: decimal\n    name: staff"),
                     ("key: test.share", "key: test.share.2025"),
                     ("    - {name: o3, label::sv: Psykisk hälsa, label::en: Mental health}\n", ""),
                     ("    - {name: r02, label::sv: Mobila team, label::en: Mobile teams}\n", "")):
        assert old in text
        text = text.replace(old, new)
    return read_yaml_form(text, name="next_year.yaml")


def submitted_then_asked_again(session: Session) -> tuple[SurveyRound, SurveyRound]:
    """Halland submits the final report of the test round on 2024-11-02; a round of the next
    version opens 2025-01-15 for Halland and Dalarna."""
    first = make_round(session, ("13", "20"))
    halland = response(session, first, "13")
    repo.save_answers(session, halland, COMPLETE, actor="respondent", now=at("2024-11-02"))
    repo.submit(session, halland, actor="respondent", actor_name="R", now=at("2024-11-02"),
                confirmed=(), render_receipt=fake_receipt)
    second = repo.create_round(
        session, next_year(), code="test-2025", title="Testomgång 2025", respondents=["13", "20"],
        opens_on=dt.date(2025, 1, 15), deadline=dt.date(2025, 3, 31), actor="analyst",
        now=at("2025-01-10"))
    repo.open_round(session, second, "analyst", at("2025-01-10"))
    session.commit()
    return first, second


def test_matched_by_key_and_kind() -> None:
    stored = {"plan": "ja", "plan_text": "En plan.", "staff": 12, "areas": ["o1", "o3"],
              "share": "58.4", "grid": {"r01": {"count": 3}, "r02": {"count": 0}},
              "comment": "Text", "nosuch": "x"}
    assert previous.carried_answers(next_year(), small_form(), stored) == {
        "plan2": "ja", "plan_text": "En plan.", "areas": ["o1"], "grid": {"r01": {"count": "3"}},
        "comment": "Text"}
    # the same version carries everything, numbers with a decimal comma as typed
    assert previous.carried_answers(small_form(), small_form(), stored) == {
        "plan": "ja", "plan_text": "En plan.", "staff": "12", "areas": ["o1", "o3"],
        "share": "58,4", "grid": {"r01": {"count": "3"}, "r02": {"count": "0"}},
        "comment": "Text"}
    assert previous.carried_answers(small_form(), small_form(), {"areas": ["o9"]}) == {}


def test_fill_keeps_what_was_typed_and_records_each_answer(session: Session) -> None:
    _first, second = submitted_then_asked_again(session)
    halland = response(session, second, "13")
    [earlier] = previous.earlier_responses(session, halland)
    assert (earlier.response.round.code, earlier.submission.version, earlier.matching) == (
        "test-2024", 1, 5)
    assert previous.earlier_responses(session, response(session, second, "20")) == []
    now = at("2025-02-01")
    repo.save_answers(session, halland, {"plan_text": "Vår egen text"}, actor="respondent",
                      now=now)
    filled, kept = previous.fill_from(session, halland, earlier.response, actor="respondent",
                                      now=now)
    session.commit()
    assert (filled, kept) == (["areas", "final_only", "grid", "plan2"], ["plan_text"])
    draft = fresh(session, halland.id).draft
    assert draft == {"plan_text": "Vår egen text", "plan2": "ja", "areas": ["o1"],
                     "grid": {"r01": {"count": "3"}}, "final_only": "Fler mobila team."}
    assert sorted(c.name for c in repo.history(session, halland)) == [
        "areas", "final_only", "grid", "plan2", "plan_text"]
    [event] = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "survey.answers.fill")).all()
    assert (event.details["source_round"], event.details["source_version"],
            event.details["kept"]) == ("test-2024", 1, ["plan_text"])
    # again: nothing left to fill
    assert previous.fill_from(session, halland, earlier.response, actor="respondent",
                              now=now)[0] == []


@pytest.mark.parametrize(("whose", "when", "message"), [
    ("20", at("2025-02-01"), "Choose one of the earlier rounds listed."),
    ("13", at("2025-04-01", "00:00"), "The deadline %(day)s has passed; the answers are locked."),
])
def test_refused_fill_changes_nothing(session: Session, whose: str, when: dt.datetime,
                                      message: str) -> None:
    first, second = submitted_then_asked_again(session)
    halland = response(session, second, "13")
    with pytest.raises(repo.SurveyError) as refused:
        previous.fill_from(session, halland, response(session, first, whose),
                           actor="respondent", now=when)
    assert refused.value.msgid == message
    session.rollback()
    assert fresh(session, halland.id).draft == {}


def test_respondent_fills_from_the_response_page(client_as: Client, clock: Clock,
                                                 session: Session) -> None:
    first, second = submitted_then_asked_again(session)
    clock.now = at("2025-02-01")
    rid = response(session, second, "13").id
    respondent = client_as("respondent")
    page = text_of(respondent.get(f"/surveys/responses/{rid}").text)
    assert ("Svar från en tidigare omgång De frågor som är desamma som i en tidigare omgång "
            "(samma fasta nyckel)") in page
    assert "Testomgång 2024 – version 1, 2024-11-02 10:00 (samma frågor: 5)" in page
    assert "Svar från en tidigare omgång" not in text_of(
        client_as("analyst").get(f"/surveys/responses/{rid}").text)  # staff cannot fill
    first_halland = response(session, first, "13").id
    done = respondent.post(f"/surveys/responses/{rid}/fill",
                           data={"csrf_token": CSRF, "source": str(first_halland)})
    assert done.status_code == 303
    assert done.headers["location"] == f"/surveys/responses/{rid}?notice=filled&filled=5&kept=0"
    shown = text_of(respondent.get(done.headers["location"]).text)
    assert ("Svar hämtade från den tidigare omgången: 5. Frågor som redan hade svar och lämnades "
            "som de var: 0. Kontrollera svaren innan du lämnar in.") in shown
    assert fresh(session, rid).draft["plan2"] == "ja"
    dalarna_first = response(session, first, "20").id
    wrong = respondent.post(f"/surveys/responses/{rid}/fill",
                            data={"csrf_token": CSRF, "source": str(dalarna_first)})
    assert wrong.status_code == 409
    assert "Välj en av de tidigare omgångarna i listan." in text_of(wrong.text)
    dalarna = response(session, second, "20").id
    assert respondent.post(f"/surveys/responses/{dalarna}/fill", data={
        "csrf_token": CSRF, "source": str(first_halland)}).status_code == 403
    assert respondent.post(f"/surveys/responses/{rid}/fill",
                           data={"source": str(first_halland)}).status_code == 403  # no CSRF
