"""Rounds for analysts: create, open, close, reopen one respondent, remind those who owe a
report; completeness and timeliness; answers per question; exports (CSV, Excel).

Changes need ``MANAGE_ROUNDS`` (analysts, admins); reading needs ``VIEW_ALL_DATA`` (staff).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, Principal, is_allowed
from naravard.reference.organisations import county_names
from naravard.storage import survey_import
from naravard.storage import survey_repo as repo
from naravard.storage import survey_results as results
from naravard.storage.survey_across import keys_in_several_rounds
from naravard.storage.survey_status import by_county, round_counts, round_status
from naravard.storage.survey_tables import SurveyRound
from naravard.surveys.catalog import FormEntry, all_forms, find_form
from naravard.web import round_answers
from naravard.web import surveys_reminders as reminders
from naravard.web import surveys_view as view
from naravard.web.i18n import gettext_for
from naravard.web.rendering import render
from naravard.web.security import get_db, guard
from naravard.web.surveys import Now
from naravard.web.surveys_receipt import renderer, stockholm_time

router = APIRouter(prefix="/surveys/rounds", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]


def _forms(request: Request) -> list[FormEntry]:
    return all_forms(request.app.state.settings.data_dir / "forms")


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    principal = getattr(request.state, "principal", None)
    lang = request.state.lang
    return render(request, name, status_code=status_code, v=view, local_time=stockholm_time,
                  num=lambda x: view.summary_number(x, lang),
                  can_manage=is_allowed(principal, Permission.MANAGE_ROUNDS), **context)


def _not_found(request: Request) -> Response:
    return render(request, "error.html", status_code=404, code=404)


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


# --- the list and creating a round -------------------------------------------------------------


def _rounds_page(request: Request, db: Session, status_code: int = 200,
                 **extra: Any) -> Response:  # fmt: skip
    return _page(request, "surveys/rounds.html", status_code=status_code,
                 rounds=repo.list_rounds(db), counts=round_counts(db), forms=_forms(request),
                 **{"errors": [], "values": {}, **extra})


@router.get("", response_class=HTMLResponse, dependencies=[guard(Permission.VIEW_ALL_DATA)])
def rounds(request: Request, db: Db) -> Response:
    """Every round with its status and how many have submitted; the form to create one."""
    return _rounds_page(request, db)


@router.post("")
def create(
    request: Request, db: Db, now: Now,
    principal: Principal = guard(Permission.MANAGE_ROUNDS),
    form: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    opens_on: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    interim_deadline: Annotated[str, Form()] = "",
    respondents: Annotated[str, Form()] = "all",
    codes: Annotated[str, Form()] = "",
) -> Response:
    """Create a round of a questionnaire version (pinned) for the chosen organisations."""
    _ = gettext_for(request.state.lang)
    values = {"form": form, "code": code, "title": title, "opens_on": opens_on,
              "deadline": deadline, "interim_deadline": interim_deadline,
              "respondents": respondents, "codes": codes}
    errors = []
    form_id, _sep, version = form.partition("@")
    try:
        entry = find_form(_forms(request), form_id, version or None)
    except KeyError:
        entry = None
        errors.append(_("Choose a questionnaire."))
    opens, due = _date(opens_on), _date(deadline)
    interim = _date(interim_deadline) if interim_deadline.strip() else None
    if opens is None or due is None or (interim_deadline.strip() and interim is None):
        errors.append(_("Give the dates as YYYY-MM-DD."))
    if errors or entry is None or opens is None or due is None:
        return _rounds_page(request, db, 422, errors=errors, values=values)
    kind = entry.form.settings.respondent.value
    wanted = (repo.organisations_of_kind(db, kind) if respondents == "all"
              else codes.replace(",", " ").split())
    try:
        created = repo.create_round(db, entry.form, code=code, title=title, respondents=wanted,
                                    opens_on=opens, deadline=due, interim_deadline=interim,
                                    actor=principal.username, now=now)
    except repo.SurveyError as err:
        db.rollback()
        return _rounds_page(request, db, 422, errors=[_(err.msgid, **err.params)],
                            values=values)
    db.commit()
    return _redirect(f"/surveys/rounds/{created.id}?notice=created")


# --- one round ---------------------------------------------------------------------------------


def _round(db: Session, round_id: int) -> SurveyRound | None:
    return db.get(SurveyRound, round_id)


def _round_page(request: Request, db: Session, survey_round: SurveyRound, now: dt.datetime,
                status_code: int = 200, **extra: Any) -> Response:  # fmt: skip
    form = repo.round_form(survey_round)
    status = round_status(db, survey_round, now)
    return _page(request, "surveys/round.html", status_code=status_code,
                 survey_round=survey_round, form=form, status=status,
                 counties=by_county(status)
                 if survey_round.respondent_kind == "municipality" else [],
                 notice=request.query_params.get("notice"),
                 owing=reminders.reminders_due(db, survey_round, now),
                 last_reminder=reminders.last_reminder(db, survey_round),
                 last_invitation=reminders.last_invitation(db, survey_round),
                 **{"errors": [], "values": {}, "import_errors": [], "import_values": {},
                    **extra})


@router.get("/{round_id}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def round_page(request: Request, db: Db, now: Now, round_id: int) -> Response:
    """A round: its settings, completeness and timeliness per respondent, actions."""
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    return _round_page(request, db, survey_round, now)


def _change(request: Request, db: Session, round_id: int, now: dt.datetime,
            action: str, actor: str, notify: bool = False) -> Response:  # fmt: skip
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    try:
        if action == "open":
            repo.open_round(db, survey_round, actor, now)
        else:
            repo.close_round(db, survey_round, actor, now)
    except repo.SurveyError as err:
        db.rollback()
        message = gettext_for(request.state.lang)(err.msgid, **err.params)
        return _round_page(request, db, survey_round, now, 409, errors=[message])
    if notify:
        reminders.send_reminders(db, survey_round, now, actor,
                                 request.app.state.settings.default_language,
                                 str(request.base_url).rstrip("/"), invitation=True)
    db.commit()
    return _redirect(f"/surveys/rounds/{round_id}?notice={action}ed")


@router.post("/{round_id}/open")
def open_round(request: Request, db: Db, now: Now, round_id: int,
               principal: Principal = guard(Permission.MANAGE_ROUNDS),
               notify: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Open the round for answers; with ``notify``, e-mail each respondent organisation an
    invitation (audited like a reminder)."""
    return _change(request, db, round_id, now, "open", principal.username, bool(notify))


@router.post("/{round_id}/close")
def close_round(request: Request, db: Db, now: Now, round_id: int,
                principal: Principal = guard(Permission.MANAGE_ROUNDS)) -> Response:  # fmt: skip
    """Close the round: no answer can change any more."""
    return _change(request, db, round_id, now, "clos", principal.username)


@router.post("/{round_id}/reopen")
def reopen(
    request: Request, db: Db, now: Now, round_id: int,
    principal: Principal = guard(Permission.MANAGE_ROUNDS),
    organisation: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    notify: Annotated[str, Form()] = "",
) -> Response:
    """Give one respondent a new deadline of its own, with the reason (audited); with
    ``notify``, e-mail its respondents what is reopened, why and until when."""
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    _ = gettext_for(request.state.lang)
    values = {"organisation": organisation, "reason": reason, "deadline": deadline}
    day = _date(deadline)
    if day is None:
        return _round_page(request, db, survey_round, now, 422, values=values,
                           errors=[_("Give the dates as YYYY-MM-DD.")])
    try:
        repo.reopen(db, survey_round, organisation, reason=reason, deadline=day,
                    actor=principal.username, now=now)
    except repo.SurveyError as err:
        db.rollback()
        return _round_page(request, db, survey_round, now, 422, values=values,
                           errors=[_(err.msgid, **err.params)])
    if notify:
        reminders.send_reminders(db, survey_round, now, principal.username,
                                 request.app.state.settings.default_language,
                                 str(request.base_url).rstrip("/"), only=organisation)
    db.commit()
    return _redirect(f"/surveys/rounds/{round_id}?notice=reopened"
                     + ("#remind" if notify else ""))


@router.post("/{round_id}/remind")
def remind(request: Request, db: Db, now: Now, round_id: int,
           principal: Principal = guard(Permission.MANAGE_ROUNDS)) -> Response:  # fmt: skip
    """E-mail a reminder to every respondent that owes the report now due (audited)."""
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    if not reminders.reminders_due(db, survey_round, now):
        _ = gettext_for(request.state.lang)
        return _round_page(request, db, survey_round, now, 409,
                           errors=[_("No respondent owes a report now; no reminder was sent.")])
    reminders.send_reminders(db, survey_round, now, principal.username,
                             request.app.state.settings.default_language,
                             str(request.base_url).rstrip("/"))
    db.commit()
    return _redirect(f"/surveys/rounds/{round_id}?notice=reminded#remind")


#: Largest answer file accepted for import.
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@router.post("/{round_id}/import")
async def import_answers(
    request: Request, db: Db, now: Now, round_id: int,
    principal: Principal = guard(Permission.MANAGE_ROUNDS),
    file: Annotated[UploadFile | None, File()] = None,
    arrived: Annotated[str, Form()] = "",
    submit: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Answers from a file in the layout of the round's export: every problem is listed and
    nothing stored, or every row is stored (drafts, or with ``submit`` imported versions)."""
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    _ = gettext_for(request.state.lang)
    values = {"arrived": arrived, "submit": submit, "confirm": confirm}

    def refused(status: int, errors: list[str]) -> Response:
        return _round_page(request, db, survey_round, now, status, import_values=values,
                           import_errors=errors)

    moment = now
    if arrived.strip():
        try:
            moment = dt.datetime.fromisoformat(arrived.strip())
        except ValueError:
            return refused(422, [_("Give the time of arrival as YYYY-MM-DD HH:MM.")])
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=repo.STOCKHOLM)
    if file is None or not file.filename:
        return refused(400, [_("Choose a file to import.")])
    content = await file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        return refused(413, [_("The file is larger than 5 MB.")])
    try:
        headers, rows = survey_import.read_table(file.filename, content)
    except ValueError:
        return refused(422, [_("The file is not an Excel workbook.")
                             if file.filename.lower().endswith(".xlsx")
                             else _("The file is not UTF-8 text.")])
    if not headers:
        return refused(422, [_("The file holds no rows.")])
    parsed, problems = survey_import.parse_rows(survey_round, headers, rows)
    if not problems:
        signatures = tuple(line.strip() for line in confirm.splitlines() if line.strip())
        problems = survey_import.import_answers(
            db, survey_round, parsed, actor=principal.username,
            actor_name=f"{principal.display_name} (import: {file.filename})", now=moment,
            submit=bool(submit), render_receipt=renderer("sv"),
            confirmed=lambda code: signatures)
    if problems:
        db.rollback()
        return refused(422, [p.text(_, request.state.lang) for p in problems])
    db.commit()
    kind = "submitted" if submit else "drafts"
    return _redirect(f"/surveys/rounds/{round_id}?notice=imported-{kind}-{len(parsed)}#import")


@router.get("/{round_id}/status.csv", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def status_csv(request: Request, db: Db, now: Now, round_id: int) -> Response:
    """Completeness and timeliness per respondent as CSV."""
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    status = round_status(db, survey_round, now)
    headers = ["organisation_code", "organisation_name", "status", "versions", "submitted_at",
               "on_time", "answered", "required", "completeness_percent", "deadline",
               "reopened", "open_comments"]
    rows: list[list[object]] = [
        [r.organisation_code, r.organisation_name, r.status, r.final.versions,
         r.final.first_submitted_at.isoformat(timespec="seconds")
         if r.final.first_submitted_at else None,
         None if r.final.on_time is None else ("yes" if r.final.on_time else "no"),
         r.answered, r.required, r.completeness, r.deadline.isoformat(),
         "yes" if r.reopened else "no", r.open_comments]
        for r in status.rows
    ]
    return Response(results.table_csv(headers, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{survey_round.code}-status.csv"'})


# --- answers -----------------------------------------------------------------------------------


def _kind(value: str | None) -> str | None:
    return value if value in ("interim", "final") else None


@router.get("/{round_id}/results", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def results_page(request: Request, db: Db, round_id: int, report: str | None = None,
                 county: str | None = None) -> Response:  # fmt: skip
    """Every question across the respondents' latest submitted versions (of one county's
    respondents, with ``county``)."""
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    form = repo.round_form(survey_round)
    every = results.latest_answers(db, survey_round, _kind(report))
    names = county_names()
    chosen = county if county in names else None
    present = sorted({a.county_code for a in every if a.county_code is not None}
                     | ({chosen} if chosen else set()))
    answers = [a for a in every if chosen is None or a.county_code == chosen]
    return _page(request, "surveys/results.html", survey_round=survey_round, form=form,
                 answers=answers, questions=results.question_results(form, answers),
                 report=_kind(report), across=keys_in_several_rounds(db),
                 counties=[(c, names.get(c, c), sum(1 for a in every if a.county_code == c))
                           for c in present]
                 if survey_round.respondent_kind == "municipality" else [],
                 county=chosen, county_name=names.get(chosen or "", ""))


@router.get("/{round_id}/results.pdf", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def results_pdf(request: Request, db: Db, round_id: int, report: str | None = None) -> Response:
    """The answers per question as a printable document, free texts in full."""
    survey_round = _round(db, round_id)
    if survey_round is None:
        return _not_found(request)
    kind = _kind(report)
    pdf = round_answers.answers_pdf(db, survey_round, kind, request.state.lang,
                                    str(request.base_url).rstrip("/"))
    name = f"{survey_round.code}-answers{'-' + kind if kind else ''}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _export(request: Request, db: Session, round_id: int, report: str | None,
            labels: bool) -> tuple[SurveyRound, list[str], list[list[object]]] | None:  # fmt: skip
    survey_round = _round(db, round_id)
    if survey_round is None:
        return None
    form = repo.round_form(survey_round)
    answers = results.latest_answers(db, survey_round, _kind(report))
    headers, rows = results.answer_table(form, answers, labels=labels, lang=request.state.lang)
    return survey_round, headers, rows


@router.get("/{round_id}/answers.csv", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def answers_csv(request: Request, db: Db, round_id: int, report: str | None = None,
                labels: bool = False) -> Response:  # fmt: skip
    """One row per respondent, one column per question (codes, or labels with ``labels``)."""
    found = _export(request, db, round_id, report, labels)
    if found is None:
        return _not_found(request)
    survey_round, headers, rows = found
    return Response(results.table_csv(headers, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{survey_round.code}-answers.csv"'})


@router.get("/{round_id}/answers.xlsx", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def answers_xlsx(request: Request, db: Db, round_id: int, report: str | None = None,
                 labels: bool = False) -> Response:  # fmt: skip
    """The same as an Excel workbook."""
    found = _export(request, db, round_id, report, labels)
    if found is None:
        return _not_found(request)
    survey_round, headers, rows = found
    return Response(
        results.table_xlsx(headers, rows, survey_round.code),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition":
                 f'attachment; filename="{survey_round.code}-answers.xlsx"'},
    )
