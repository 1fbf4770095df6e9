"""Reports that join the follow-up's parts: the national report as a page and as PDF, for
staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission
from naravard.web import national_report
from naravard.web.rendering import render
from naravard.web.security import get_db, guard
from naravard.web.surveys import Now

router = APIRouter(prefix="/reports", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]
Year = Annotated[str | None, Query(pattern=r"^\d{4}$")]


@router.get("/national", response_class=HTMLResponse,
            dependencies=[guard(Permission.VIEW_ALL_DATA)])
def national_page(request: Request, db: Db, now: Now, year: Year = None) -> Response:
    """The national report as a page of the site, linking its PDF and the other years."""
    lang = request.state.lang
    return render(request, "reports/national.html", layout="base.html", page=True, site="",
                  created="", years=national_report.report_years(db),
                  **national_report.report_context(db, lang, now, year))


@router.get("/national.pdf", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def national_pdf(request: Request, db: Db, year: Year = None) -> Response:
    """The national report: every indicator for Sweden and the regions, the questionnaire
    rounds, the answers beside the register, the funds and each round's answers per question;
    with ``year``, the report of that year (the indicators' years up to it, that year's
    rounds, cross-checks and agreement)."""
    pdf = national_report.report_pdf(db, request.state.lang, str(request.base_url).rstrip("/"),
                                     until=year)
    name = f"national-report-{year}.pdf" if year else "national-report.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
