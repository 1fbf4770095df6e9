"""An RSS sees its municipalities' submitted answers beside its own questions and can fill in
their counts; nobody else's respondent can (both engines)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyResponse
from naravard.surveys.catalog import find_form, shipped_forms
from tests.surveys.conftest import Clock
from tests.surveys.rounds import at, fake_receipt, response
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]


def text_of(html: str) -> str:
    main = html[html.find("<main"):html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


@pytest.fixture
def rss_response(session: Session) -> int:
    """RSS Halland's response to the 2023 RSS round; Kungsbacka and Halmstad have submitted."""
    forms = list(shipped_forms())
    opens, deadline, now = dt.date(2024, 1, 15), dt.date(2024, 3, 31), at("2024-01-10")
    municipal = repo.create_round(
        session, find_form(forms, "gonv-2023-municipality").form, code="kommuner-2023",
        title="Kommunfrågor 2023", respondents=["1315", "1380", "1381", "1382", "1383", "1384"],
        opens_on=opens, deadline=deadline, actor="analyst", now=now)
    rss = repo.create_round(session, find_form(forms, "gonv-2023-rss").form, code="rss-2023",
                            title="RSS 2023", respondents=["RSS13"], opens_on=opens,
                            deadline=deadline, actor="analyst", now=now)
    for r in (municipal, rss):
        repo.open_round(session, r, "analyst", now)
    for code, areas in (("1384", ["r01", "r02"]), ("1380", ["r02"])):
        resp = response(session, municipal, code)
        repo.save_answers(session, resp, {"a": areas, "b": f"Projekt i {code}"}, actor="x",
                          now=at("2024-02-01"))
        repo.submit(session, resp, actor="x", actor_name="X", now=at("2024-02-01"), confirmed=(),
                    render_receipt=fake_receipt, source=repo.IMPORT)
    rid = response(session, rss, "RSS13").id
    session.commit()
    return rid


def test_rss_sees_its_municipalities(client_as: Client, clock: Clock,
                                     rss_response: int) -> None:
    page = client_as("rss").get(f"/surveys/responses/{rss_response}/municipalities")
    assert page.status_code == 200
    body = text_of(page.text)
    assert "2 av 6 kommuner har lämnat in" in body
    assert "Har lämnat in: Halmstad, Kungsbacka" in body
    assert "Projekt i 1384" in body and "Projekt i 1380" in body
    for caller in ("respondent", "municipality", "foreign"):
        status = client_as(caller).get(
            f"/surveys/responses/{rss_response}/municipalities").status_code
        assert status == 403, caller
    assert client_as("analyst").get(
        f"/surveys/responses/{rss_response}/municipalities").status_code == 200


def test_rss_fills_in_the_municipal_counts(client_as: Client, clock: Clock, session: Session,
                                           rss_response: int) -> None:
    c = client_as("rss")
    page = c.get(f"/surveys/responses/{rss_response}/pages/2").text
    assert 'value="prefill:s1"' in page
    assert "2 av 6 kommuner har lämnat in" in text_of(page)
    sent = c.post(f"/surveys/responses/{rss_response}/pages/2",
                  data={"csrf_token": CSRF, "action": "prefill:s1"})
    assert sent.status_code == 303
    assert sent.headers["location"].endswith("/pages/2?notice=saved#q-s1")
    session.expire_all()
    stored = session.get(SurveyResponse, rss_response)
    assert stored is not None
    s1 = stored.draft["s1"]
    assert s1["r01"] == {"count": "1"} and s1["r02"] == {"count": "2"}
    assert s1["r03"] == {"count": "0"}
    changes = [(c.name, c.actor) for c in repo.history(session, stored)]
    assert changes == [("s1", "rss")]
    assert client_as("respondent").get(
        f"/surveys/responses/{rss_response}/pages/2").status_code == 403
