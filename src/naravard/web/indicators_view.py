"""What the indicator pages show, built from published (or, for staff, internal) result rows:
tables in Swedish number format with Riket last, and the charts drawn from the same rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel.dates import get_month_names

from naravard.formatting import fmt_decimal, fmt_int, fmt_percent
from naravard.indicators import charts
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.charts import Chart, Point
from naravard.indicators.definition import Definition
from naravard.indicators.finalise import NATION, estimate
from naravard.indicators.intervals import difference_interval
from naravard.indicators.publish import few_events, source_of
from naravard.reference.organisations import OrgKind, shipped_organisations
from naravard.storage.indicator_repo import ResultSet

Row = dict[str, Any]
Gettext = Callable[..., str]

#: Status words (English msgids) shown beside a value.
STATUS_TEXT = {"ok": "", "suppressed": "Hidden (disclosure control)", "too_few": "Too few",
               "missing": "No data"}
LEVELS = ("nation", "region", "municipality", "care_unit")


@cache
def area_names() -> dict[str, str]:
    """Code → name of Riket, the regions and the municipalities."""
    return {o.code: o.name for o in shipped_organisations()
            if o.kind in (OrgKind.NATION, OrgKind.REGION, OrgKind.MUNICIPALITY)}


def area_name(row: Mapping[str, Any], results: ResultSet | None = None) -> str:
    """The name of a row's area (a care unit's from the snapshot)."""
    code = str(row["area_code"])
    if row["area_level"] == "care_unit":
        unit = results.units.get(code) if results is not None else None
        return unit.name if unit is not None else code
    return area_names().get(code, code)


def fmt_amount(value: float | None, decimals: int) -> str:
    """A numerator or denominator: whole numbers as integers, others with ``decimals``."""
    if value is None:
        return ".."
    if float(value).is_integer():
        return fmt_int(int(value))
    return fmt_decimal(value, max(decimals, 1))


def amount_decimals(d: Definition) -> int:
    """Decimals of the numerators and denominators of ``d``: a change against a base year
    has the values of the indicator it is formed from there (an index of 0–1 in the year and
    in the base year), so they get that indicator's decimals."""
    source = source_of(d)
    return d.decimals if source is None else shipped_catalogue().definition(source).decimals


@dataclass(frozen=True)
class TableRow:
    """One row of a data table, formatted."""

    label: str
    code: str
    numerator: str
    denominator: str
    value: str
    status: str
    raw: Row
    highlight: bool = False
    #: The value's confidence interval ("12,3–45,6"; empty where there is none).
    interval: str = ""


def interval_text(row: Row, decimals: int) -> str:
    """A row's confidence interval, Swedish numbers joined by an en dash ("" when none)."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None:
        return ""
    # a line may break after the dash (a zero-width space), so the column can be narrow
    return f"{fmt_decimal(low, decimals)}–\u200b{fmt_decimal(high, decimals)}"


#: The interval methods in words (message ids).
INTERVAL_METHODS = {"wilson": "Wilson's score interval",
                    "wilson_persons":
                        "Wilson's score interval, widened for persons counted more than once",
                    "poisson": "Poisson limits of the count",
                    "poisson_persons":
                        "Poisson limits of the count, widened for repeat events of one person",
                    "dobson": "Dobson's method", "t": "Student's t interval",
                    "mover": "MOVER-R from the two years' intervals"}


def interval_method_text(d: Definition, _: Gettext) -> str:
    """How the values' intervals are computed, in words with their level ("none")."""
    method = INTERVAL_METHODS.get(d.interval.method)
    if method is None:
        return _("none")
    text = _("%(method)s, %(level)s", method=_(method),
             level=fmt_percent(d.interval.level * 100, 0))
    if d.interval.few_events_below is None:
        return text
    return _("%(interval)s; a rate of fewer than %(count)s events is marked as uncertain",
             interval=text, count=d.interval.few_events_below)


def status_text(row: Mapping[str, Any], d: Definition, _: Gettext) -> str:
    """A row's status in words: why there is no value, or that a shown rate rests on few
    events ("" for a plain value)."""
    if few_events(row, d):
        return _("Fewer than %(count)s events: uncertain", count=d.interval.few_events_below)
    text = STATUS_TEXT.get(row["status"])
    if text is None:
        return str(row["status"])
    return _(text) if text else ""


def table_row(row: Row, d: Definition, label: str, _: Gettext,
              highlight: bool = False) -> TableRow:
    """A result row for a table: Swedish numbers, ``..`` where there is no value."""
    places = amount_decimals(d)
    return TableRow(label, str(row["area_code"]), fmt_amount(row["numerator"], places),
                    fmt_amount(row["denominator"], places),
                    fmt_decimal(row["value"], d.decimals), status_text(row, d, _), row,
                    highlight, interval_text(row, d.decimals))


def variant_rows(results: ResultSet, variant: str) -> list[Row]:
    """The rows of one variant."""
    return [r for r in results.rows if r["variant"] == variant]


def years(rows: Sequence[Row]) -> list[str]:
    """Yearly periods present, ascending."""
    return sorted({r["period"] for r in rows if len(r["period"]) == 4})


def pick(rows: Sequence[Row], period: str, level: str, sex: str = "T") -> list[Row]:
    """Rows of one period, area level and sex."""
    return [r for r in rows if r["period"] == period and r["area_level"] == level
            and r["sex"] == sex]


def by_value(rows: Sequence[Row]) -> list[Row]:
    """Rows with a value, highest first, then those without one by code."""
    shown = sorted((r for r in rows if r["value"] is not None),
                   key=lambda r: (-float(r["value"]), r["area_code"]))
    return shown + sorted((r for r in rows if r["value"] is None), key=lambda r: r["area_code"])


def _values_text(points: Sequence[tuple[str, float | None]], decimals: int, _: Gettext) -> str:
    """The values of a text alternative; a value not shown in words (the table's ``..`` would
    be read out as dots)."""
    return "; ".join(f"{x}: {fmt_decimal(v, decimals) if v is not None else _('no value shown')}"
                     for x, v in points)


@dataclass(frozen=True)
class Figure:
    """A chart (SVG) with its caption and the table beside it."""

    id: str
    caption: str
    svg: str
    description: str
    first_column: str
    rows: tuple[TableRow, ...]


def _draw(draw: Callable[[Sequence[Point], Chart], str], points: Sequence[Point],
          chart: Chart) -> str:
    """The chart's SVG, or nothing when the chart packages are not installed (the table and
    the text alternative are shown all the same)."""
    return draw(points, chart) if charts.available() else ""


def _bars_interval_text(points: Sequence[Point], d: Definition, _: Gettext) -> str:
    """The sentence a bar chart's text alternative gets when its bars carry intervals."""
    if not any(p.low is not None for p in points):
        return ""
    return _("A line across each bar shows its %(level)s confidence interval; the table gives "
             "its limits.", level=fmt_percent(d.interval.level * 100, 0))


def _with_band(description: str, points: Sequence[Point], d: Definition, _: Gettext) -> str:
    """A line chart's text alternative, with a sentence on its bands where it has them."""
    if not any(p.low is not None for p in points):
        return description
    return " ".join([description, _(
        "A shaded band around a line shows its %(level)s confidence interval; the table gives "
        "its limits.", level=fmt_percent(d.interval.level * 100, 0))])


def _few_events_text(rows: Sequence[Row], d: Definition, _: Gettext, bars: bool = True) -> str:
    """A chart's sentence on its values of rates that rest on few events ("" for none): light
    bars in a bar chart, hollow points in a line chart (``bars`` false)."""
    n = sum(1 for r in rows if few_events(r, d))
    if not n:
        return ""
    count = d.interval.few_events_below
    if bars:
        if n == 1:
            return _("One value rests on fewer than %(count)s events and is uncertain: its bar "
                     "is drawn light with an outline, and the table marks it.", count=count)
        return _("%(n)s values rest on fewer than %(count)s events and are uncertain: their "
                 "bars are drawn light with an outline, and the table marks them.",
                 n=n, count=count)
    if n == 1:
        return _("One value rests on fewer than %(count)s events and is uncertain: its point "
                 "is drawn hollow, and the table marks it.", count=count)
    return _("%(n)s values rest on fewer than %(count)s events and are uncertain: their points "
             "are drawn hollow, and the table marks them.", n=n, count=count)


def _with_few_points(description: str, rows: Sequence[Row], d: Definition, _: Gettext) -> str:
    """A line chart's text alternative, with a sentence on its hollow points where it has
    them."""
    return " ".join(filter(None, [description, _few_events_text(rows, d, _, bars=False)]))


def _target(d: Definition, _: Gettext) -> tuple[float | None, str]:
    if d.target is None:
        return None, ""
    return d.target.value, _("Target %(value)s", value=fmt_decimal(d.target.value, d.decimals))


def _chart(value_title: str, description: str, d: Definition, _: Gettext) -> Chart:
    """How an indicator's chart is drawn: its target line and the legend's words for a value
    resting on few events, where the definition has them."""
    target, target_label = _target(d, _)
    few = d.interval.few_events_below
    return Chart(value_title, description, d.decimals, target, target_label,
                 _("Fewer than %(count)s events: uncertain", count=few) if few else "")


def _with_target(description: str, d: Definition, _: Gettext) -> str:
    """A chart's text alternative, naming the target line where the chart draws one."""
    if d.target is None:
        return description
    return description + " " + _("The dashed line is the target, %(value)s.",
                                 value=fmt_decimal(d.target.value, d.decimals))


def direction_text(d: Definition, _: Gettext) -> str:
    """The indicator's desired direction as a sentence."""
    if d.direction.value == "higher":
        return _("A higher value is better.")
    if d.direction.value == "lower":
        return _("A lower value is better.")
    return _("Neither a higher nor a lower value is better in itself.")


def _series_figure(fid: str, caption: str, first_column: str, d: Definition, _: Gettext,
                   value_title: str, description: str,
                   series: Sequence[tuple[str, str, Row]]) -> Figure:
    """A line of Riket's values over ``series`` of (chart label, table label, row), with the
    target line where there is one, and the table beside it."""
    points = [Point(x, r["value"], _("Sweden"), low=r.get("ci_low"), high=r.get("ci_high"),
                    uncertain=few_events(r, d)) for x, _t, r in series]
    description = _with_few_points(_with_band(_with_target(description, d, _), points, d, _),
                                   [r for _x, _t, r in series], d, _)
    chart = _chart(value_title, description, d, _)
    svg = _draw(charts.line_svg, points, chart)
    table = tuple(table_row(r, d, label, _) for _x, label, r in series)
    return Figure(fid, caption, svg, description, first_column, table)


def national_figure(rows: Sequence[Row], d: Definition, lang: str, _: Gettext,
                    value_title: str) -> Figure | None:
    """Riket over the years (sex T), with the target line where there is one."""
    series = [(p, next(iter(pick(rows, p, "nation")), None)) for p in years(rows)]
    found = [(p, p, r) for p, r in series if r is not None]
    if not found:
        return None
    description = _("Line chart: %(title)s, Sweden, by year. %(values)s.",
                    title=d.title.get(lang),
                    values=_values_text([(p, r["value"]) for p, _t, r in found], d.decimals, _))
    return _series_figure("national", _("Sweden, by year"), _("Year"), d, _, value_title,
                          description, found)


def months(rows: Sequence[Row], year: str) -> list[str]:
    """Monthly periods (YYYY-MM) of ``year`` present, ascending."""
    return sorted({r["period"] for r in rows
                   if len(r["period"]) == 7 and r["period"].startswith(f"{year}-")})


def monthly_figure(rows: Sequence[Row], d: Definition, year: str, lang: str, _: Gettext,
                   value_title: str) -> Figure | None:
    """Riket month by month in one year (sex T), for indicators computed per month; months
    by name in the page's language (abbreviated in the chart)."""
    short = get_month_names("abbreviated", locale=lang)
    wide = get_month_names("wide", locale=lang)
    series = [(int(p[5:]), next(iter(pick(rows, p, "nation")), None)) for p in months(rows, year)]
    found = [(short[m], wide[m], r) for m, r in series if r is not None]
    if not found:
        return None
    description = _("Line chart: %(title)s, Sweden, by month in %(year)s. %(values)s.",
                    title=d.title.get(lang), year=year,
                    values=_values_text([(w, r["value"]) for _s, w, r in found], d.decimals, _))
    return _series_figure("months", _("Sweden, by month, %(year)s", year=year), _("Month"), d,
                          _, value_title, description, found)


def region_months_figure(rows: Sequence[Row], d: Definition, year: str, region: str,
                         lang: str, _: Gettext, value_title: str) -> Figure | None:
    """One region beside Sweden month by month in one year (sex T), for indicators computed
    per month: a line each, as :func:`region_series_figure`; the table the region's months,
    then Sweden's."""
    short = get_month_names("abbreviated", locale=lang)
    wide = get_month_names("wide", locale=lang)
    name = area_names().get(region, region)
    periods = [(p, short[int(p[5:])], wide[int(p[5:])]) for p in months(rows, year)]
    lines = _area_lines(rows, periods, [("region", region, name),
                                        ("nation", NATION, _("Sweden"))])
    if not lines[name]:
        return None
    shown = [(label, line) for label, line in lines.items() if line]
    return _lines_figure(
        "region-months", _("%(region)s and Sweden, by month, %(year)s", region=name, year=year),
        _("Month"), d, _, value_title, shown, shown,
        lambda values: _("Line chart: %(title)s, %(region)s and Sweden by month in %(year)s. "
                         "%(values)s.", title=d.title.get(lang), region=name, year=year,
                         values=values))


def regions_figure(rows: Sequence[Row], d: Definition, period: str, lang: str, _: Gettext,
                   value_title: str, own: str | None = None) -> Figure | None:
    """Regions in one year, sorted by value, Riket marked in the chart and last in the table;
    the reader's ``own`` region, if any, marked too and its place named."""
    regions = pick(rows, period, "region")
    nation = next(iter(pick(rows, period, "nation")), None)
    if not regions:
        return None
    ordered = by_value(regions + ([nation] if nation is not None else []))
    names = area_names()

    def name(r: Row) -> str:  # Riket in the page's language
        return _("Sweden") if r["area_level"] == "nation" else area_name(r)

    points = [Point(name(r), r["value"], highlight=r["area_level"] == "nation",
                    own=r["area_level"] == "region" and r["area_code"] == own,
                    low=r.get("ci_low"), high=r.get("ci_high"), uncertain=few_events(r, d))
              for r in ordered]
    shown = [r for r in ordered if r["value"] is not None and r["area_level"] == "region"]
    place = next((i for i, r in enumerate(shown, 1) if r["area_code"] == own), None)
    if shown:
        summary = _("Highest %(high)s (%(high_value)s), lowest %(low)s (%(low_value)s).",
                    high=names.get(shown[0]["area_code"], ""),
                    high_value=fmt_decimal(shown[0]["value"], d.decimals),
                    low=names.get(shown[-1]["area_code"], ""),
                    low_value=fmt_decimal(shown[-1]["value"], d.decimals))
    else:
        summary = _("No region has a value that can be shown.")
    hidden = sum(1 for r in regions if r["value"] is None)
    description = " ".join(filter(None, [
        _("Bar chart: %(title)s by region, %(period)s, sorted by value; Sweden is marked.",
          title=d.title.get(lang), period=period),
        direction_text(d, _),
        summary,
        _("Sweden: %(value)s.", value=fmt_decimal(nation["value"] if nation else None,
                                                  d.decimals)),
        _("%(region)s, marked as your region, is number %(place)s of %(n)s regions with a "
          "value, from the highest.", region=names.get(str(own), ""), place=place,
          n=len(shown)) if place is not None else "",
        (_("One region without a value is shown as ..") if hidden == 1 else
         _("%(n)s regions without a value are shown as ..", n=hidden) if hidden else ""),
        _bars_interval_text(points, d, _),
        _few_events_text(ordered, d, _),
    ]))  # fmt: skip
    description = _with_target(description, d, _)
    chart = _chart(value_title, description, d, _)
    svg = _draw(charts.bar_svg, points, chart)
    table = [table_row(r, d, area_name(r), _) for r in ordered if r["area_level"] == "region"]
    if nation is not None:
        table.append(table_row(nation, d, name(nation), _, highlight=True))
    return Figure("regions", _("Regions compared, %(period)s", period=period), svg,
                  description, _("Region"), tuple(table))


def sex_figure(rows: Sequence[Row], d: Definition, lang: str, _: Gettext,
               value_title: str) -> Figure | None:
    """Women and men in Riket over the years."""
    if "K" not in d.sexes:
        return None
    labels = {"K": _("Women"), "M": _("Men")}
    points: list[Point] = []
    shown: list[Row] = []
    table: list[TableRow] = []
    texts: list[str] = []
    for sex in ("K", "M"):
        found = [(p, next(iter(pick(rows, p, "nation", sex)), None)) for p in years(rows)]
        pairs = [(p, r) for p, r in found if r is not None]
        points += [Point(p, r["value"], labels[sex], uncertain=few_events(r, d))
                   for p, r in pairs]
        shown += [r for _p, r in pairs]
        table += [table_row(r, d, f"{p}, {labels[sex].lower()}", _) for p, r in pairs]
        texts.append(f"{labels[sex]}: " + _values_text([(p, r["value"]) for p, r in pairs],
                                                         d.decimals, _))
    if not table:
        return None
    description = _with_few_points(_with_target(
        _("Line chart: %(title)s, Sweden, women and men by year. %(values)s.",
          title=d.title.get(lang), values=". ".join(texts)), d, _), shown, d, _)
    chart = _chart(value_title, description, d, _)
    return Figure("sex", _("Women and men, Sweden"), _draw(charts.line_svg, points, chart),
                  description, _("Year"), tuple(table))


#: One area's line: (period on the chart, period in the table, row) in the order of periods.
Line = list[tuple[str, str, Row]]


def _area_lines(rows: Sequence[Row], periods: Sequence[tuple[str, str, str]],
                areas: Sequence[tuple[str, str, str]]) -> dict[str, Line]:
    """Each of ``areas`` (level, code, label) by its label: its rows (sex T) in ``periods``
    of (period, on the chart, in the table)."""
    return {label: [(on_chart, in_table, r) for p, on_chart, in_table in periods
                    for r in pick(rows, p, level) if r["area_code"] == code]
            for level, code, label in areas}


def _lines_figure(fid: str, caption: str, first_column: str, d: Definition, _: Gettext,
                  value_title: str, in_chart: Sequence[tuple[str, Line]],
                  in_table: Sequence[tuple[str, Line]],
                  text: Callable[[str], str]) -> Figure:
    """Lines of areas over the same periods: drawn in the order of ``in_chart`` (which gives
    their colours), listed in the order of ``in_table`` with rows named "period, area"; ``text``
    makes the text alternative from the values in words."""
    points = [Point(x, r["value"], label, low=r.get("ci_low"), high=r.get("ci_high"),
                    uncertain=few_events(r, d))
              for label, line in in_chart for x, _t, r in line]
    table = tuple(table_row(r, d, f"{x}, {label}", _)
                  for label, line in in_table for _c, x, r in line)
    values = ". ".join(f"{label}: " + _values_text([(x, r["value"]) for _c, x, r in line],
                                                   d.decimals, _) for label, line in in_table)
    description = _with_few_points(_with_band(_with_target(text(values), d, _), points, d, _),
                                   [r for _l, line in in_chart for _x, _t, r in line], d, _)
    chart = _chart(value_title, description, d, _)
    return Figure(fid, caption, _draw(charts.line_svg, points, chart), description,
                  first_column, table)


def region_series_figure(rows: Sequence[Row], d: Definition, region: str, lang: str,
                         _: Gettext, value_title: str,
                         municipality: str | None = None) -> Figure | None:
    """One region beside Sweden over the years (sex T) and, where asked and the indicator is
    reported by municipality, one of its municipalities: a line each (the region's first,
    Sweden's in the colour that marks it in the bar charts), with the target line where there
    is one; the table the municipality's years, the region's, then Sweden's."""
    names = area_names()
    name = names.get(region, region)
    areas = [("region", region, name), ("nation", NATION, _("Sweden"))]
    if municipality is not None and "municipality" in d.areas:
        areas.append(("municipality", municipality, names.get(municipality, municipality)))
    lines = _area_lines(rows, [(p, p, p) for p in years(rows)], areas)
    if not lines[name]:
        return None
    shown = [(label, line) for label, line in lines.items() if line]
    own = areas[2][2] if len(areas) == 3 and lines[areas[2][2]] else None
    if own is None:
        return _lines_figure(
            "region-years", _("%(region)s and Sweden, by year", region=name), _("Year"), d, _,
            value_title, shown, shown,
            lambda values: _("Line chart: %(title)s, %(region)s and Sweden by year. "
                             "%(values)s.", title=d.title.get(lang), region=name,
                             values=values))
    return _lines_figure(
        "region-years", _("%(municipality)s, %(region)s and Sweden, by year",
                          municipality=own, region=name), _("Year"), d, _, value_title,
        shown, shown[-1:] + shown[:-1],  # the municipality (drawn last) first in the table
        lambda values: _("Line chart: %(title)s, %(municipality)s, %(region)s and Sweden by "
                         "year. %(values)s.", title=d.title.get(lang), municipality=own,
                         region=name, values=values))


def municipality_figure(rows: Sequence[Row], d: Definition, period: str, region: str,
                        results: ResultSet, lang: str, _: Gettext,
                        value_title: str) -> Figure | None:
    """The municipalities of one region in one year: a chart sorted by value with the region
    marked, and the table by name with the region last."""
    found = [r for r in pick(rows, period, "municipality") if r["area_code"][:2] == region]
    if not found:
        return None
    total = next((r for r in pick(rows, period, "region") if r["area_code"] == region), None)
    ordered = by_value(found + ([total] if total is not None else []))
    region_name = area_name(total, results) if total is not None else region
    points = [Point(area_name(r, results), r["value"], highlight=r["area_level"] == "region",
                    low=r.get("ci_low"), high=r.get("ci_high"), uncertain=few_events(r, d))
              for r in ordered]
    shown = [r for r in ordered if r["value"] is not None and r["area_level"] == "municipality"]
    if shown:
        summary = _("Highest %(high)s (%(high_value)s), lowest %(low)s (%(low_value)s).",
                    high=area_name(shown[0], results),
                    high_value=fmt_decimal(shown[0]["value"], d.decimals),
                    low=area_name(shown[-1], results),
                    low_value=fmt_decimal(shown[-1]["value"], d.decimals))
    else:
        summary = _("No municipality has a value that can be shown.")
    hidden = sum(1 for r in found if r["value"] is None)
    description = " ".join(filter(None, [
        _("Bar chart: %(title)s by municipality in %(region)s, %(period)s, sorted by value; "
          "the region is marked.", title=d.title.get(lang), region=region_name, period=period),
        summary,
        f"{region_name}: {fmt_decimal(total['value'], d.decimals)}." if total else "",
        _("%(n)s municipalities without a value are shown as ..", n=hidden) if hidden else "",
        _bars_interval_text(points, d, _),
        _few_events_text(ordered, d, _),
    ]))  # fmt: skip
    chart = _chart(value_title, description, d, _)
    return Figure("municipalities",
                  _("Municipalities of %(region)s, %(period)s", region=region_name,
                    period=period),
                  _draw(charts.bar_svg, points, chart), description, _("Municipality"),
                  tuple(municipality_rows(rows, d, period, region, results, _)))


def municipality_rows(rows: Sequence[Row], d: Definition, period: str, region: str,
                      results: ResultSet, _: Gettext) -> list[TableRow]:
    """The municipalities of one region in one year, by name, the region last."""
    found = [r for r in pick(rows, period, "municipality") if r["area_code"][:2] == region]
    out = sorted((table_row(r, d, area_name(r, results), _) for r in found),
                 key=lambda t: t.label)
    total = pick(rows, period, "region")
    out += [table_row(r, d, area_name(r, results), _, highlight=True) for r in total
            if r["area_code"] == region]
    return out


def index_of_nation(region: Row | None, nation: Row | None) -> float | None:
    """The region's value as an index of Sweden's (Sweden = 100), if both are shown and
    Sweden's is above zero (a ratio to zero or to a fall, as a change can be, says nothing)."""
    if region is None or nation is None:
        return None
    r, n = region["value"], nation["value"]
    if r is None or n is None or n <= 0:
        return None
    return 100.0 * float(r) / float(n)


def difference_from_nation(region: Row | None, nation: Row | None) -> str:
    """Whether Sweden's value lies outside the region's confidence interval: ``higher`` (the
    region's whole interval above it), ``lower``, ``within``; "" where the region's value has
    no interval or either value is not shown."""
    found = estimate(region)
    if found is None or nation is None or nation["value"] is None:
        return ""
    _value, low, high = found
    if low > nation["value"]:
        return "higher"
    return "lower" if high < nation["value"] else "within"


def against_target(row: Row | None, d: Definition) -> str:
    """Where a value's confidence interval lies against the indicator's target: ``reached``
    (wholly on the target's side, the target itself included), ``missed`` (wholly on the
    other side) or ``open`` (the interval holds the target); "" without a target, a shown
    value or an interval."""
    found = estimate(row)
    if d.target is None or found is None:
        return ""
    _value, low, high = found
    target = d.target.value
    if d.target.comparison == ">=":
        return "reached" if low >= target else "missed" if high < target else "open"
    return "reached" if high <= target else "missed" if low > target else "open"


def change_from(before: Row | None, now: Row | None) -> str:
    """Whether a value changed from an earlier one beyond chance: ``rose`` (the difference's
    MOVER interval wholly above zero), ``fell`` (wholly below) or ``within``; "" where either
    value is not shown or has no interval."""
    later, earlier = estimate(now), estimate(before)
    if later is None or earlier is None:
        return ""
    low, high = difference_interval(later, earlier)
    return "rose" if low > 0 else "fell" if high < 0 else "within"


def index_side(d: Definition, index: float | None) -> str:
    """Which side of Sweden (index 100) a region's value lies on, read with the indicator's
    desired direction: ``aim``, ``away`` or ``none`` (no direction, or shown as 100: equal to
    Sweden at the index's whole numbers). Sweden's value is above zero wherever there is an
    index, so above 100 is above Sweden's value."""
    if index is None or d.direction.value == "none" or round(index) == 100:
        return "none"
    higher = index > 100.0
    return "aim" if higher == (d.direction.value == "higher") else "away"


def region_index_chart(items: Sequence[Mapping[str, Any]], region_name: str, lang: str,
                       _: Gettext) -> tuple[str, str]:
    """(SVG, text alternative) of a region profile: each indicator's latest value as an index
    of Sweden's, sorted, with a line at 100; indicators without an index are drawn as ..."""
    shown = [(str(it["d"].title.get(lang)), it.get("index"), index_side(it["d"], it.get("index")))
             for it in items if it["year"]]
    if not shown:
        return "", ""
    ordered = sorted(shown, key=lambda t: (t[1] is None, -(t[1] or 0.0)))
    points = [Point(title, value, side=side) for title, value, side in ordered]
    valued = [(t, v) for t, v, _side in ordered if v is not None]
    parts = [_("Bar chart: the latest value of each indicator in %(region)s as an index of "
               "Sweden's value (Sweden = 100), sorted.", region=region_name)]
    if valued:
        parts.append(_("Highest %(high)s (%(high_value)s), lowest %(low)s (%(low_value)s).",
                       high=valued[0][0], high_value=fmt_decimal(valued[0][1], 0),
                       low=valued[-1][0], low_value=fmt_decimal(valued[-1][1], 0)))
    sides = {side: "; ".join(t for t, v, sd in ordered if v is not None and sd == side)
             for side in ("aim", "away", "none")}
    if sides["aim"]:
        parts.append(_("On the side the indicator aims for (above Sweden where a higher value "
                       "is better, below where a lower one is): %(names)s.", names=sides["aim"]))
    if sides["away"]:
        parts.append(_("On the other side: %(names)s.", names=sides["away"]))
    if sides["none"]:
        parts.append(_("Without a desired direction, or equal to Sweden: %(names)s.",
                       names=sides["none"]))
    if valued and any(it.get("difference") for it in items):
        parts.append(_("The colours show the side; the table says which differences lie "
                       "beyond chance (Sweden's value outside the region's confidence "
                       "interval)."))
    elif valued:
        parts.append(_("The colours show the side; the differences are not tested "
                       "statistically."))
    missing = len(ordered) - len(valued)
    if missing:
        parts.append(_("One indicator without an index (a value not shown, or Sweden's not "
                       "above zero) is shown as ..") if missing == 1
                     else _("%(n)s indicators without an index (a value not shown, or Sweden's "
                            "not above zero) are shown as ..", n=missing))
    description = " ".join(parts)
    chart = Chart(_("Index, Sweden = 100"), description, 0, 100.0, _("Sweden = 100"))
    return _draw(charts.bar_svg, points, chart), description


_LEVEL_NAMES = {"nation": "Sweden", "region": "regions", "municipality": "municipalities",
                "care_unit": "care units"}


def breakdowns_text(d: Definition, _: Gettext) -> str:
    """The areas and sexes an indicator is published for, in words."""
    areas = ", ".join(_(_LEVEL_NAMES[a]) for a in d.areas)
    sexes = _("women, men and both together") if "K" in d.sexes else _("both sexes together")
    return f"{areas}; {sexes}"


def age_text(d: Definition, _: Gettext) -> str:
    """An indicator's age limits in words."""
    low, high = d.age.min, d.age.max
    if low is None and high is None:
        return _("all ages")
    if high is None:
        return _("%(min)s years and over", min=low)
    if low is None:
        return _("up to %(max)s years", max=high)
    return _("%(min)s–%(max)s years", min=low, max=high)
