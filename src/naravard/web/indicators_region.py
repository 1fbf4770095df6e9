"""One region's indicators: the region view's content and the region profile, a printable
document (PDF) with every indicator's latest value beside Sweden's, the region's questionnaire
answers beside the register, its stimulus funds, and each indicator's years beside Sweden's as
a chart with its table.

Read through :func:`naravard.storage.indicator_repo.published` (disclosure control applied),
like every published output. The profile names, for each indicator, its definition version and
the data snapshot its figures come from, and links its page, so every figure can be traced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from naravard.indicators import charts
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.crosscheck import shipped_crosschecks
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import shipped_rule
from naravard.storage import indicator_repo
from naravard.storage.funding_overview import recipient_view
from naravard.storage.indicator_crosscheck import CrossCheckResult, cross_check
from naravard.storage.indicator_repo import Row
from naravard.storage.indicator_tables import IndicatorSnapshot
from naravard.storage.survey_repo import local_day
from naravard.web import indicators_view as view
from naravard.web.i18n import gettext_for
from naravard.web.rendering import templates
from naravard.web.workbook_cache import kept_pdf


def latest_values(db: Session, d: Definition, region: str | None = None,
                  municipality: str | None = None, before: bool = False) -> dict[str, Any]:
    """The latest year (``year``) and Riket's published value in it (``nation``; first
    variant, both sexes), with ``region``'s and ``municipality``'s where asked and the
    indicator is reported for such areas (None where not, or not shown); with ``before``,
    ``region_before`` is the region's value the year before (None where not stored or not
    shown)."""
    latest: dict[str, Any] = {"year": None, "nation": None, "region": None,
                              "municipality": None, "region_before": None}
    snap = indicator_repo.current_snapshots(db).get(d.id)
    if snap is None or not snap.years:
        return latest
    latest["year"] = year = str(max(snap.years))
    previous = str(int(year) - 1)
    wanted = {"region": region, "municipality": municipality}
    asked = {level: code for level, code in wanted.items() if code and level in d.areas}
    results = indicator_repo.published(db, d.id, shipped_catalogue(), shipped_rule(),
                                       variant=d.variants[0].id,
                                       periods=[previous, year] if before else [year],
                                       levels=["nation", *asked])
    if results is None:
        return latest
    for r in results.rows:
        if r["sex"] != "T":
            continue
        if r["period"] == previous:
            if r["area_level"] == "region" and asked.get("region") == r["area_code"]:
                latest["region_before"] = r
        elif r["period"] != year:
            continue
        elif r["area_level"] == "nation":
            latest["nation"] = r
        elif asked.get(r["area_level"]) == r["area_code"]:
            latest[r["area_level"]] = r
    return latest


def region_items(db: Session, code: str) -> list[dict[str, Any]]:
    """Every indicator with its latest year, Sweden's and region ``code``'s published values
    in it, the region's index of Sweden's (``index``), whether the difference lies beyond
    chance (``difference``), how the region's value stands against the target (``target``)
    and whether it rose or fell beyond chance from the year before (``since``; not for a
    change against a base year); no year for an indicator not reported by region."""
    items: list[dict[str, Any]] = []
    for d in shipped_catalogue().definitions:
        if "region" not in d.areas:
            items.append({"d": d, "year": None, "region": None, "nation": None, "index": None,
                          "difference": "", "target": "", "since": ""})
            continue
        latest = latest_values(db, d, region=code, before=True)
        items.append({"d": d, **latest,
                      "index": view.index_of_nation(latest["region"], latest["nation"]),
                      "difference": view.difference_from_nation(latest["region"],
                                                                latest["nation"]),
                      "target": view.against_target(latest["region"], d),
                      "since": "" if d.value_type == "change" else view.change_from(
                          latest["region_before"], latest["region"])})
    return items


def region_checks(db: Session, code: str | None, period: str | None = None
                  ) -> tuple[list[CrossCheckResult], dict[str, int]]:
    """Region ``code``'s questionnaire answers beside the register (each cross-check, or each
    of ``period`` when given; every region's when ``code`` is None), with the decimals of each
    check's indicator."""
    cat, rule = shipped_catalogue(), shipped_rule()
    checks = [cross_check(db, c, cat, rule, region=code) for c in shipped_crosschecks().checks
              if period is None or c.period == period]
    return checks, {c.check.id: cat.definition(c.check.indicator).decimals for c in checks}


def region_summary(db: Session, code: str, lang: str) -> dict[str, Any]:
    """What the region view and the profile show first: each indicator's latest value beside
    Sweden's, as a table and as an index chart (with its text alternative), and the
    questionnaire answers beside the register."""
    name = view.area_names()[code]
    items = region_items(db, code)
    checks, decimals = region_checks(db, code)
    svg, description = view.region_index_chart(items, name, lang, gettext_for(lang))
    return {"code": code, "region_name": name, "items": items, "checks": checks,
            "decimals": decimals, "rule": shipped_rule(), "index_svg": svg,
            "index_description": description, "side_colours": charts.SIDE_COLOURS}


@dataclass(frozen=True)
class Section:
    """One indicator in a region's profile: the region beside Sweden by year (None where
    nothing is published for the region) and where its figures come from."""

    d: Definition
    unit: str
    figure: view.Figure | None
    snapshot: IndicatorSnapshot | None
    version: str


def profile_sections(db: Session, code: str, lang: str) -> list[Section]:
    """Each indicator reported by region: the region's published years beside Sweden's (the
    first variant, both sexes), with the definition version and data snapshot they come
    from."""
    _ = gettext_for(lang)
    current = indicator_repo.current_snapshots(db)
    sections = []
    for d in shipped_catalogue().definitions:
        if "region" not in d.areas:
            continue
        unit = d.unit_for(d.variants[0].id).get(lang)
        rows, snap, version = yearly_rows(db, d, current)
        figure = view.region_series_figure(rows, d, code, lang, _, unit) if rows else None
        sections.append(Section(d, unit, figure, snap, version))
    return sections


def yearly_rows(db: Session, d: Definition, current: dict[str, IndicatorSnapshot]
                ) -> tuple[list[Row], IndicatorSnapshot | None, str]:
    """The indicator's published yearly rows for Sweden and the regions (first variant), the
    snapshot they come from (``current``: each indicator's) and its definition version there
    (no rows, None and "" when nothing is stored)."""
    snap = current.get(d.id)
    if snap is None or not snap.years:
        return [], None, ""
    variant = d.variants[0].id
    results = indicator_repo.published(
        db, d.id, shipped_catalogue(), shipped_rule(), variant=variant,
        periods=[str(y) for y in sorted(snap.years)], levels=["nation", "region"])
    if results is None:
        return [], snap, ""
    return (view.variant_rows(results, variant), snap,
            str((snap.definitions or {}).get(d.id, "")))


def profile_html(db: Session, code: str, lang: str, site: str, now: dt.datetime,
                 created: str) -> str:
    """Region ``code``'s profile as a standalone HTML document for print: its indicators, its
    questionnaire answers beside them and its stimulus funds as of ``now``; ``site`` is the
    address the pages are served at, ``created`` the time printed as the document's."""
    _ = gettext_for(lang)
    return templates.env.get_template("indicators/profile.html").render(
        _=_, lang=lang, site=site, created=created, sections=profile_sections(db, code, lang),
        funds=recipient_view(db, code, now), local_day=lambda m: local_day(m).isoformat(),
        direction_text=lambda d: view.direction_text(d, _), **region_summary(db, code, lang))


def profile_pdf(db: Session, code: str, lang: str, site: str,
                now: dt.datetime | None = None) -> bytes:
    """Region ``code``'s profile as PDF, kept while every figure, answer and amount in it stays
    the same (:func:`.workbook_cache.kept_pdf`)."""
    return kept_pdf(f"profile-{code}",
                    lambda when, created: profile_html(db, code, lang, site, when, created), now)
