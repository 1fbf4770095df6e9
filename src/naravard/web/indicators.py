"""Indicator pages: the list, one indicator (definition, charts with their tables, cross-checks)
and a region's view.

Published pages are public open data and read results through
:func:`naravard.storage.indicator_repo.published` (disclosure control applied). Staff
(``VIEW_ALL_DATA``) may open the same page and CSV with internal, unprotected figures on their
own routes, which say so on every page; nothing public links there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, is_allowed
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.crosscheck import shipped_crosschecks
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import DisclosureRule, shipped_rule
from naravard.indicators.finalise import LIMITS
from naravard.indicators.output import NUMBERS, has_masked_number, number_text
from naravard.indicators.publish import few_events
from naravard.reference.organisations import Organisation, OrgKind, shipped_organisation
from naravard.spreadsheets import escape_cell
from naravard.storage import indicator_repo
from naravard.storage.indicator_crosscheck import CrossCheckResult, cross_check
from naravard.storage.indicator_repo import ResultSet
from naravard.web import indicators_figures as figures
from naravard.web import indicators_region as region
from naravard.web import indicators_view as view
from naravard.web import national_report
from naravard.web.i18n import gettext_for
from naravard.web.indicators_workbook import (
    TooManyRows,
    values_workbook,
    xlsx_response,
)
from naravard.web.rendering import render
from naravard.web.security import get_db, guard
from naravard.web.workbook_cache import WORKBOOKS

router = APIRouter(prefix="/indicators", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]

EVIDENCE_TEXT = {"C": "confirmed in a source", "P": "partly confirmed", "I": "inferred"}
#: Columns of the CSV exports (published and internal).
CSV_COLUMNS = ("kpi", "variant", "period", "area_level", "area_code", "area_name", "gender",
               "numerator", "denominator", "value", "ci_low", "ci_high", "status")


def _definition(indicator_id: str) -> Definition | None:
    try:
        return shipped_catalogue().definition(indicator_id)
    except KeyError:
        return None


def _not_found(request: Request) -> Response:
    return render(request, "error.html", status_code=404, code=404)


def _staff(request: Request) -> bool:
    return is_allowed(getattr(request.state, "principal", None), Permission.VIEW_ALL_DATA)


def _home(request: Request) -> Organisation | None:
    """The signed-in user's organisation (a region, an RSS or a municipality), if any."""
    return shipped_organisation(
        getattr(getattr(request.state, "principal", None), "organisation_code", None))


def _own_municipality(home: Organisation | None) -> str | None:
    """The signed-in user's municipality, if their organisation is one."""
    return home.code if home is not None and home.kind is OrgKind.MUNICIPALITY else None


@router.get("", dependencies=[guard(Permission.PUBLIC)])
def indicator_list(request: Request, db: Db) -> Response:
    """Every indicator with Riket's latest published value (and, for the people of a region,
    its RSS or one of its municipalities, the region's beside it; for a municipality's, the
    municipality's too)."""
    home = _home(request)
    home_region = home.county_code if home is not None else None
    municipality = _own_municipality(home)
    items = [{"d": d, **region.latest_values(db, d, home_region, municipality)}
             for d in shipped_catalogue().definitions]
    names = view.area_names()
    staff = _staff(request)
    return render(request, "indicators/list.html", items=items, fmt=view.fmt_amount,
                  rule=shipped_rule(), staff=staff,
                  region_links=[(c, names[c]) for c in figures.region_codes()] if staff else [],
                  report_years=national_report.report_years(db) if staff else [],
                  region_name=names.get(home_region) if home_region else None,
                  municipality_name=names.get(municipality) if municipality else None)


def _results(db: Session, d: Definition, variant: str, internal: bool,
             year: str | None = None, region: str | None = None) -> ResultSet | None:
    """The variant's yearly results, or with ``year`` Riket's months of that year and, with
    ``region`` too, the regions' (all the page shows of them)."""
    snap = indicator_repo.current_snapshots(db).get(d.id)
    if snap is None:
        periods = None
    elif year is None:
        periods = [str(y) for y in snap.years]
    else:
        periods = [f"{year}-{m:02d}" for m in range(1, 13)]
    read = indicator_repo.internal if internal else indicator_repo.published
    return read(db, d.id, shipped_catalogue(), shipped_rule(), variant=variant, periods=periods,
                levels=None if year is None else ["nation", "region"] if region else ["nation"])


def _indicator_page(request: Request, db: Session, d: Definition, variant: str | None,
                    period: str | None, region: str | None, internal: bool) -> Response:
    lang = request.state.lang
    _ = gettext_for(lang)
    chosen = next((v for v in d.variants if v.id == variant), d.variants[0])
    results = _results(db, d, chosen.id, internal)
    rows = view.variant_rows(results, chosen.id) if results is not None else []
    year_list = view.years(rows)
    year = period if period in year_list else (year_list[-1] if year_list else None)
    value_title = d.unit_for(chosen.id).get(lang)
    regions = sorted({r["area_code"] for r in rows if r["area_level"] == "region"})
    # a region's, RSS's or municipality's own people see their region unless they choose
    # one, and a municipality's its own line beside its region's
    home = _home(request)
    home_region = home.county_code if home is not None else None
    chosen_region = region if region in regions else (
        home_region if region is None and home_region in regions else None)
    own = _own_municipality(home) if home_region == chosen_region else None
    by_month = (_results(db, d, chosen.id, internal, year, chosen_region)
                if year and "month" in d.periods else None)
    monthly = view.variant_rows(by_month, chosen.id) if by_month is not None else None
    figures = []
    if rows:
        figures = [f for f in (
            view.national_figure(rows, d, lang, _, value_title),
            view.monthly_figure(monthly, d, year, lang, _, value_title)
            if year and monthly is not None else None,
            view.regions_figure(rows, d, year, lang, _, value_title, home_region)
            if year else None,
            view.sex_figure(rows, d, lang, _, value_title),
        ) if f is not None]  # fmt: skip
    region_years = (view.region_series_figure(rows, d, chosen_region, lang, _, value_title, own)
                    if chosen_region else None)
    region_months = (view.region_months_figure(monthly, d, year, chosen_region, lang, _,
                                               value_title)
                     if chosen_region and year and monthly is not None else None)
    municipalities = (view.municipality_figure(rows, d, year, chosen_region, results, lang, _,
                                                value_title)
                      if results is not None and year and chosen_region else None)
    checks: list[CrossCheckResult] = []
    if _staff(request) and not internal:
        checks = [cross_check(db, c, shipped_catalogue(), shipped_rule())
                  for c in shipped_crosschecks().for_indicator(d.id)]
    cat = shipped_catalogue()
    return render(
        request, "indicators/indicator.html", d=d, variant=chosen, results=results,
        figures=figures, year=year, years=year_list, rule=shipped_rule(), internal=internal,
        codelists=[cat.codelist(c) for c in d.codelists], evidence=EVIDENCE_TEXT,
        checks=checks, staff=_staff(request), region_names=view.area_names(),
        age_text=view.age_text(d, _), breakdowns=view.breakdowns_text(d, _),
        direction=view.direction_text(d, _), interval_method=view.interval_method_text(d, _),
        regions=regions, region=chosen_region, municipalities=municipalities,
        region_years=region_years, region_months=region_months,
        stored_version=(results.snapshot.definitions or {}).get(d.id) if results else None,
        fmt=view.fmt_amount, value_repr=_setting_text,
    )


def _setting_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@router.get("/regions/{code}", dependencies=[guard(Permission.VIEW_ORG_DATA, scope="code")])
def region_view(request: Request, db: Db, code: str) -> Response:
    """One region: every indicator's latest value beside Riket's, and its cross-checks."""
    if code not in figures.region_codes():
        return _not_found(request)
    return render(request, "indicators/region.html",
                  **region.region_summary(db, code, request.state.lang))


@router.get("/regions/{code}/profile.pdf",
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope="code")])
def region_profile_pdf(request: Request, db: Db, code: str) -> Response:
    """The region's profile as PDF: the region view's content with each indicator's years
    beside Sweden's."""
    if code not in figures.region_codes():
        return _not_found(request)
    pdf = region.profile_pdf(db, code, request.state.lang, str(request.base_url).rstrip("/"))
    disposition = f'attachment; filename="indicators-{code}.pdf"'
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": disposition})


@router.get("/regions/{code}/figures.xlsx",
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope="code")])
def region_figures_xlsx(request: Request, db: Db, code: str) -> Response:
    """A region's published yearly figures of every indicator as one Excel workbook."""
    if code not in figures.region_codes():
        return _not_found(request)
    return _figures_response(lambda site: figures.region_figures(db, code, request.state.lang,
                                                                 site),
                             request, db, f"indicators-{code}.xlsx")


@router.get("/figures.xlsx", dependencies=[guard(Permission.PUBLIC)])
def national_figures_xlsx(request: Request, db: Db) -> Response:
    """Sweden's and the regions' published yearly figures of every indicator as one Excel
    workbook (open data, like every published figure)."""
    return _figures_response(lambda site: figures.national_figures(db, request.state.lang, site),
                             request, db, "indicators.xlsx")


def _figures_response(make: Callable[[str], bytes], request: Request, db: Session,
                      filename: str) -> Response:
    """Every indicator's figures in one workbook, made once for the stored results of now."""
    site = str(request.base_url).rstrip("/")

    def made() -> bytes:
        try:
            return make(site)
        except TooManyRows as exc:
            raise HTTPException(422, f"{exc}: download that indicator's values.csv") from None

    ids = [d.id for d in shipped_catalogue().definitions]
    key = ("figures", filename, request.state.lang, site,
           indicator_repo.results_version(db, ids, shipped_rule()))
    return xlsx_response(WORKBOOKS.get(key, made), filename)


@router.get("/{indicator_id}", dependencies=[guard(Permission.PUBLIC)])
def indicator_page(
    request: Request, db: Db, indicator_id: str,
    variant: Annotated[str | None, Query(max_length=64)] = None,
    period: Annotated[str | None, Query(max_length=7)] = None,
    region: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    """One indicator: definition, published figures (charts with their tables)."""
    d = _definition(indicator_id)
    if d is None:
        return _not_found(request)
    return _indicator_page(request, db, d, variant, period, region, internal=False)


@router.get("/{indicator_id}/internal", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def indicator_internal(
    request: Request, db: Db, indicator_id: str,
    variant: Annotated[str | None, Query(max_length=64)] = None,
    period: Annotated[str | None, Query(max_length=7)] = None,
    region: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    """The same page with internal figures, without disclosure control (staff only)."""
    d = _definition(indicator_id)
    if d is None:
        return _not_found(request)
    return _indicator_page(request, db, d, variant, period, region, internal=True)


def csv_text(results: ResultSet, rows: Sequence[dict[str, Any]], rule: DisclosureRule,
             lang: str) -> str:
    """Result rows as CSV: text cells escaped against formulas, masked numbers as the rule's
    mask, and the rule stated in the ``note`` column of every row with a masked number (a
    rate resting on few events says so there)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow((*CSV_COLUMNS, "note"))
    note = escape_cell(rule.footnote_text(lang))
    # limits are hidden with the value where the indicator has them at all
    d = _definition(results.indicator)
    limited = d is not None and d.interval.method != "none"
    _ = gettext_for(lang)
    for r in rows:
        masked = has_masked_number(r)
        remark = note if masked else ""
        if not masked and d is not None and few_events(r, d):
            remark = escape_cell(view.status_text(r, d, _))
        writer.writerow([
            escape_cell(str(r["indicator"])), escape_cell(str(r["variant"])), r["period"],
            r["area_level"], escape_cell(str(r["area_code"])),
            escape_cell(view.area_name(r, results)), r["sex"],
            *(number_text(r[n], masked, rule.mask) for n in NUMBERS),
            *(number_text(r.get(n), masked and limited, rule.mask) for n in LIMITS),
            r["status"], remark,
        ])  # fmt: skip
    return buf.getvalue()


def csv_response(text: str, filename: str) -> Response:
    """A CSV download."""
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/{indicator_id}/internal.csv", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def internal_csv(db: Db, request: Request, indicator_id: str) -> Response:
    """Every stored row of the indicator without disclosure control (staff only)."""
    d = _definition(indicator_id)
    if d is None:
        return _not_found(request)
    results = indicator_repo.internal(db, d.id, shipped_catalogue(), shipped_rule())
    if results is None:
        return _not_found(request)
    return csv_response(csv_text(results, results.rows, shipped_rule(), request.state.lang),
                        f"{d.id}-internal.csv")


@router.get("/{indicator_id}/internal.xlsx", dependencies=[guard(Permission.VIEW_ALL_DATA)])
def internal_xlsx(
    db: Db, request: Request, indicator_id: str,
    variant: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The stored rows of the indicator (of one variant, or all) without disclosure control,
    as an Excel workbook that says on both sheets it is not for publication (staff only)."""
    d = _definition(indicator_id)
    if d is None or (variant is not None and variant not in {v.id for v in d.variants}):
        return _not_found(request)
    results = indicator_repo.internal(db, d.id, shipped_catalogue(), shipped_rule(),
                                      variant=variant)
    if results is None:
        return _not_found(request)
    lang = request.state.lang
    page = f"{str(request.base_url).rstrip('/')}/indicators/{d.id}/internal"
    try:
        content = values_workbook(
            results, results.rows, d, shipped_rule(), lang, page_url=page,
            selection=gettext_for(lang)("variant: %(variant)s", variant=variant) if variant
            else gettext_for(lang)("all figures of every variant"))
    except TooManyRows as exc:
        raise HTTPException(422, f"{exc.rows} rows, more than an Excel sheet holds "
                            f"({exc.limit}): download internal.csv") from None
    suffix = f"-{variant}" if variant else ""
    return xlsx_response(content, f"{d.id}{suffix}-internal.xlsx")
