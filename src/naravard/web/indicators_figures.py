"""Every indicator's published yearly figures in one workbook: Sweden's and the regions', or
one region's with its municipalities and care units (:func:`.indicators_workbook.figures_workbook`).

Read through :func:`naravard.storage.indicator_repo.published`, so disclosure control has been
applied; shared by the web routes and ``naravard indicators workbooks``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.finalise import NATION
from naravard.storage import indicator_repo
from naravard.storage.indicator_repo import ResultSet, Row
from naravard.web import indicators_view as view
from naravard.web.i18n import gettext_for
from naravard.web.indicators_workbook import Part, figures_workbook


def region_codes() -> list[str]:
    """The codes of the 21 regions."""
    return sorted(c for c in view.area_names() if len(c) == 2 and c != NATION)


def in_region(row: Row, code: str, results: ResultSet) -> bool:
    """Whether a row is Sweden's, the region's or one of its municipalities' or care units'."""
    level, area = row["area_level"], str(row["area_code"])
    if level == "care_unit":
        unit = results.units.get(area)
        return unit is not None and unit.region_code == code
    return area in (NATION, code) or (level == "municipality" and area[:2] == code)


def yearly_parts(db: Session, levels: Sequence[str] | None,
                 keep: Callable[[Row, ResultSet], bool]) -> list[Part]:
    """Each indicator's published yearly rows at ``levels`` (None: all) that ``keep`` keeps."""
    cat, rule = shipped_catalogue(), shipped_rule()
    current = indicator_repo.current_snapshots(db)
    parts = []
    for d in cat.definitions:
        snap = current.get(d.id)
        if snap is None or not snap.years:
            continue
        results = indicator_repo.published(db, d.id, cat, rule, levels=levels,
                                           periods=[str(y) for y in sorted(snap.years)])
        if results is not None:
            parts.append(Part(d, results, [r for r in results.rows if keep(r, results)]))
    return parts


def national_figures(db: Session, lang: str, site: str, now: dt.datetime | None = None) -> bytes:
    """Sweden's and the regions' workbook; ``site`` is the address the pages are served at."""
    _ = gettext_for(lang)
    parts = yearly_parts(db, ["nation", "region"], lambda r, results: True)
    return figures_workbook(
        parts, shipped_rule(), lang, title=_("Indicators from register data"),
        page_url=f"{site}/indicators", now=now,
        contents=_("Yearly figures of every indicator and variant for Sweden and the regions, "
                   "as published (disclosure control applied). Municipalities, care units "
                   "and months are in each indicator's own download."))


def region_figures(db: Session, code: str, lang: str, site: str,
                   now: dt.datetime | None = None) -> bytes:
    """Region ``code``'s workbook (Sweden, the region, its municipalities and care units)."""
    _ = gettext_for(lang)
    name = view.area_names()[code]
    parts = yearly_parts(db, None, lambda r, results: in_region(r, code, results))
    return figures_workbook(
        parts, shipped_rule(), lang, title=name, page_url=f"{site}/indicators/regions/{code}",
        now=now,
        contents=_("Yearly figures of every indicator and variant for Sweden, %(region)s, "
                   "its municipalities and its care units, as published (disclosure "
                   "control applied). Monthly figures are in each indicator's own "
                   "download.", region=name))
