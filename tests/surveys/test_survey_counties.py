"""Municipal rounds by county: the round's table per county and the answers per question of
one county's respondents (both engines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_status import by_county, round_status
from naravard.surveys.model import Questionnaire
from naravard.surveys.yamlform import read_yaml_form
from tests.surveys.conftest import Clock
from tests.surveys.rounds import COMPLETE, FIXTURES, at, fake_receipt, response
from tests.surveys.test_survey_web import text_of

Client = Callable[[str | None], TestClient]
#: Kungsbacka and Varberg (Hallands län), Falun (Dalarnas län).
KUNGSBACKA, VARBERG, FALUN = "1384", "1383", "2080"


@cache
def municipal_form() -> Questionnaire:
    text = (FIXTURES / "round_test_form.yaml").read_text(encoding="utf-8")
    text = text.replace("respondent: region", "respondent: municipality").replace(
        "form_id: test-region", "form_id: test-municipality")
    return read_yaml_form(text, name="municipal_test_form.yaml")


def test_per_county_and_one_countys_answers(client_as: Client, clock: Clock,
                                            session: Session) -> None:
    r = repo.create_round(session, municipal_form(), code="kommuner-2024", title="Kommuner 2024",
                          respondents=[KUNGSBACKA, VARBERG, FALUN], opens_on=dt.date(2024, 1, 15),
                          deadline=dt.date(2024, 3, 31), actor="analyst", now=at("2024-01-10"))
    repo.open_round(session, r, "analyst", at("2024-01-10"))
    for org, staff, plan in ((KUNGSBACKA, "12", "ja"), (FALUN, "30", "nej")):
        found = response(session, r, org)
        answers = {**COMPLETE, "staff": staff, "plan": plan}
        if plan == "nej":
            answers.pop("plan_text")
        repo.save_answers(session, found, answers, actor="m", now=at("2024-02-01"))
        repo.submit(session, found, actor="m", actor_name="M", now=at("2024-02-01"),
                    confirmed=(), render_receipt=fake_receipt)
    session.commit()
    counties = by_county(round_status(session, r, at("2024-02-02")))
    assert [(c.county_code, c.county_name, c.counts.expected, c.counts.submitted)
            for c in counties] == [("13", "Hallands län", 2, 1), ("20", "Dalarnas län", 1, 1)]
    analyst = client_as("analyst")
    page = text_of(analyst.get(f"/surveys/rounds/{r.id}").text).replace("\u202f", " ")
    assert ("Per län Län Förväntade Inlämnade Andel inlämnade I tid Sent Saknas Hallands län 2 1 "
            "50,0 % 1 0 1 Dalarnas län 1 1 100,0 % 1 0 0") in page
    every = text_of(analyst.get(f"/surveys/rounds/{r.id}/results").text)
    assert "Alla län Hallands län (inlämnade: 1) Dalarnas län (inlämnade: 1)" in every
    assert "Har regionen en plan? Besvarad av n = 2 av 2." in every
    halland = text_of(analyst.get(f"/surveys/rounds/{r.id}/results?county=13").text)
    assert "Svar per fråga: uppgiftslämnare i Hallands län" in halland
    assert "Har regionen en plan? Besvarad av n = 1 av 1." in halland
    assert "Ja 1 100,0" in halland.replace("\u202f", " ")
    stockholm = text_of(analyst.get(f"/surveys/rounds/{r.id}/results?county=01").text)
    assert "Svar per fråga: uppgiftslämnare i Stockholms län" in stockholm  # none of them
    assert "Besvarad av n = 0 av 0." in stockholm
    assert "Stockholms län (inlämnade: 0)" in stockholm
    unknown = text_of(analyst.get(f"/surveys/rounds/{r.id}/results?county=99").text)
    assert "Besvarad av n = 2 av 2." in unknown  # an unknown county: all of them
