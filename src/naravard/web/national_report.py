"""The national report: one printable document (PDF) joining what the follow-up holds — every
indicator for Sweden by year and the regions compared in the latest year, the questionnaire
rounds' completeness and timeliness, the regions' answers beside the register, the
agreements' funds line by line, and every round's answers per question — for the analysts
writing the national follow-up.

Indicator figures are read through :func:`naravard.storage.indicator_repo.published`
(disclosure control applied), so every figure in it may be published; each indicator names the
data snapshot and definition version it comes from and the page it is on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.finalise import NATION
from naravard.storage import indicator_repo
from naravard.storage.funding_overview import LineSummary, line_summaries
from naravard.storage.funding_repo import list_agreements
from naravard.storage.funding_tables import StoredAgreement
from naravard.storage.indicator_tables import IndicatorSnapshot
from naravard.storage.survey_repo import list_rounds, round_form
from naravard.storage.survey_status import RoundStatus, round_status
from naravard.storage.survey_tables import PLANNED, SurveyRound
from naravard.web import indicators_view as view
from naravard.web.i18n import gettext_for
from naravard.web.indicators_region import region_checks, yearly_rows
from naravard.web.rendering import templates
from naravard.web.round_answers import helpers, round_answers
from naravard.web.workbook_cache import kept_pdf


@dataclass(frozen=True)
class IndicatorPart:
    """One indicator in the report: Sweden's latest value and the regions' spread in that
    year, Sweden by year (both sexes, and women and men where the indicator has them) and the
    regions compared (charts with their tables), and where the figures come from."""

    d: Definition
    unit: str
    year: str | None
    nation: float | None
    regions_shown: int
    lowest: tuple[str, float] | None
    highest: tuple[str, float] | None
    national: view.Figure | None
    sexes: view.Figure | None
    regions: view.Figure | None
    snapshot: IndicatorSnapshot | None
    version: str
    #: The regions whose difference from Sweden lies beyond chance in ``year`` (their whole
    #: interval above Sweden's value, or below), by name; both empty without intervals.
    above: tuple[str, ...] = ()
    below: tuple[str, ...] = ()
    #: Sweden and the regions whose interval lies wholly on the target's side in ``year``, and
    #: wholly on the other side, by name; both empty without a target or intervals.
    reached: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    #: Whether the interval of Sweden or of a region in ``year`` holds the target.
    undecided: bool = False
    #: Sweden and the regions whose value rose, and fell, beyond chance from the year before
    #: ``year`` (the difference's whole interval above or below zero), by name; whether any
    #: other changed within chance. Empty for a change against a base year.
    rose: tuple[str, ...] = ()
    fell: tuple[str, ...] = ()
    steady: bool = False

    @property
    def year_before(self) -> str | None:
        """The year before ``year``."""
        return None if self.year is None else str(int(self.year) - 1)


def beyond_chance(rows: Sequence[dict[str, Any]], year: str | None
                  ) -> tuple[tuple[str, ...], tuple[str, ...]]:  # fmt: skip
    """The regions (by name) whose interval lies wholly above, and wholly below, Sweden's
    value in ``year`` (both sexes)."""
    nation = next((r for r in rows if r["period"] == year and r["sex"] == "T"
                   and r["area_level"] == "nation"), None)
    sides = _by_side(rows, year, "", lambda r: view.difference_from_nation(r, nation)
                     if r["area_level"] == "region" else "")
    return sides.get("higher", ()), sides.get("lower", ())


def _by_side(rows: Sequence[dict[str, Any]], year: str | None, sweden: str,
             read: Callable[[dict[str, Any]], str]) -> dict[str, tuple[str, ...]]:
    """Sweden (named ``sweden``, first) and the regions (by name) in ``year`` (both sexes),
    grouped by what ``read`` says of each row ("" leaves a row out)."""
    names = {**view.area_names(), NATION: sweden}
    found: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for r in rows:
        if r["period"] != year or r["sex"] != "T" or r["area_level"] not in ("nation", "region"):
            continue
        side = read(r)
        if side:
            found[side].append((r["area_level"] != "nation",
                                names.get(str(r["area_code"]), str(r["area_code"]))))
    return {side: tuple(name for _, name in sorted(areas)) for side, areas in found.items()}


def against_target(rows: Sequence[dict[str, Any]], d: Definition, year: str | None,
                   sweden: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """Sweden (named ``sweden``, first) and the regions (by name) that reach the target beyond
    chance in ``year`` (both sexes), those that miss it beyond chance, and whether any other
    has an interval that holds the target."""
    sides = _by_side(rows, year, sweden, lambda r: view.against_target(r, d))
    return sides.get("reached", ()), sides.get("missed", ()), "open" in sides


def since_previous(rows: Sequence[dict[str, Any]], year: str | None, sweden: str
                   ) -> tuple[tuple[str, ...], tuple[str, ...], bool]:  # fmt: skip
    """Sweden (named ``sweden``, first) and the regions (by name) whose value rose beyond
    chance from the year before ``year`` (both sexes), those whose value fell, and whether any
    other with values in both years changed within chance."""
    if year is None or not year.isdigit():
        return (), (), False
    before = {(r["area_level"], r["area_code"]): r for r in rows
              if r["period"] == str(int(year) - 1) and r["sex"] == "T"}
    sides = _by_side(rows, year, sweden,
                     lambda r: view.change_from(before.get((r["area_level"], r["area_code"])), r))
    return sides.get("rose", ()), sides.get("fell", ()), "within" in sides


def indicator_parts(db: Session, lang: str, until: str | None = None) -> list[IndicatorPart]:
    """Each indicator's part (first variant, both sexes), with the years up to ``until``
    (all when None): its latest year is the last of those."""
    _ = gettext_for(lang)
    current = indicator_repo.current_snapshots(db)
    names = view.area_names()
    parts = []
    for d in shipped_catalogue().definitions:
        unit = d.unit_for(d.variants[0].id).get(lang)
        rows, snap, version = yearly_rows(db, d, current)
        if until is not None:
            rows = [r for r in rows if str(r["period"]) <= until]
        years = view.years(rows)
        year = years[-1] if years else None
        nation = next((r["value"] for r in rows if r["period"] == year and r["sex"] == "T"
                       and r["area_level"] == "nation"), None)
        valued = sorted(((names.get(str(r["area_code"]), str(r["area_code"])), float(r["value"]))
                         for r in rows if r["period"] == year and r["sex"] == "T"
                         and r["area_level"] == "region" and r["value"] is not None),
                        key=lambda t: (t[1], t[0]))
        above, below = beyond_chance(rows, year)
        reached, missed, undecided = against_target(rows, d, year, _("Sweden"))
        rose, fell, steady = (since_previous(rows, year, _("Sweden"))
                              if d.value_type != "change" else ((), (), False))
        parts.append(IndicatorPart(
            d, unit, year, nation, len(valued), valued[0] if valued else None,
            valued[-1] if valued else None,
            view.national_figure(rows, d, lang, _, unit) if rows else None,
            view.sex_figure(rows, d, lang, _, unit) if rows else None,
            view.regions_figure(rows, d, year, lang, _, unit, None) if year else None,
            snap, version, above, below, reached, missed, undecided, rose, fell, steady))
    return parts


@dataclass(frozen=True)
class AgreementFunds:
    """One stored agreement's lines with what is allocated, requisitioned and paid."""

    agreement: StoredAgreement
    lines: list[LineSummary]

    @property
    def totals(self) -> dict[str, int]:
        """The agreement's sums over its lines."""
        return {"amount": sum(s.line.amount_sek or 0 for s in self.lines),
                "allocated": sum(s.allocated_sek for s in self.lines),
                "requisitioned": sum(s.requisitioned_sek for s in self.lines),
                "paid": sum(s.paid_sek for s in self.lines)}


def rounds_of(db: Session, until: str | None) -> list[SurveyRound]:
    """The questionnaire rounds of the year ``until`` (whose questionnaire reports on it),
    every round when None."""
    return [r for r in list_rounds(db)
            if until is None or round_form(r).settings.reporting_year == int(until)]


def report_context(db: Session, lang: str, now: dt.datetime,
                   until: str | None = None) -> dict[str, Any]:
    """Everything the report shows, as of ``now``; with ``until``, the report of that year:
    the indicators' years up to it, and the rounds, cross-checks and agreements of that year."""
    checks, check_decimals = region_checks(db, None, until)
    rounds = rounds_of(db, until)
    statuses: list[RoundStatus] = [round_status(db, r, now) for r in rounds]
    answered = [found for found in (round_answers(db, r) for r in rounds if r.status != PLANNED)
                if found.answers]
    return {
        "parts": indicator_parts(db, lang, until), "until": until, "rule": shipped_rule(),
        "rounds": statuses, "answered": answered,
        "checks": checks, "check_decimals": check_decimals, "region_names": view.area_names(),
        "funds": [AgreementFunds(a, line_summaries(db, a.code)) for a in list_agreements(db)
                  if until is None or a.year == int(until)],
        "direction_text": lambda d: view.direction_text(d, gettext_for(lang)),
        **helpers(lang),
    }


def report_years(db: Session) -> list[str]:
    """The years of the stored indicator results: each has a report of its own."""
    return sorted({str(y) for snap in indicator_repo.current_snapshots(db).values()
                   for y in snap.years})


def report_html(db: Session, lang: str, site: str, now: dt.datetime, created: str,
                until: str | None = None) -> str:
    """The national report as a standalone HTML document for print; ``site`` is the address
    the pages are served at, ``created`` the time printed as the document's, ``until`` the
    last year of the indicators (the latest stored when None)."""
    return templates.env.get_template("reports/national.html").render(
        _=gettext_for(lang), lang=lang, site=site, created=created,
        layout="reports/_document.html", **report_context(db, lang, now, until))


def report_pdf(db: Session, lang: str, site: str, now: dt.datetime | None = None,
               until: str | None = None) -> bytes:
    """The national report as PDF, kept while everything in it stays the same
    (:func:`.workbook_cache.kept_pdf`)."""
    return kept_pdf("national-report",
                    lambda when, created: report_html(db, lang, site, when, created, until), now)
