"""One question across rounds, for staff: each round that asks the question with a stable key,
its summary (numbers: n, smallest, median, largest; choices: count and share of n) as a chart
with its table beside it, and every organisation's answer per round (``VIEW_ALL_DATA``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission
from naravard.indicators import charts
from naravard.storage.survey_across import AcrossRounds, across_rounds
from naravard.web import surveys_view as view
from naravard.web.i18n import gettext_for
from naravard.web.rendering import render
from naravard.web.security import get_db, guard

router = APIRouter(prefix="/surveys/questions", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]

#: Choice questions with at most this many options get a chart (one line per option).
CHART_OPTIONS = len(charts.SERIES_COLOURS)


def _chart(found: AcrossRounds, org: str | None, lang: str) -> dict[str, str] | None:
    """The comparable rounds' medians (and the chosen organisation's answers), or each
    option's share of n, as a line chart with its text alternative."""
    _ = gettext_for(lang)
    rounds = found.comparable()
    if len(rounds) < 2 or found.kind not in ("number", "choice"):
        return None
    values: list[tuple[str, Decimal | None, str]] = []
    if found.kind == "number":
        values += [(r.round.code, r.result.numbers.median if r.result.numbers else None,
                    _("Median")) for r in rounds]
        names = dict(found.organisations)
        if org in names:
            values += [(r.round.code, view.decimal_of(r.answers.get(org)), names[org])
                       for r in rounds]
        title = _("Answer")
    else:
        options = found.latest.result.options
        if len(options) > CHART_OPTIONS:
            return None
        values += [(r.round.code, r.result.options[i].percent, option.label.get(lang))
                   for i, option in enumerate(options) for r in rounds]
        title = _("Share of n, per cent")
    series = list(dict.fromkeys(name for _x, _v, name in values))
    description = "; ".join(
        f"{name}: " + ", ".join(f"{x} {view.summary_number(v, lang)}"
                                for x, v, s in values if s == name)
        for name in series)
    points = [charts.Point(x, None if v is None else float(v), s) for x, v, s in values]
    chart = charts.Chart(title, description, decimals=1)
    return {"svg": charts.line_svg(points, chart) if charts.available() else "",
            "description": description}


@router.get("/{key}", response_class=HTMLResponse, dependencies=[guard(Permission.VIEW_ALL_DATA)])
def question_page(request: Request, db: Db, key: str, org: str | None = None) -> Response:
    """The question with stable ``key`` in every round that asks it."""
    found = across_rounds(db, key)
    if found is None:
        return render(request, "error.html", status_code=404, code=404)
    lang = request.state.lang
    chosen = org if org in dict(found.organisations) else None
    context: dict[str, Any] = {"found": found, "chosen": chosen,
                               "chart": _chart(found, chosen, lang), "v": view,
                               "num": lambda x: view.summary_number(x, lang)}
    return render(request, "surveys/across.html", **context)
