"""Answering a questionnaire: one section per page, saved on every page change, a summary with
what is missing, the personal-data guard, submission with a receipt, versions and history.

A respondent (``EDIT_ORG_DATA`` on its own organisation) answers; staff (``VIEW_ORG_DATA``
everywhere) read. Every answer is stored exactly as typed in the draft (one transaction per save)
and validated separately, so an error in one field never loses another. The time is the server's
clock (:func:`surveys_clock`, replaceable in tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, Principal, is_allowed
from naravard.storage import survey_comments as comments
from naravard.storage import survey_previous as previous
from naravard.storage import survey_repo as repo
from naravard.storage import survey_results as results
from naravard.storage.models import User
from naravard.storage.survey_tables import OPEN, SurveyResponse
from naravard.surveys.model import Questionnaire, Table
from naravard.surveys.pii import highlight
from naravard.surveys.respondents import RespondentFacts
from naravard.surveys.validation import ValidationResult, unanswered_summary
from naravard.web import surveys_view as view
from naravard.web.i18n import gettext_for
from naravard.web.rendering import render
from naravard.web.security import get_db, guard
from naravard.web.surveys_receipt import (
    receipt_filename,
    renderer,
    sections,
    send_receipt,
    stockholm_time,
)

router = APIRouter(prefix="/surveys", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]


def surveys_clock() -> dt.datetime:
    """The server's time: when answers are saved and submitted (tests replace it)."""
    return dt.datetime.now(dt.UTC)


Now = Annotated[dt.datetime, Depends(surveys_clock)]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def response_org(params: dict[str, Any], db: Session) -> str | None:
    """The organisation that owns the response in the path."""
    rid = _int(params.get("response_id"))
    return None if rid is None else repo.response_owner(db, rid)


HELPERS = {"v": view, "local_time": stockholm_time}


def page_response(request: Request, name: str, status_code: int = 200,
                  **context: Any) -> Response:  # fmt: skip
    """Render a surveys template with the view helpers."""
    return render(request, name, status_code=status_code, **HELPERS, **context)


def _not_found(request: Request) -> Response:
    return render(request, "error.html", status_code=404, code=404)


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def can_edit(request: Request, response: SurveyResponse) -> bool:
    """Whether the caller answers for this organisation (staff only read)."""
    return is_allowed(_principal(request), Permission.EDIT_ORG_DATA, response.organisation_code)


def _facts(response: SurveyResponse) -> dict[str, object]:
    facts: RespondentFacts | None = repo.facts_for(response)
    return facts.as_mapping() if facts else {}


def base(response_id: int) -> str:
    """URL of a response."""
    return f"/surveys/responses/{response_id}"


# --- the list of what a respondent answers ----------------------------------------------------


@router.get("", response_class=HTMLResponse, dependencies=[guard(Permission.SIGNED_IN)])
def surveys_home(request: Request, db: Db, now: Now) -> Response:
    """Staff go to the rounds; a respondent sees its own organisation's questionnaires."""
    principal = _principal(request)
    if is_allowed(principal, Permission.VIEW_ALL_DATA):
        return _redirect("/surveys/rounds")
    code = principal.organisation_code if principal else None
    rows = []
    for response in repo.responses_of(db, code) if code else []:
        rows.append((response, repo.access(response, now),
                     repo.round_form(response.round).settings.title))
    return page_response(request, "surveys/index.html", rows=rows)


# --- a response: overview, pages, summary ------------------------------------------------------


def _load(db: Session, response_id: int) -> SurveyResponse | None:
    return repo.get_response(db, response_id)


def _page_stats(form: Questionnaire, result: ValidationResult) -> dict[int, tuple[int, int]]:
    missing = set(result.completeness.unanswered)
    out: dict[int, tuple[int, int]] = {}
    for page in view.pages(form):
        required = [i for i in page.items() if i.name in result.relevant and i.required]
        out[page.number] = (sum(1 for i in required if i.name not in missing), len(required))
    return out


@router.get("/responses/{response_id}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=response_org)])
def response_page(request: Request, db: Db, now: Now, response_id: int) -> Response:
    """A response: status, deadline, progress per section, submitted versions."""
    response = _load(db, response_id)
    if response is None:
        return _not_found(request)
    return _response_page(request, db, response, now)


def _response_page(request: Request, db: Session, response: SurveyResponse, now: dt.datetime,
                   status_code: int = 200, problem: str | None = None) -> Response:  # fmt: skip
    form = repo.round_form(response.round)
    result = repo.validate_draft(response, now)
    state = repo.access(response, now)
    editable = can_edit(request, response)
    return page_response(
        request, "surveys/response.html", status_code=status_code, problem=problem,
        response=response, form=form,
        earlier=previous.earlier_responses(db, response) if state.editable and editable else [],
        filled=(_int(request.query_params.get("filled")),
                _int(request.query_params.get("kept"))),
        access=state, result=result, pages=view.pages(form),
        stats=_page_stats(form, result), editable=editable,
        org_name=repo.organisation_name(db, response.organisation_code),
        has_members=bool(form.settings.aggregates_form) and is_allowed(
            _principal(request), Permission.AGGREGATE_MEMBERS, response.organisation_code),
        notice=request.query_params.get("notice"), where=view.page_of(form),
        pending=comments.open_comments(response),
        can_return=bool(response.submissions) and response.round.status == OPEN
        and is_allowed(_principal(request), Permission.MANAGE_ROUNDS),
    )


@router.post("/responses/{response_id}/fill")
async def fill_from_earlier(
    request: Request, db: Db, now: Now, response_id: int,
    principal: Principal = guard(Permission.EDIT_ORG_DATA, scope=response_org),
) -> Response:
    """Fill the unanswered questions with the organisation's answers in an earlier round."""
    response = repo.get_response(db, response_id, lock=True)
    if response is None:
        return _not_found(request)
    posted = await request.form()
    source = db.get(SurveyResponse, _int(posted.get("source")) or 0)
    try:
        if source is None:
            raise repo.SurveyError("Choose one of the earlier rounds listed.")
        filled, kept = previous.fill_from(db, response, source, actor=principal.username,
                                          now=now)
    except repo.SurveyError as err:
        db.rollback()
        response = _load(db, response_id)
        assert response is not None
        return _response_page(request, db, response, now, 409,
                              gettext_for(request.state.lang)(err.msgid, **err.params))
    db.commit()
    return _redirect(f"{base(response_id)}?notice=filled&filled={len(filled)}&kept={len(kept)}")


def _error_summary(form: Questionnaire, page: view.Page, result: ValidationResult,
                   lang: str) -> list[tuple[str, str, str]]:  # fmt: skip
    """(anchor, what, message) for every error on the page, in page order."""
    names = {i.name: i for i in page.items() if i.name in result.relevant}
    out = []
    order = {n: k for k, n in enumerate(names)}
    for error in sorted((e for e in result.errors if e.name in names),
                        key=lambda e: order[e.name]):
        item = names[error.name]
        label = view.label_of(item, lang)
        if isinstance(item, Table) and error.row is not None:
            anchor = view.dom_id("f", item.name, error.row, error.column or "")
            rows = {c.name: c.label.get(lang) for c in form.options(item)}
            column = item.column(error.column or "")
            label = f"{label}: {rows.get(error.row, error.row)}" + (
                f", {column.label.get(lang)}" if column else "")
        else:
            anchor = view.dom_id("f", item.name)
            if not isinstance(item, Table) and item.type.is_select:
                first = form.options(item)
                anchor = view.dom_id("f", item.name, first[0].name) if first else anchor
        out.append((anchor, label, error.text(lang)))
    return out


def _comment_boxes(response: SurveyResponse, page: view.Page) -> dict[str, list[Any]]:
    """The open comments on the page's questions, by question name."""
    names = {i.name for i in page.items()}
    out: dict[str, list[Any]] = {}
    for c in comments.open_comments(response):
        if c.name in names:
            out.setdefault(c.name, []).append(c)
    return out


def _posted_replies(data: view.FormData) -> dict[int, str]:
    """The replies the page posted (``reply.<comment id>``)."""
    out = {}
    for key in data.names():
        cid = _int(key.removeprefix("reply.")) if key.startswith("reply.") else None
        if cid is not None:
            out[cid] = data.get(key)
    return out


def _render_page(request: Request, db: Session, response: SurveyResponse, number: int,
                 now: dt.datetime, *, values: dict[str, object] | None = None,
                 replies: dict[int, str] | None = None, problem: str | None = None,
                 status_code: int = 200) -> Response:  # fmt: skip
    form = repo.round_form(response.round)
    all_pages = view.pages(form)
    page = all_pages[number - 1]
    lang = request.state.lang
    state = repo.access(response, now)
    result = repo.validate_draft(response, now)
    if values is not None:  # what was typed but could not be stored
        from naravard.surveys.validation import validate_answers

        result = validate_answers(form, values, repo.facts_for(response),
                                  round_kind=repo.report_kind(response.round, now),
                                  for_submission=False)
    facts = _facts(response)
    members = None
    if any(i.aggregate for i in page.items()) and is_allowed(
            _principal(request), Permission.AGGREGATE_MEMBERS, response.organisation_code):
        members = results.member_view(db, response)
    return page_response(
        request, "surveys/page.html", status_code=status_code, response=response, form=form,
        page=page, pages=all_pages, result=result,
        values=values if values is not None else response.draft,
        visibility=view.Visibility(result, facts, repo.report_kind(response.round, now)),
        editable=state.editable and can_edit(request, response), access=state,
        stats=_page_stats(form, result), errors=_error_summary(form, page, result, lang),
        notice=request.query_params.get("notice"), problem=problem, members=members,
        org_name=repo.organisation_name(db, response.organisation_code),
        comments=_comment_boxes(response, page), replies=replies or {},
    )


@router.get("/responses/{response_id}/pages/{number}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=response_org)])
def form_page(request: Request, db: Db, now: Now, response_id: int, number: int) -> Response:
    """One section of the questionnaire (inputs for the respondent, answers for staff)."""
    response = _load(db, response_id)
    if response is None or not 1 <= number <= len(view.pages(repo.round_form(response.round))):
        return _not_found(request)
    return _render_page(request, db, response, number, now)


def _prefill(db: Session, response: SurveyResponse, name: str) -> dict[str, object]:
    members = results.member_view(db, response)
    value = members.aggregation.prefill.get(name) if members else None
    if not isinstance(value, dict):
        return {}
    return {name: {row: {col: str(v) for col, v in cells.items()}
                   for row, cells in value.items()}}


@router.post("/responses/{response_id}/pages/{number}")
async def save_page(
    request: Request, db: Db, now: Now, response_id: int, number: int,
    principal: Principal = guard(Permission.EDIT_ORG_DATA, scope=response_org),
) -> Response:
    """Save what the page posted, then go where the pressed button says."""
    response = repo.get_response(db, response_id, lock=True)
    if response is None:
        return _not_found(request)
    form = repo.round_form(response.round)
    all_pages = view.pages(form)
    if not 1 <= number <= len(all_pages):
        return _not_found(request)
    page = all_pages[number - 1]
    posted = await request.form()
    data = view.FormData({k: [str(v) for v in posted.getlist(k)] for k in posted})
    action = data.get("action") or "save"
    updates = view.posted_answers(form, page, data)
    replies = _posted_replies(data)
    if action.startswith("prefill:"):
        updates.update(_prefill(db, response, action.removeprefix("prefill:")))
    try:
        repo.save_answers(db, response, updates, actor=principal.username, now=now,
                          page=number)
        if replies:
            comments.save_replies(db, response, replies, actor=principal.username, now=now)
    except repo.SurveyError as err:
        db.rollback()
        if action == "autosave":
            return Response(status_code=409)
        response = repo.get_response(db, response_id)
        assert response is not None
        typed = {**response.draft, **updates}
        message = gettext_for(request.state.lang)(err.msgid, **err.params)
        return _render_page(request, db, response, number, now, values=typed,
                            replies=replies, problem=message, status_code=409)
    target = _target(response, now, page, len(all_pages), action, set(data.getlist("fields")))
    if isinstance(target, int):
        response.page = target  # "continue where you left off" goes here
    db.commit()
    if action == "autosave":
        return Response(status_code=204)
    here = f"{base(response_id)}/pages/{number}"
    if target == "summary":
        return _redirect(f"{base(response_id)}/summary")
    if isinstance(target, int) and target != number:
        return _redirect(f"{base(response_id)}/pages/{target}")
    if target in ("errors", "new_questions"):
        return _redirect(f"{here}?notice={target}")
    anchor = f"#{view.dom_id('q', action.removeprefix('prefill:'))}" \
        if action.startswith("prefill:") else ""
    return _redirect(f"{here}?notice=saved{anchor}")


def _target(response: SurveyResponse, now: dt.datetime, page: view.Page, last: int,
            action: str, shown: set[str]) -> int | str:  # fmt: skip
    """Where the pressed button leads: a page number, ``summary``, or a reason to stay
    (``errors``, ``new_questions``); ``Nästa`` stays while the page has errors or showed fewer
    questions than the answers now ask."""
    number = page.number
    if action == "next":
        result = repo.validate_draft(response, now)
        names = [i.name for i in page.items() if i.name in result.relevant]
        if any(e.name in names for e in result.errors):
            return "errors"
        if any(n not in shown for n in names):
            return "new_questions"
        return "summary" if number == last else number + 1
    if action == "prev" and number > 1:
        return number - 1
    if action.startswith("goto:"):
        wanted = _int(action.removeprefix("goto:"))
        if wanted is not None and 1 <= wanted <= last:
            return wanted
    if action == "summary":
        return "summary"
    return number


def _summary(request: Request, db: Session, response: SurveyResponse, now: dt.datetime,
             status_code: int = 200, **extra: Any) -> Response:  # fmt: skip
    form = repo.round_form(response.round)
    lang = request.state.lang
    result = repo.validate_draft(response, now, for_submission=True)
    where = view.page_of(form)
    missing = unanswered_summary(form, result)
    required_names = {m.name for m in missing}
    other = []
    for error in result.errors:
        if error.code == "required" and error.name in required_names:
            continue
        item = form.item(error.name)
        label = view.label_of(item, lang) if item else error.name
        other.append((error, label, where.get(error.name, 1)))
    findings = repo.pii_findings(form, result.submission_values())
    marked = [(f, highlight(f.text, [f.hit])) for f in findings]
    state = repo.access(response, now)
    return page_response(
        request, "surveys/summary.html", status_code=status_code, response=response,
        form=form, result=result, missing=missing, other=other, where=where, findings=marked,
        access=state, editable=state.editable and can_edit(request, response),
        warnings=[(w, form.item(w.name), where.get(w.name, 1)) for w in result.warnings],
        org_name=repo.organisation_name(db, response.organisation_code),
        confirmed=set(extra.pop("confirmed", ())),
        open_comments=comments.open_comments(response), **extra,
    )


@router.get("/responses/{response_id}/summary", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=response_org)])
def summary(request: Request, db: Db, now: Now, response_id: int) -> Response:
    """Before submission: what is missing or wrong (with links), and possible personal data."""
    response = _load(db, response_id)
    if response is None:
        return _not_found(request)
    return _summary(request, db, response, now)


@router.post("/responses/{response_id}/submit")
async def submit(
    request: Request, db: Db, now: Now, response_id: int,
    principal: Principal = guard(Permission.EDIT_ORG_DATA, scope=response_org),
) -> Response:
    """Submit a new version: refused with the reasons listed, or stored with its receipt."""
    response = repo.get_response(db, response_id, lock=True)
    if response is None:
        return _not_found(request)
    posted = await request.form()
    confirmed = [str(v) for v in posted.getlist("confirm")]
    lang = request.state.lang
    try:
        submission = repo.submit(db, response, actor=principal.username,
                                 actor_name=principal.display_name, now=now,
                                 confirmed=confirmed, render_receipt=renderer(lang))
    except repo.SubmissionRefused as refused:
        db.rollback()
        response = _load(db, response_id)
        assert response is not None
        return _summary(request, db, response, now, status_code=409, refused=refused,
                        confirmed=confirmed)
    except repo.SurveyError as err:
        db.rollback()
        response = _load(db, response_id)
        assert response is not None
        return _summary(request, db, response, now, status_code=409,
                        problem=gettext_for(lang)(err.msgid, **err.params))
    db.commit()
    user = db.get(User, principal.user_id)
    send_receipt(db, submission, user, lang)
    db.commit()
    return _redirect(f"{base(response_id)}/submissions/{submission.version}?notice=submitted")


# --- submitted versions and history ------------------------------------------------------------


@router.get("/responses/{response_id}/submissions/{version}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=response_org)])
def submission_page(request: Request, db: Db, response_id: int, version: int) -> Response:
    """One submitted version: its answers, receipt and what happened to the e-mail."""
    response = _load(db, response_id)
    submission = repo.get_submission(db, response, version) if response else None
    if response is None or submission is None:
        return _not_found(request)
    form = repo.round_form(response.round)
    lang = request.state.lang

    def shown(name: str, value: object) -> str:
        return view.submitted_text(form, form.item(name), value, lang)

    return page_response(
        request, "surveys/submission.html", response=response, submission=submission,
        form=form, sections=sections(form, submission.answers, lang),
        org_name=repo.organisation_name(db, response.organisation_code),
        notice=request.query_params.get("notice"), shown=shown,
        answered=comments.answered_by(response, version),
        commented=[c for c in response.comments if c.version == version],
        where=view.page_of(form),
        can_return=version == response.latest_version and response.round.status == OPEN
        and is_allowed(_principal(request), Permission.MANAGE_ROUNDS),
    )


@router.get("/responses/{response_id}/submissions/{version}/receipt.pdf",
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=response_org)])
def receipt(request: Request, db: Db, response_id: int, version: int) -> Response:
    """The stored receipt PDF of a submitted version."""
    response = _load(db, response_id)
    submission = repo.get_submission(db, response, version) if response else None
    if submission is None:
        return _not_found(request)
    return Response(submission.receipt_pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{receipt_filename(submission)}"'})


@router.get("/responses/{response_id}/history", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=response_org)])
def history_page(request: Request, db: Db, response_id: int,
                 name: str | None = None) -> Response:  # fmt: skip
    """Every change of every answer (or of one question): who, when, from what, to what."""
    response = _load(db, response_id)
    if response is None:
        return _not_found(request)
    form = repo.round_form(response.round)
    lang = request.state.lang
    rows = []
    for change in repo.history(db, response, name or None):
        item = form.item(change.name)
        rows.append((change, view.label_of(item, lang) if item else change.name,
                     view.changed_value_text(form, item, change.old_value, lang),
                     view.changed_value_text(form, item, change.new_value, lang)))
    question = form.item(name) if name else None
    return page_response(
        request, "surveys/history.html", response=response, form=form, rows=rows,
        question=view.label_of(question, lang) if question else None,
        org_name=repo.organisation_name(db, response.organisation_code),
    )


@router.get("/responses/{response_id}/municipalities", response_class=HTMLResponse,
            dependencies=[guard(Permission.AGGREGATE_MEMBERS, scope=response_org)])
def municipalities(request: Request, db: Db, response_id: int) -> Response:
    """An RSS's municipalities: their submitted answers counted per question of the RSS form."""
    response = _load(db, response_id)
    if response is None:
        return _not_found(request)
    members = results.member_view(db, response)
    if members is None:
        return _not_found(request)
    form = repo.round_form(response.round)
    names = dict(members.municipalities)
    source_form = repo.round_form(members.source)
    items = [(form.item(a.rss_item), a, source_form.item(a.source))
             for a in members.aggregation.aggregates]
    return page_response(
        request, "surveys/municipalities.html", response=response, form=form,
        members=members, names=names, items=items,
        org_name=repo.organisation_name(db, response.organisation_code),
    )
