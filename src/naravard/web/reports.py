"""Reports that join the follow-up's parts: the national report as PDF, for staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission
from naravard.web import national_report
from naravard.web.security import get_db, guard

router = APIRouter(prefix="/reports", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]


@router.get("/national.pdf", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def national_pdf(request: Request, db: Db,
                 year: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None) -> Response:
    """The national report: every indicator for Sweden and the regions, the questionnaire
    rounds, the answers beside the register and the funds; with ``year``, the indicators'
    years up to it (a report of that year)."""
    pdf = national_report.report_pdf(db, request.state.lang, str(request.base_url).rstrip("/"),
                                     until=year)
    name = f"national-report-{year}.pdf" if year else "national-report.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
