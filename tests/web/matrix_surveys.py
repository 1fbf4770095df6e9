"""The surveys capability's part of the authorisation matrix.

``MATRIX`` maps (method, path template) to the callers allowed (groups in ``matrix_common``);
``FORMS`` gives the form fields a POST route is called with; ``seed`` creates the objects the
routes are called on and returns the value of every path parameter (objects of Region Halland or
RSS Halland, so that ``respondent``/``rss`` own them and ``foreign`` does not).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from tests.surveys.rounds import COMPLETE, fake_receipt, small_form
from tests.web.matrix_common import HALLAND, SIGNED, STAFF

#: Analysts and admins manage rounds; only Region Halland's respondent answers for it.
MANAGERS = frozenset({"admin", "analyst"})
ANSWERER = frozenset({"respondent"})
RESPONSE = "/surveys/responses/{response_id}"
ROUND = "/surveys/rounds/{round_id}"

MATRIX: dict[tuple[str, str], frozenset[str | None]] = {
    ("GET", "/surveys"): SIGNED,
    ("GET", RESPONSE): HALLAND,
    ("GET", RESPONSE + "/pages/{number}"): HALLAND,
    ("POST", RESPONSE + "/pages/{number}"): ANSWERER,
    ("GET", RESPONSE + "/summary"): HALLAND,
    ("POST", RESPONSE + "/submit"): ANSWERER,
    ("GET", RESPONSE + "/submissions/{version}"): HALLAND,
    ("GET", RESPONSE + "/submissions/{version}/receipt.pdf"): HALLAND,
    ("GET", RESPONSE + "/history"): HALLAND,
    ("GET", RESPONSE + "/municipalities"): HALLAND,  # AGGREGATE_MEMBERS on the owner
    ("GET", RESPONSE + "/return"): MANAGERS,
    ("POST", RESPONSE + "/fill"): ANSWERER,  # 409 here: no earlier round
    ("POST", RESPONSE + "/return"): MANAGERS,
    ("GET", "/surveys/rounds"): STAFF,
    ("POST", "/surveys/rounds"): MANAGERS,
    ("GET", ROUND): STAFF,
    ("POST", ROUND + "/open"): MANAGERS,
    ("POST", ROUND + "/close"): MANAGERS,
    ("POST", ROUND + "/reopen"): MANAGERS,
    ("POST", ROUND + "/remind"): MANAGERS,  # 409 here: Halland has submitted
    ("POST", ROUND + "/import"): MANAGERS,  # 400 here: no file
    ("GET", ROUND + "/status.csv"): STAFF,
    ("GET", ROUND + "/results"): STAFF,
    ("GET", ROUND + "/results.pdf"): STAFF,
    ("GET", ROUND + "/answers.csv"): STAFF,
    ("GET", ROUND + "/answers.xlsx"): STAFF,
    ("GET", "/surveys/questions/{key}"): STAFF,
}
FORMS: dict[str, dict[str, str]] = {
    RESPONSE + "/pages/{number}": {"action": "save", "fields": "staff", "q.staff": "13"},
    "/surveys/rounds": {"form": "municipal-survey-2019@1", "code": "matrix-created",
                        "opens_on": "2019-12-16", "deadline": "2020-01-27",
                        "respondents": "listed", "codes": "1384"},
    ROUND + "/reopen": {"organisation": "13", "reason": "Matris", "deadline": "2099-12-31"},
    RESPONSE + "/fill": {"source": "0"},
    RESPONSE + "/return": {"c.staff": "Matris", "reason": "Matris", "deadline": "2099-12-31"},
}


def seed(session: Session) -> dict[str, str]:
    """A round open now (until 2099) where Region Halland has submitted version 1."""
    now = dt.datetime.now(dt.UTC)
    survey_round = repo.create_round(
        session, small_form(), code="matrix", title="Matris", respondents=["13"],
        opens_on=dt.date(2024, 1, 15), deadline=dt.date(2099, 12, 31), actor="analyst", now=now)
    repo.open_round(session, survey_round, "analyst", now)
    response = repo.response_for(session, survey_round, "13")
    assert response is not None
    repo.save_answers(session, response, COMPLETE, actor="respondent", now=now)
    repo.submit(session, response, actor="respondent", actor_name="Respondent", now=now,
                confirmed=(), render_receipt=fake_receipt)
    session.flush()
    return {"response_id": str(response.id), "number": "2", "version": "1",
            "round_id": str(survey_round.id), "key": "test.staff"}
