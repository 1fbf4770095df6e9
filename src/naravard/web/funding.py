"""Agreements and stimulus funds in the web UI.

Grant officers (``MANAGE_FUNDS``) load agreements, freeze allocations, decide requisitions, record
payments and repayments, decide reclaim cases and record condition submissions; staff with
``VIEW_ALL_DATA`` see every agreement. A recipient (a region's or an RSS's respondent,
``EDIT_ORG_DATA`` on its own organisation) requisitions its entitlement and submits its financial
report. The time of arrival is the server's clock (:func:`funding_clock`, replaceable in tests).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, Principal, is_allowed
from naravard.formatting import fmt_sek
from naravard.funding import key_figures
from naravard.funding.agreement_files import (
    dump_agreement_yaml,
    export_agreement_xlsx,
    load_agreement_file,
)
from naravard.funding.agreements import DutyKind
from naravard.funding.deadlines import STOCKHOLM, Deadline, duty_deadline, is_overdue
from naravard.funding.display import sv_share, sv_weight
from naravard.funding.exports import PublishedRow, PublishedTable, table_csv, table_xlsx
from naravard.funding.reports import ReclaimStatus
from naravard.funding.validation import AgreementError
from naravard.pdf import html_to_pdf
from naravard.storage import funding_overview as overview
from naravard.storage import funding_repo as repo
from naravard.storage import key_figures_repo as key_repo
from naravard.storage import reference_repo
from naravard.storage.funding_tables import (
    AllocationRun,
    StoredAgreement,
    StoredLine,
    StoredRequisition,
)
from naravard.web import funding_forms as forms
from naravard.web import funding_labels as labels
from naravard.web import funding_reminders as reminders
from naravard.web import key_form
from naravard.web.i18n import gettext_for
from naravard.web.rendering import render, templates
from naravard.web.security import get_db, guard

router = APIRouter(prefix="/funding", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]

#: Largest agreement file accepted for import.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def funding_clock() -> dt.datetime:
    """The server's time: a requisition's or report's time of arrival (tests replace it)."""
    return dt.datetime.now(dt.UTC)


Now = Annotated[dt.datetime, Depends(funding_clock)]


# --- scope resolvers ---------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def requisition_org(params: dict[str, Any], db: Session) -> str | None:
    """The organisation that owns the requisition in the path."""
    rid = _int(params.get("requisition_id"))
    return None if rid is None else repo.requisition_owner(db, rid)


def report_org(params: dict[str, Any], db: Session) -> str | None:
    """The organisation that owns the financial report in the path."""
    rid = _int(params.get("financial_report_id"))
    return None if rid is None else repo.report_owner(db, rid)


# --- helpers -----------------------------------------------------------------------------------


def local_time(moment: dt.datetime | None) -> str:
    """``2020-11-30 14:05`` in Swedish time."""
    if moment is None:
        return ""
    return repo.aware(moment).astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def fmt_share(text: str) -> str:
    """A stored exact share as a Swedish percentage."""
    return sv_share(repo.fraction(text))


def fmt_weight(text: str) -> str:
    """A stored exact weight in Swedish form."""
    return sv_weight(repo.fraction(text))


HELPERS = {"local_time": local_time, "fmt_share": fmt_share, "fmt_weight": fmt_weight,
           **labels.HELPERS}


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    principal = getattr(request.state, "principal", None)
    return render(request, name, status_code=status_code, **HELPERS,
                  can_manage=is_allowed(principal, Permission.MANAGE_FUNDS), **context)


def _html(request: Request, name: str, **context: Any) -> str:
    """A standalone document (for PDF) in the request's language."""
    lang = request.state.lang
    return templates.env.get_template(name).render(
        _=gettext_for(lang), lang=lang, **HELPERS, **context
    )


def _not_found(request: Request) -> Response:
    return render(request, "error.html", status_code=404, code=404)


def _refused(request: Request, err: repo.FundingError, back: str) -> Response:
    message = gettext_for(request.state.lang)(err.msgid, **err.params)
    return _page(request, "funding/problem.html", status_code=409, message=message, back=back)


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _apply(request: Request, db: Session, back: str, target: str,
           change: Callable[[], object]) -> Response:
    """Run ``change`` in the request's transaction: commit and go to ``target``, or roll back
    and explain the refusal with a link ``back``."""
    try:
        change()
    except repo.FundingError as err:
        db.rollback()
        return _refused(request, err, back)
    db.commit()
    return _redirect(target)


def _agreement_or_none(db: Session, code: str) -> StoredAgreement | None:
    return repo.get_agreement(db, code)


def _line_and_run(
    db: Session, agreement_id: str, line_id: str
) -> tuple[StoredLine | None, AllocationRun | None]:
    line = repo.get_line(db, agreement_id, line_id)
    return line, None if line is None else repo.current_run(db, line.id)


# --- pages for everyone signed in --------------------------------------------------------------


@router.get("", dependencies=[guard(Permission.SIGNED_IN)])
def funding_home(request: Request) -> Response:
    """Staff go to the agreements, a respondent to its own organisation's funds."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is not None and is_allowed(principal, Permission.VIEW_ALL_DATA):
        return _redirect("/funding/agreements")
    code = principal.organisation_code if principal else None
    return _redirect(f"/funding/org/{quote(code)}" if code else "/")


# --- agreements (grant officer) ----------------------------------------------------------------


def _agreements_page(
    request: Request, db: Session, status_code: int = 200, **extra: Any
) -> Response:
    rows = []
    for stored in repo.list_agreements(db):
        frozen = sum(1 for li in stored.lines if repo.current_run(db, li.id) is not None)
        rows.append((stored, frozen))
    return _page(request, "funding/agreements.html", status_code=status_code, rows=rows,
                 **{"import_errors": [], "notice": request.query_params.get("notice"), **extra})


@router.get("/agreements", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def agreements(request: Request, db: Db) -> Response:
    """Every stored agreement, and the import form for grant officers."""
    return _agreements_page(request, db)


@router.post("/agreements/import")
async def import_agreement(
    request: Request,
    db: Db,
    now: Now,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import an agreement from a YAML or Excel file (checked in full; every problem listed)."""
    _ = gettext_for(request.state.lang)
    if file is None or not file.filename:
        return _agreements_page(request, db, 400, import_errors=[_("Choose a file to import.")])
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _agreements_page(request, db, 413,
                                import_errors=[_("The file is larger than 5 MB.")])
    try:
        agreement = load_agreement_file(file.filename, content)
    except AgreementError as err:
        return _agreements_page(request, db, 422, import_errors=[str(err)])
    except UnicodeDecodeError:
        return _agreements_page(request, db, 422,
                                import_errors=[_("The file is not UTF-8 text.")])
    try:
        repo.store_agreement(db, agreement, f"import: {file.filename}", principal.username, now)
    except repo.FundingError as err:
        db.rollback()
        return _agreements_page(request, db, 409,
                                import_errors=[_(err.msgid, **err.params)])
    db.commit()
    return _redirect(f"/funding/agreements/{quote(agreement.id)}")


@router.post("/agreements/load-shipped")
def load_shipped(
    db: Db, now: Now, principal: Principal = guard(Permission.MANAGE_FUNDS)
) -> Response:
    """Store the agreements shipped with Nära (those already stored unchanged are left alone)."""
    repo.load_shipped(db, principal.username, now)
    db.commit()
    return _redirect("/funding/agreements?notice=loaded")


def _grouped(items: list[overview.LateItem], sections: dict[str, str]
             ) -> list[tuple[overview.LateItem, str]]:
    """Late items, with lapsed requisition rights as one row per recipient (amounts summed),
    each with the sections of its lines in the agreement's order (``sections``: line code →
    section or label, in that order)."""
    rows: list[tuple[overview.LateItem, list[str]]] = []
    lapsed: dict[str, int] = {}  # recipient → its row
    for item in items:
        codes = [item.line_code] if item.line_code else []
        at = lapsed.get(item.recipient_code)
        if item.kind != "requisition_lapsed" or at is None:
            if item.kind == "requisition_lapsed":
                lapsed[item.recipient_code] = len(rows)
            rows.append((item, codes))
            continue
        seen, known = rows[at]
        rows[at] = (dataclasses.replace(seen, amount_sek=seen.amount_sek + item.amount_sek),
                    known + codes)
    order = {code: n for n, code in enumerate(sections)}
    return [(item, ", ".join(sections.get(c, c)
                             for c in sorted(codes, key=lambda c: order.get(c, -1))))
            for item, codes in rows]


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def agreement_page(request: Request, db: Db, now: Now, agreement_id: str) -> Response:
    """One agreement: lines, recipients, requisitions, late items, reclaim cases, eligibility."""
    stored = _agreement_or_none(db, agreement_id)
    if stored is None:
        return _not_found(request)
    agreement = repo.agreement_of(stored)
    elig = overview.eligibility(db, agreement_id, now)
    lines = overview.line_summaries(db, agreement_id)
    return _page(
        request, "funding/agreement.html", stored=stored, agreement=agreement, lines=lines,
        lines_total=sum(s.line.amount_sek or 0 for s in lines),
        recipients=overview.recipient_summaries(db, agreement_id, now),
        late=_grouped(overview.late_items(db, agreement_id, now),
                      {s.line.code: s.line.section or s.line.label for s in lines}),
        requisitions=overview.requisitions_of(db, agreement_id),
        cases=overview.reclaim_cases(db, agreement_id),
        eligibility=elig, eligibility_duties=sorted({e.duty_id for e in elig}),
        eligibility_orgs=sorted({(e.organisation_code, e.organisation_name) for e in elig}),
        duties=sorted(agreement.duties, key=lambda d: (d.deadline is None,
                                                       d.deadline or dt.date.max, d.id)),
        now=now, notice=request.query_params.get("notice"),
        reports_due=reminders.reports_due(db, agreement_id, now),
        last_report_reminder=reminders.last_report_reminder(db, agreement_id),
    )


@router.post("/agreements/{agreement_id}/remind-reports")
def remind_reports(request: Request, db: Db, now: Now, agreement_id: str,
                   principal: Principal = guard(Permission.MANAGE_FUNDS)) -> Response:
    """E-mail the recipients whose financial report is due or late (audited)."""
    if _agreement_or_none(db, agreement_id) is None:
        return _not_found(request)
    if not reminders.reports_due(db, agreement_id, now):
        return _redirect(f"/funding/agreements/{quote(agreement_id)}?notice=nothing-due"
                         "#report-reminders")
    reminders.send_report_reminders(db, agreement_id, now, principal.username,
                                    request.app.state.settings.default_language,
                                    str(request.base_url).rstrip("/"))
    db.commit()
    return _redirect(f"/funding/agreements/{quote(agreement_id)}?notice=reminded"
                     "#report-reminders")


@router.get("/agreements/{agreement_id}/export.yaml",
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def export_yaml(request: Request, db: Db, agreement_id: str) -> Response:
    """The agreement as YAML."""
    stored = _agreement_or_none(db, agreement_id)
    if stored is None:
        return _not_found(request)
    return Response(
        dump_agreement_yaml(repo.agreement_of(stored)), media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{stored.code}.yaml"'},
    )


@router.get("/agreements/{agreement_id}/export.xlsx",
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def export_xlsx(request: Request, db: Db, agreement_id: str) -> Response:
    """The agreement as an Excel workbook (the layout ``agreement import`` reads back)."""
    stored = _agreement_or_none(db, agreement_id)
    if stored is None:
        return _not_found(request)
    return Response(
        export_agreement_xlsx(repo.agreement_of(stored)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{stored.code}.xlsx"'},
    )


@router.post("/agreements/{agreement_id}/freeze")
def freeze(
    request: Request, db: Db, now: Now, agreement_id: str,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
) -> Response:
    """Allocate and freeze every line that can be allocated and is not frozen yet."""
    if _agreement_or_none(db, agreement_id) is None:
        return _not_found(request)
    outcomes = repo.freeze_allocations(db, agreement_id, principal.username, now)
    db.commit()
    count = sum(1 for o in outcomes if o.newly_frozen)
    return _redirect(f"/funding/agreements/{quote(agreement_id)}?notice=frozen-{count}")


KEY_PATH = "/agreements/{agreement_id}/keys/{key_id}"


def _key_page(request: Request, view: key_repo.KeyView, values: forms.FormValues,
              errors: forms.Errors, status_code: int = 200) -> Response:
    gettext = gettext_for(request.state.lang)
    agreement, key = view.agreement, view.key
    total = sum((Fraction(e.weight) for e in key.entries if e.weight is not None), Fraction(0))
    rows = [(e.code, e.name, "" if e.weight is None else sv_weight(Fraction(e.weight)),
             sv_share(Fraction(e.weight) / total) if e.weight is not None and total else "")
            for e in key.entries]
    return _page(request, "funding/key.html", status_code=status_code, view=view,
                 agreement=agreement, key=key, values=values, rows=rows,
                 total=sv_weight(total), errors=forms.translate(errors, gettext),
                 whole=key_figures.needs_whole_numbers(agreement, key.id),
                 line_labels={li.id: li.label for li in agreement.lines})


@router.get(KEY_PATH, response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def key_page(request: Request, db: Db, agreement_id: str, key_id: str) -> Response:
    """An allocation key: its figures and source, the lines using it, and (for grant officers,
    while no allocation rests on it) the form to supply its figures."""
    view = key_repo.key_view(db, agreement_id, key_id)
    if view is None:
        return _not_found(request)
    key = view.key
    stated = key.reference_period if key.reference_period != labels.NOT_STATED_PERIOD else ""
    values = key_form.initial_values([(e.code, e.weight) for e in key.entries],
                                     key.source if key.available else "", stated)
    return _key_page(request, view, values, {})


@router.post(KEY_PATH)
async def supply_key(
    request: Request, db: Db, now: Now, agreement_id: str, key_id: str,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
) -> Response:
    """Store the figures of a key; on any problem show the form again with every value kept."""
    view = key_repo.key_view(db, agreement_id, key_id)
    if view is None:
        return _not_found(request)
    codes = [e.code for e in view.key.entries]
    values = forms.FormValues.of(await request.form(), key_form.field_names(codes))
    figures, errors = key_form.parse_figures(values, codes)
    try:
        key_repo.supply_key_figures(db, agreement_id, key_id, figures, values[key_form.SOURCE],
                                    values[key_form.PERIOD], principal.username, now)
    except key_repo.KeyFiguresError as err:
        key_form.add_figure_problems(errors, err.problems)
    except repo.FundingError as err:
        db.rollback()
        return _refused(request, err, f"/funding/agreements/{quote(agreement_id)}/keys/"
                                      f"{quote(key_id)}")
    if errors:
        db.rollback()
        return _key_page(request, view, values, errors, status_code=422)
    db.commit()
    return _redirect(f"/funding/agreements/{quote(agreement_id)}?notice=key-supplied#lines")


@router.post("/agreements/{agreement_id}/submissions")
def record_submission(
    request: Request, db: Db, agreement_id: str,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
    duty_id: Annotated[str, Form()] = "",
    organisation_code: Annotated[str, Form()] = "",
    submitted_on: Annotated[str, Form()] = "",
    submitted_time: Annotated[str, Form()] = "",
) -> Response:
    """Record when an organisation submitted what a condition asks for (Swedish time)."""
    back = f"/funding/agreements/{quote(agreement_id)}"
    if _agreement_or_none(db, agreement_id) is None:
        return _not_found(request)
    day = forms.parse_date(submitted_on)
    try:
        clock = dt.time.fromisoformat(submitted_time.strip() or "12:00")
    except ValueError:
        clock = None
    if day is None or clock is None:
        err = repo.FundingError("Give the date as YYYY-MM-DD and the time as HH:MM.")
        return _refused(request, err, back)
    moment = dt.datetime.combine(day, clock, tzinfo=STOCKHOLM)
    return _apply(request, db, back, f"{back}?notice=submission#eligibility",
                  lambda: repo.record_submission(
                      db, agreement_id, duty_id, organisation_code, moment, principal.username))


# --- lines and allocation tables ----------------------------------------------------------------


@router.get("/agreements/{agreement_id}/lines/{line_id}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def line_page(request: Request, db: Db, agreement_id: str, line_id: str) -> Response:
    """A line's frozen allocation with its key, and what each recipient requisitioned."""
    stored = _agreement_or_none(db, agreement_id)
    line, run = _line_and_run(db, agreement_id, line_id)
    if stored is None or line is None:
        return _not_found(request)
    summary = next(s for s in overview.line_summaries(db, agreement_id) if s.line.id == line.id)
    agreement = repo.agreement_of(stored)
    return _page(request, "funding/line.html", stored=stored, line=line, run=run,
                 summary=summary, domain_line=agreement.line(line.code),
                 rows=overview.share_rows(db, line, run) if run else [])


def _published(request: Request, stored: StoredAgreement, line: StoredLine,
               run: AllocationRun) -> PublishedTable:
    _ = gettext_for(request.state.lang)
    notes = [
        _("Agreement %(code)s, line %(line)s (section %(section)s): %(amount)s.",
          code=stored.code, line=line.code, section=labels.or_not_stated(line.section, _),
          amount=fmt_sek(run.total_sek)),
        _("Key: %(basis)s.", basis=labels.basis_label(run, _)),
        _("Frozen %(time)s by %(user)s.", time=local_time(run.frozen_at), user=run.frozen_by),
    ]
    if run.population_date and run.population_date != run.requested_population_date:
        notes.append(_("The agreement names population on %(wanted)s; the closest loaded date, "
                       "%(used)s, is used.", wanted=str(run.requested_population_date),
                       used=run.population_date.isoformat()))
    return PublishedTable(
        title=f"{stored.name}: {line.label}", notes=tuple(notes),
        headers=(_("Code"), _("Recipient"), _("Amount (kr)")), total_label=_("Total"),
        rows=tuple(PublishedRow(s.recipient_code, s.recipient_name, s.amount_sek)
                   for s in run.shares),
    )


def _table_or_404(
    request: Request, db: Db, agreement_id: str, line_id: str
) -> tuple[PublishedTable, str] | Response:
    stored = _agreement_or_none(db, agreement_id)
    line, run = _line_and_run(db, agreement_id, line_id)
    if stored is None or line is None or run is None:
        return _not_found(request)
    return _published(request, stored, line, run), f"{stored.code}-{line.code}"


@router.get("/agreements/{agreement_id}/lines/{line_id}/allocation.csv",
            dependencies=[guard(Permission.SIGNED_IN)])
def allocation_csv(request: Request, db: Db, agreement_id: str, line_id: str) -> Response:
    """The frozen allocation table as CSV (code, recipient, amount; total row)."""
    found = _table_or_404(request, db, agreement_id, line_id)
    if isinstance(found, Response):
        return found
    table, stem = found
    return Response(table_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})


@router.get("/agreements/{agreement_id}/lines/{line_id}/allocation.xlsx",
            dependencies=[guard(Permission.SIGNED_IN)])
def allocation_xlsx(request: Request, db: Db, agreement_id: str, line_id: str) -> Response:
    """The frozen allocation table as an Excel workbook."""
    found = _table_or_404(request, db, agreement_id, line_id)
    if isinstance(found, Response):
        return found
    table, stem = found
    return Response(
        table_xlsx(table),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )


@router.get("/agreements/{agreement_id}/lines/{line_id}/allocation.pdf",
            dependencies=[guard(Permission.SIGNED_IN)])
def allocation_pdf(request: Request, db: Db, agreement_id: str, line_id: str) -> Response:
    """The frozen allocation table as a PDF."""
    found = _table_or_404(request, db, agreement_id, line_id)
    if isinstance(found, Response):
        return found
    table, stem = found
    html = _html(request, "funding/allocation_pdf.html", table=table)
    return Response(html_to_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'})


# --- a recipient's funds -----------------------------------------------------------------------


@router.get("/org/{code}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope="code")])
def organisation_funds(request: Request, db: Db, now: Now, code: str) -> Response:
    """An organisation's entitlements, requisitions and obligations with their deadlines."""
    org = reference_repo.organisation_by_code(db, code)
    if org is None:
        return _not_found(request)
    return _page(request, "funding/recipient.html", org=org,
                 views=overview.recipient_view(db, code, now), now=now,
                 can_edit=is_allowed(request.state.principal, Permission.EDIT_ORG_DATA, code),
                 notice=request.query_params.get("notice"))


def _entitlement_context(
    db: Session, code: str, agreement_id: str, line_id: str, now: dt.datetime
) -> dict[str, Any] | None:
    stored = _agreement_or_none(db, agreement_id)
    line, run = _line_and_run(db, agreement_id, line_id)
    if stored is None or line is None or run is None:
        return None
    amount = repo.entitlement(run, code)
    if amount is None:
        return None
    agreement = repo.agreement_of(stored)
    held = repo.requisitions_for(db, line.id, code)
    deadline = repo.deadline_for(agreement, code, DutyKind.REQUISITION)
    return {
        "stored": stored, "agreement": agreement, "line": line, "entitlement": amount,
        "earlier": held, "remaining": max(0, amount - sum(r.amount_sek for r in held)),
        "deadline": deadline, "closed": deadline is not None and is_overdue(now, deadline),
    }


def _requisition_defaults(db: Session, code: str, ctx: dict[str, Any]) -> forms.FormValues:
    org = reference_repo.organisation_by_code(db, code)
    agreement = ctx["agreement"]
    year = agreement.year
    values = forms.FormValues.of({}, forms.REQUISITION_FIELDS)
    values.update({
        "recipient_name": org.name if org else "",
        "agreement_name": agreement.name,
        "agreement_case_number": agreement.case_numbers.agreement or "",
        "payment_decision_case_number": agreement.case_numbers.payment_decision or "",
        "amount_sek": str(ctx["remaining"]),
        "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
    })
    return values


REQUISITION_PATH = "/org/{code}/agreements/{agreement_id}/lines/{line_id}/requisition"


@router.get(REQUISITION_PATH, response_class=HTMLResponse,
            dependencies=[guard(Permission.EDIT_ORG_DATA, scope="code")])
def requisition_form(
    request: Request, db: Db, now: Now, code: str, agreement_id: str, line_id: str
) -> Response:
    """The requisition form (Bilaga 4) for one line, prefilled with what is known."""
    ctx = _entitlement_context(db, code, agreement_id, line_id, now)
    if ctx is None:
        return _not_found(request)
    values = _requisition_defaults(db, code, ctx)
    values["signed_on"] = now.astimezone(STOCKHOLM).date().isoformat()
    return _page(request, "funding/requisition_form.html", code=code, values=values,
                 errors={}, **ctx)


@router.post(REQUISITION_PATH)
async def submit_requisition(
    request: Request, db: Db, now: Now, code: str, agreement_id: str, line_id: str,
    principal: Principal = guard(Permission.EDIT_ORG_DATA, scope="code"),
) -> Response:
    """Check and store a requisition; on any problem show the form again with every value kept."""
    ctx = _entitlement_context(db, code, agreement_id, line_id, now)
    if ctx is None:
        return _not_found(request)
    values = forms.FormValues.of(await request.form(), forms.REQUISITION_FIELDS)
    req, errors = forms.parse_requisition(values, code, line_id, now)
    outcome = repo.submit_requisition(db, agreement_id, req, principal.username,
                                      store=not errors)
    forms.add_problems(errors, outcome.problems)
    if errors or outcome.row is None:
        db.rollback()
        gettext = gettext_for(request.state.lang)
        return _page(request, "funding/requisition_form.html", status_code=422, code=code,
                     values=values, errors=forms.translate(errors, gettext), **ctx)
    _tell(request, db, outcome.row, now, principal.username)  # a receipt by e-mail
    db.commit()
    return _redirect(f"/funding/requisitions/{outcome.row.id}?notice=submitted")


REPORT_PATH = "/org/{code}/agreements/{agreement_id}/report"


def _report_context(db: Session, code: str, agreement_id: str) -> dict[str, Any] | None:
    stored = _agreement_or_none(db, agreement_id)
    if stored is None:
        return None
    agreement = repo.agreement_of(stored)
    figures = repo.grant_figures(db, agreement_id, code)
    if figures.grant_sek == 0:
        return None
    return {"stored": stored, "agreement": agreement, "figures": figures,
            "deadline": repo.deadline_for(agreement, code, DutyKind.FINANCIAL_REPORT),
            "repayment_deadline": repo.deadline_for(agreement, code, DutyKind.REPAYMENT),
            "cost_rows": range(forms.COST_ROWS)}


@router.get(REPORT_PATH, response_class=HTMLResponse,
            dependencies=[guard(Permission.EDIT_ORG_DATA, scope="code")])
def report_form(request: Request, db: Db, now: Now, code: str, agreement_id: str) -> Response:
    """The financial report form (Bilaga 4) with the grant and payments on record."""
    ctx = _report_context(db, code, agreement_id)
    if ctx is None:
        return _not_found(request)
    existing = repo.report_of(db, agreement_id, code)
    if existing is not None:
        return _redirect(f"/funding/reports/{existing.id}")
    org = reference_repo.organisation_by_code(db, code)
    agreement = ctx["agreement"]
    values = forms.FormValues.of({}, forms.REPORT_FIELDS)
    values.update({
        "recipient_name": org.name if org else "", "agreement_name": agreement.name,
        "agreement_case_number": agreement.case_numbers.agreement or "",
        "payment_decision_case_number": agreement.case_numbers.payment_decision or "",
        "received_sek": str(ctx["figures"].paid_sek),
        "period_start": f"{agreement.year}-01-01", "period_end": f"{agreement.year}-12-31",
        "signed_on": now.astimezone(STOCKHOLM).date().isoformat(),
    })
    return _page(request, "funding/report_form.html", code=code, values=values, errors={},
                 **ctx)


@router.post(REPORT_PATH)
async def submit_report(
    request: Request, db: Db, now: Now, code: str, agreement_id: str,
    principal: Principal = guard(Permission.EDIT_ORG_DATA, scope="code"),
) -> Response:
    """Check and store a financial report, its repayment obligation and any reclaim case."""
    ctx = _report_context(db, code, agreement_id)
    if ctx is None:
        return _not_found(request)
    values = forms.FormValues.of(await request.form(), forms.REPORT_FIELDS)
    figures = ctx["figures"]
    report, errors, rows = forms.parse_report(values, code, figures.grant_sek, figures.paid_sek,
                                              now)
    contact = {k: values[k] for k in (*forms.CONTACT_FIELDS, "agreement_name")}
    outcome = repo.submit_report(db, agreement_id, report, contact, principal.username,
                                 store=not errors)
    forms.add_problems(errors, outcome.problems, rows)
    if errors or outcome.row is None:
        db.rollback()
        gettext = gettext_for(request.state.lang)
        return _page(request, "funding/report_form.html", status_code=422, code=code,
                     values=values, errors=forms.translate(errors, gettext), **ctx)
    db.commit()
    return _redirect(f"/funding/reports/{outcome.row.id}?notice=submitted")


# --- requisitions -------------------------------------------------------------------------------


def _requisition_context(db: Session, requisition_id: int) -> dict[str, Any] | None:
    row = repo.get_requisition(db, requisition_id)
    if row is None:
        return None
    stored = row.line.agreement
    agreement = repo.agreement_of(stored)
    deadline = repo.deadline_for(agreement, row.recipient_code, DutyKind.REQUISITION)
    return {"row": row, "stored": stored, "agreement": agreement, "deadline": deadline}


@router.get("/requisitions/{requisition_id}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=requisition_org)])
def requisition_page(request: Request, db: Db, requisition_id: int) -> Response:
    """A requisition with its decision and payment (and the forms for grant officers)."""
    ctx = _requisition_context(db, requisition_id)
    if ctx is None:
        return _not_found(request)
    return _page(request, "funding/requisition.html", notice=request.query_params.get("notice"),
                 told=reminders.last_requisition_notice(db, requisition_id), **ctx)


@router.get("/requisitions/{requisition_id}/pdf",
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=requisition_org)])
def requisition_pdf(request: Request, db: Db, requisition_id: int) -> Response:
    """The requisition as a PDF, to sign in original."""
    ctx = _requisition_context(db, requisition_id)
    if ctx is None:
        return _not_found(request)
    html = _html(request, "funding/requisition_pdf.html", **ctx)
    return Response(html_to_pdf(html), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="rekvisition-{requisition_id}.pdf"'})


@router.post("/requisitions/{requisition_id}/decision")
def decide_requisition(
    request: Request, db: Db, now: Now, requisition_id: int,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Approve or reject a submitted requisition."""
    back = f"/funding/requisitions/{requisition_id}"
    if decision not in ("approve", "reject"):
        return _refused(request, repo.FundingError("Choose approve or reject."), back)

    def change() -> None:
        row = repo.decide_requisition(db, requisition_id, decision == "approve",
                                      principal.username, now, note)
        _tell(request, db, row, now, principal.username)

    return _apply(request, db, back, f"{back}?notice={decision}d", change)


def _tell(request: Request, db: Session, row: StoredRequisition, now: dt.datetime,
          actor: str) -> None:  # fmt: skip
    """Tell the recipient a requisition's new status by e-mail (the outcome is audited)."""
    reminders.tell_requisition(db, row, now, actor,
                               request.app.state.settings.default_language,
                               str(request.base_url).rstrip("/"))


@router.post("/requisitions/{requisition_id}/payment")
def record_payment(
    request: Request, db: Db, now: Now, requisition_id: int,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
    paid_on: Annotated[str, Form()] = "",
    payout_reference: Annotated[str, Form()] = "",
) -> Response:
    """Record the one-off payment of an approved requisition."""
    back = f"/funding/requisitions/{requisition_id}"
    day = forms.parse_date(paid_on)
    if day is None:
        return _refused(request, repo.FundingError("Give a date as YYYY-MM-DD."), back)

    def change() -> None:
        assert day is not None
        row = repo.record_payment(db, requisition_id, day, payout_reference, principal.username)
        _tell(request, db, row, now, principal.username)

    return _apply(request, db, back, f"{back}?notice=paid", change)


# --- financial reports, repayments, reclaim cases -----------------------------------------------


@router.get("/reports/{financial_report_id}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope=report_org)])
def report_page(request: Request, db: Db, now: Now, financial_report_id: int) -> Response:
    """A financial report with its repayment obligation and reclaim case."""
    row = repo.get_report(db, financial_report_id)
    if row is None:
        return _not_found(request)
    agreement = repo.agreement_of(row.agreement)
    obligation = repo.obligation_of(db, row.id)
    cases = [c for c in overview.reclaim_cases(db, row.agreement.code, row.recipient_code)
             if c.report_id == row.id]
    deadline: Deadline | None = None
    duty = repo.duty_for(agreement, row.recipient_code, DutyKind.FINANCIAL_REPORT)
    if duty is not None:
        deadline = duty_deadline(duty)
    return _page(request, "funding/report.html", row=row, agreement=agreement,
                 obligation=obligation,
                 repayment=overview.obligation_status(obligation, now) if obligation else None,
                 cases=cases, deadline=deadline, now=now,
                 notice=request.query_params.get("notice"))


@router.post("/reclaims/{reclaim_id}/decision")
def decide_reclaim(
    request: Request, db: Db, now: Now, reclaim_id: int,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Decide a reclaim case: reclaim the grant or not (with the reason)."""
    case = repo.get_reclaim(db, reclaim_id)
    if case is None:
        return _not_found(request)
    back = (f"/funding/reports/{case.report_id}" if case.report_id
            else f"/funding/agreements/{quote(case.agreement.code)}")
    try:
        status = ReclaimStatus(decision)
    except ValueError:
        return _refused(request, repo.FundingError("Decide: reclaim or no reclaim."), back)
    return _apply(request, db, back, f"{back}?notice=decided",
                  lambda: repo.decide_reclaim(
                      db, reclaim_id, status, note, principal.username, now))


@router.post("/obligations/{obligation_id}/repayments")
def record_repayment(
    request: Request, db: Db, obligation_id: int,
    principal: Principal = guard(Permission.MANAGE_FUNDS),
    amount_sek: Annotated[str, Form()] = "",
    received_on: Annotated[str, Form()] = "",
) -> Response:
    """Record money repaid against an obligation (the day it reached the paying agency)."""
    obligation = repo.get_obligation(db, obligation_id)
    if obligation is None:
        return _not_found(request)
    back = f"/funding/reports/{obligation.report_id}"
    amount = forms.parse_sek(amount_sek)
    day = forms.parse_date(received_on)
    if amount is None or day is None:
        err = repo.FundingError("Give the amount in whole kronor and the date as YYYY-MM-DD.")
        return _refused(request, err, back)
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=STOCKHOLM)
    return _apply(request, db, back, f"{back}?notice=repaid",
                  lambda: repo.record_repayment(
                      db, obligation_id, amount, moment, principal.username))

