"""Pages everyone uses: sign-in, start page by role, organisations, language, health."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, Principal, Role
from naravard.funding.deadlines import STOCKHOLM
from naravard.storage import reference_repo, users_repo
from naravard.web import carry as carry_mod
from naravard.web import start_tasks
from naravard.web.funding import funding_clock
from naravard.web.i18n import LANGUAGES
from naravard.web.rendering import render
from naravard.web.security import SESSION_COOKIE, get_db, guard
from naravard.web.surveys import surveys_clock

router = APIRouter(include_in_schema=False)
#: The site's icon (``static/favicon.svg``), read once.
FAVICON = files("naravard.web").joinpath("static", "favicon.svg").read_bytes()
Db = Annotated[Session, Depends(get_db)]


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def pick_date(db: Session, wanted: str | None) -> tuple[dt.date | None, list[dt.date]]:
    """The requested reference date if loaded, else the newest."""
    dates = reference_repo.population_dates(db)
    if wanted:
        try:
            day = dt.date.fromisoformat(wanted)
        except ValueError:
            day = None
        if day in dates:
            return day, dates
    return (dates[-1] if dates else None), dates


@router.get("/healthz", dependencies=[guard(Permission.PUBLIC)])
def healthz(db: Db) -> JSONResponse:
    """Liveness and database check."""
    db.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})


@router.get("/favicon.ico", dependencies=[guard(Permission.PUBLIC)])
def favicon() -> Response:
    """The site's icon where a browser asks for it without a page naming one (the pages
    link ``/static/favicon.svg``)."""
    return Response(FAVICON, media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/login", response_class=HTMLResponse, dependencies=[guard(Permission.PUBLIC)])
def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "login.html", next=safe_next(next), error=None, username="",
                  carry="", carry_action="")


@router.post("/login", dependencies=[guard(Permission.PUBLIC)])
def login(
    request: Request,
    db: Db,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    carry: Annotated[str, Form()] = "",
    carry_action: Annotated[str, Form()] = "",
) -> Response:
    """Check the credentials (rate limited) and open a session; a form carried through sign-in
    (see :mod:`naravard.web.carry`) is then posted again."""
    settings = request.app.state.settings
    client = request.client.host if request.client else "unknown"
    outcome = users_repo.login(
        db, username, password, client, settings.session_hours, settings.login_max_failures,
        dt.timedelta(minutes=settings.login_window_minutes),
    )
    db.commit()
    if not outcome.ok:
        error = "throttled" if outcome.throttled else "invalid"
        return render(request, "login.html", status_code=429 if outcome.throttled else 401,
                      next=safe_next(next), error=error, username=username, carry=carry,
                      carry_action=carry_action)
    from naravard.web.app import secure_cookie

    action = carry_mod.safe_action(carry_action)
    fields = carry_mod.decode(carry)
    response: Response
    if action and fields:
        response = carry_mod.resume(request, action, fields)
    else:
        response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, outcome.token or "", httponly=True, samesite="lax",
                        secure=secure_cookie(request, settings),
                        max_age=settings.session_hours * 3600, path="/")
    return response


@router.post("/logout", dependencies=[guard(Permission.PUBLIC)])
def logout(request: Request, db: Db) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        users_repo.logout(db, token)
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language", dependencies=[guard(Permission.PUBLIC)])
def set_language(
    lang: Annotated[str, Form()], back: Annotated[str, Form()] = "/"
) -> Response:
    """Switch the UI language (remembered in a cookie for a year)."""
    response = RedirectResponse(safe_next(back), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def start(
    request: Request, db: Db, principal: Principal = guard(Permission.SIGNED_IN),
    now: dt.datetime = Depends(surveys_clock), funds_now: dt.datetime = Depends(funding_clock),
) -> Response:
    """Start page: what this role does here and what is due for it now (the questionnaires
    by the questionnaires' clock, the funds by the funds' clock, as on their own pages)."""
    day, _ = pick_date(db, None)
    org = None
    members: list[object] = []
    surveys: list[start_tasks.Task] = []
    answers: list[start_tasks.Task] = []
    checks: list[start_tasks.Task] = []
    funds: list[list[start_tasks.Task]] = []
    if principal.role is Role.RESPONDENT and principal.organisation_code:
        org = reference_repo.organisation_by_code(db, principal.organisation_code)
        if org is not None and day is not None:
            members = list(reference_repo.members(db, org.code, day))
        if org is not None:
            surveys = start_tasks.questionnaire_tasks(db, org.code, now, request.state.lang)
            if org.kind == "rss":
                answers = start_tasks.member_tasks(db, org.code, now, request.state.lang)
            funds = start_tasks.grouped(start_tasks.fund_tasks(db, org.code, funds_now))
    elif principal.role is Role.ANALYST:
        surveys = start_tasks.analyst_tasks(db, now)
        checks = start_tasks.crosscheck_tasks(db, request.state.lang)
    elif principal.role is Role.GRANT_OFFICER:
        funds = start_tasks.grouped(start_tasks.grant_officer_tasks(db, funds_now))
    return render(request, "start.html", org=org, members=members, surveys=surveys,
                  member_answers=answers, checks=checks,
                  funds=funds, today=now.astimezone(STOCKHOLM).date(),
                  funds_today=funds_now.astimezone(STOCKHOLM).date())


@router.get("/organisations", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_REFERENCE)])
def organisation_list(request: Request, db: Db, date: str | None = None) -> Response:
    """The 21 regions with population on a reference date, and the RSS."""
    day, dates = pick_date(db, date)
    regions = reference_repo.organisations(db, "region", day)
    nation = reference_repo.organisations(db, "nation", day)
    return render(request, "organisations.html", regions=regions, nation=nation[0] if nation
                  else None, day=day, dates=dates, rss=reference_repo.organisations(db, "rss"))


@router.get("/organisations/{code}", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_REFERENCE)])
def organisation_detail(request: Request, db: Db, code: str, date: str | None = None) -> Response:
    """One organisation: population and members (municipalities of a region or an RSS)."""
    org = reference_repo.organisation_by_code(db, code)
    if org is None:
        return render(request, "error.html", status_code=404, code=404)
    day, dates = pick_date(db, date)
    rows = reference_repo.organisations(db, org.kind, day)
    this = next(r for r in rows if r.code == code)
    members = []
    if day is not None and org.kind in ("region", "rss"):
        member_codes = {m.code for m in reference_repo.members(db, code, day)}
        members = [r for r in reference_repo.organisations(db, "municipality", day)
                   if r.code in member_codes]
    return render(request, "organisation.html", org=this, members=members, day=day, dates=dates)


@router.get("/organisations/{code}/users", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope="code")])
def organisation_users(request: Request, db: Db, code: str) -> Response:
    """Who signs in for an organisation (the organisation itself and the authority see this)."""
    org = reference_repo.organisation_by_code(db, code)
    if org is None:
        return render(request, "error.html", status_code=404, code=404)
    return render(request, "org_users.html", org=org, users=users_repo.list_users(db, code))
