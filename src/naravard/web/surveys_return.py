"""Return for correction: an analyst comments on questions of a respondent's latest submitted
version and reopens it with a new deadline and the reason, optionally telling its respondents by
e-mail (``MANAGE_ROUNDS``). The respondent replies beside each question (``web/surveys.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, Principal
from naravard.storage import survey_comments as comments
from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyResponse
from naravard.surveys.model import RoundKind
from naravard.surveys.validation import validate_answers
from naravard.web import surveys_reminders as reminders
from naravard.web.i18n import gettext_for
from naravard.web.rendering import render
from naravard.web.security import get_db, guard
from naravard.web.surveys import Now, base
from naravard.web.surveys_receipt import sections

router = APIRouter(prefix="/surveys/responses", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]

#: The days a returned respondent is given by default.
DEFAULT_DAYS = 14


def _rows(response: SurveyResponse, lang: str) -> list[dict[str, Any]]:
    """The latest version's answers by page, its unanswered relevant questions included."""
    form = repo.round_form(response.round)
    latest = response.submissions[-1]
    relevant = validate_answers(form, latest.answers, repo.facts_for(response),
                                round_kind=RoundKind(latest.report_kind),
                                for_submission=False).relevant
    return sections(form, latest.answers, lang, unanswered=relevant)


def _page(request: Request, db: Session, response: SurveyResponse, now: dt.datetime,
          status_code: int = 200, **extra: Any) -> Response:  # fmt: skip
    lang = request.state.lang
    today = now.astimezone(repo.STOCKHOLM).date()
    values = {"reason": gettext_for(lang)(
        "The answers need to be completed; see the comments beside the questions."),
        "deadline": (today + dt.timedelta(days=DEFAULT_DAYS)).isoformat(), "notify": "1",
        **extra.pop("values", {})}
    return render(request, "surveys/return.html", status_code=status_code, response=response,
                  form=repo.round_form(response.round), sections=_rows(response, lang),
                  org_name=repo.organisation_name(db, response.organisation_code),
                  latest=response.submissions[-1], values=values,
                  typed=extra.pop("typed", {}), errors=extra.pop("errors", []), **extra)


def _returnable(db: Session, response_id: int) -> SurveyResponse | None:
    response = db.get(SurveyResponse, response_id)
    return response if response is not None and response.submissions else None


@router.get("/{response_id}/return", response_class=HTMLResponse,
            dependencies=[guard(Permission.MANAGE_ROUNDS)])
def return_form(request: Request, db: Db, now: Now, response_id: int) -> Response:
    """The latest submitted version with a comment field beside each question, the reason and
    the new deadline."""
    response = _returnable(db, response_id)
    if response is None:
        return render(request, "error.html", status_code=404, code=404)
    return _page(request, db, response, now)


@router.post("/{response_id}/return")
async def return_for_correction(
    request: Request, db: Db, now: Now, response_id: int,
    principal: Principal = guard(Permission.MANAGE_ROUNDS),
) -> Response:
    """Send the comments and reopen the respondent; everything typed is kept on a refusal."""
    response = _returnable(db, response_id)
    if response is None:
        return render(request, "error.html", status_code=404, code=404)
    posted = await request.form()
    typed = {key.removeprefix("c."): str(value) for key, value in posted.items()
             if key.startswith("c.")}
    values = {k: str(posted.get(k, "")) for k in ("reason", "deadline", "notify")}
    _ = gettext_for(request.state.lang)
    try:
        day = dt.date.fromisoformat(values["deadline"].strip())
    except ValueError:
        return _page(request, db, response, now, 422, values=values, typed=typed,
                     errors=[_("Give the dates as YYYY-MM-DD.")])
    survey_round, org = response.round, response.organisation_code
    try:
        comments.return_for_correction(db, survey_round, org, typed, reason=values["reason"],
                                       deadline=day, actor=principal.username, now=now)
    except repo.SurveyError as err:
        db.rollback()
        response = _returnable(db, response_id)
        assert response is not None
        return _page(request, db, response, now, 422, values=values, typed=typed,
                     errors=[_(err.msgid, **err.params)])
    if values["notify"]:
        reminders.send_reminders(db, survey_round, now, principal.username,
                                 request.app.state.settings.default_language,
                                 str(request.base_url).rstrip("/"), only=org)
    db.commit()
    return RedirectResponse(f"{base(response_id)}?notice=returned", status_code=303)
