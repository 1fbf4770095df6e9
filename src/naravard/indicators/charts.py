"""Indicator charts as SVG: Vega-Altair specifications rendered by vl-convert.

Every chart is drawn from the same published values as the table shown beside it; masked and
missing values are not drawn (the table says ``..``) and bars that cannot be shown carry the mask
symbol. Numbers use Swedish formatting (decimal comma, narrow no-break space). The SVG is an image
with a text alternative: the root element gets ``role="img"`` and an ``aria-label`` (the caller's
summary); the marks inside are hidden from assistive technology, which reads the table instead.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt

#: d3-format locale of the charts: Swedish, with the narrow no-break space of the tables (also
#: on English pages: numbers are always shown in Swedish form, as in the tables).
SV_NUMBERS = {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", " kr"]}

ACCENT = "#00563f"
HIGHLIGHT = "#8a3b00"
TARGET = "#1b1f24"
SERIES_COLOURS = ("#00563f", "#8a3b00", "#1f4e99")
#: Bars on the side an indicator aims for, on the other side, and without an aim.
SIDE_COLOURS = {"aim": "#00563f", "away": "#b35c00", "none": "#6e7781"}
FONT = "DejaVu Sans, system-ui, sans-serif"
LABEL_CHARS = 36
"""Bar labels longer than this wrap onto further lines (indicator titles in region profiles)."""
LINE_HEIGHT = 240
"""Height of a line chart's plot, in pixels."""
VALUE_AXIS_CHARS = {"y": 34, "x": 68}
"""Value-axis titles (the unit) longer than this wrap: the vertical one of a line chart would
otherwise run past its plot's height and stretch the picture, the horizontal one of a bar chart
past its width."""


@dataclass(frozen=True)
class Point:
    """One value of a series: ``x`` is a period or an area name."""

    x: str
    value: float | None
    series: str = ""
    highlight: bool = False
    own: bool = False  #: the reader's own area: a colour of its own and a bold label
    #: Against a reference line: ``aim`` on the side the indicator aims for, ``away`` on the
    #: other, ``none`` where neither side is the aim (a colour each); "" for no such reading.
    side: str = ""
    #: The value's confidence interval, drawn as a line across the bar (None: none).
    low: float | None = None
    high: float | None = None
    #: The value rests on few events and is uncertain: a bar drawn light with an outline, a
    #: line's point hollow.
    uncertain: bool = False


#: Fill opacity of a bar whose value is uncertain (its outline keeps the full colour).
UNCERTAIN_FILL = 0.25
#: The legend's symbol of an uncertain value, (fill, outline) by symbol: a hollow point of a
#: line chart; a bar's light fill (the dark text colour at UNCERTAIN_FILL on white) with its
#: outline, in neutral colours since the bars have several.
UNCERTAIN_KEY = {"circle": ("#ffffff", TARGET), "square": ("#c6c7c8", TARGET)}


@dataclass(frozen=True)
class Chart:
    """How a chart is drawn: value axis text, number format, target line, text alternative.

    The chart's title is the caption of the figure around it, not part of the image.
    """

    value_title: str
    description: str
    decimals: int = 1
    target: float | None = None
    target_label: str = ""
    #: The legend's words for a value resting on few events (a light bar, a hollow point),
    #: shown when the chart draws such a value ("": no legend entry).
    uncertain_label: str = ""


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "aria": False,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#1b1f24",
                 "titleColor": "#1b1f24", "gridColor": "#d9dde1"},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
    }


def axis_title(text: str, axis: str) -> str | list[str]:
    """``text`` as one line, or as lines that fit along the value axis (``"x"`` or ``"y"``)."""
    lines = textwrap.wrap(text, VALUE_AXIS_CHARS[axis], break_on_hyphens=False)
    return text if len(lines) <= 1 else lines


def _fmt(decimals: int) -> str:
    return f",.{decimals}f"


@cache
def available() -> bool:
    """Whether Vega-Altair and vl-convert are installed (without them pages show only tables)."""
    return find_spec("altair") is not None and find_spec("vl_convert") is not None


def _target_layer(chart: Chart, axis: str) -> list[alt.Chart]:
    import altair as alt

    if chart.target is None:
        return []
    data = alt.InlineData(values=[{"target": chart.target, "label": chart.target_label}])
    rule = alt.Chart(data).mark_rule(color=TARGET, strokeDash=[6, 4], strokeWidth=2)
    text = alt.Chart(data).mark_text(align="left", dx=4, dy=-6, color=TARGET, fontSize=12)
    if axis == "y":
        return [rule.encode(y=alt.Y("target:Q")),
                text.encode(y=alt.Y("target:Q"), x=alt.value(0), text="label:N")]
    return [rule.encode(x=alt.X("target:Q")),
            text.encode(x=alt.X("target:Q"), y=alt.value(-6), text="label:N")]


def _uncertain_key(base: alt.Chart, points: Sequence[Point], chart: Chart, symbol: str,
                   encoding: dict[str, Any]) -> list[alt.Chart]:
    """A legend entry for the values resting on few events: an invisible mark on each of them
    (the ``opacity`` channel, which no other layer uses) whose legend shows ``symbol`` as such
    a value is drawn; none where the chart has no such value or no words for it."""
    import altair as alt

    label = chart.uncertain_label
    if not label or not any(p.uncertain and p.value is not None for p in points):
        return []
    fill, stroke = UNCERTAIN_KEY[symbol]
    legend = alt.Legend(title=None, symbolType=symbol, symbolSize=70, labelLimit=400)
    return [base.transform_filter("datum.few")
            .transform_calculate(key=json.dumps(label, ensure_ascii=False))
            .mark_point(size=0, filled=True, shape=symbol, fill=fill, stroke=stroke,
                        strokeWidth=1.5)
            .encode(**encoding, opacity=alt.Opacity(
                "key:N", scale=alt.Scale(type="ordinal", domain=[label], range=[1]),
                legend=legend))]


def line_spec(points: Sequence[Point], chart: Chart) -> dict[str, Any]:
    """A line chart over periods in the order given (years, or months by name), one line per
    series (legend when more than one); the points of uncertain values hollow."""
    import altair as alt

    order = list(dict.fromkeys(p.x for p in points))
    values = [{"x": p.x, "value": p.value, "series": p.series, "low": p.low, "high": p.high,
               "few": p.uncertain} for p in points]
    series = sorted({p.series for p in points}, key=[p.series for p in points].index)
    palette = alt.Scale(domain=series, range=list(SERIES_COLOURS[:len(series)]))
    colour = alt.Color("series:N", title=None, scale=palette,
                       legend=alt.Legend() if len(series) > 1 else None)
    shapes = alt.Shape("series:N", title=None, legend=alt.Legend() if len(series) > 1 else None,
                       scale=alt.Scale(domain=series,
                                       range=["circle", "square", "triangle-up"][:len(series)]))
    base = alt.Chart(alt.InlineData(values=values))
    line = base.mark_line(strokeWidth=2.5, invalid="break-paths-show-domains").encode(
        x=alt.X("x:O", title=None, axis=alt.Axis(labelAngle=0), sort=order),
        y=alt.Y("value:Q", title=axis_title(chart.value_title, "y"),
                axis=alt.Axis(format=_fmt(chart.decimals)),
                scale=alt.Scale(zero=True)),
        color=colour)
    # an uncertain value's point is hollow: white inside its line's colour
    marks = base.mark_point(filled=True, size=70, strokeWidth=1.5).encode(
        x=alt.X("x:O", sort=order), y="value:Q", color=colour, shape=shapes,
        stroke=alt.Stroke("series:N", scale=palette, legend=None),
        fill=alt.condition("datum.few", alt.value("#ffffff"),
                           alt.Fill("series:N", scale=palette, legend=None)))
    bands = [base.transform_filter(alt.FieldEqualPredicate(field="series", equal=name))
             .transform_filter("isValid(datum.low) && isValid(datum.high)")
             .mark_area(opacity=0.18, color=SERIES_COLOURS[i])
             .encode(x=alt.X("x:O", sort=order), y="low:Q", y2="high:Q")
             for i, name in enumerate(series)
             if any(p.low is not None for p in points if p.series == name)]
    key = _uncertain_key(base, points, chart, "circle",
                         {"x": alt.X("x:O", sort=order), "y": "value:Q"})
    layered = alt.layer(*bands, line, marks, *key, *_target_layer(chart, "y")).properties(
        width=420, height=LINE_HEIGHT)
    return {**layered.to_dict(), "config": _config()}


def bar_spec(points: Sequence[Point], chart: Chart) -> dict[str, Any]:
    """Horizontal bars in the given order; highlighted bars (Riket) and the reader's own area
    each in a colour of their own with a bold label, bars read against a reference line in
    the colour of their side; bars of uncertain values drawn light with an outline in that
    colour; bars without a value show the mask symbol ``..``."""
    import altair as alt

    labels = {p.x: "\n".join(textwrap.wrap(p.x, LABEL_CHARS)) or p.x for p in points}
    values = [{"x": labels[p.x], "value": p.value,
               "kind": "h" if p.highlight else "o" if p.own else p.side or "n",
               "mask": ".." if p.value is None else "", "low": p.low, "high": p.high,
               "few": p.uncertain}
              for p in points]
    order = [labels[p.x] for p in points]
    lines = max(label.count("\n") + 1 for label in order) if order else 1
    highlighted = [labels[p.x] for p in points if p.highlight or p.own]
    bold = " || ".join(f"datum.value == {json.dumps(x)}" for x in highlighted) or "false"
    y = alt.Y("x:N", title=None, sort=order, axis=alt.Axis(
        labelExpr="split(datum.label, '\\n')", labelLimit=240, labelLineHeight=14,
        labelFontWeight=alt.condition(bold, alt.value("bold"), alt.value("normal"))))
    base = alt.Chart(alt.InlineData(values=values))
    kinds = alt.Scale(domain=["n", "h", "o", *SIDE_COLOURS],
                      range=[ACCENT, HIGHLIGHT, SERIES_COLOURS[2], *SIDE_COLOURS.values()])
    bars = base.mark_bar(strokeWidth=1.5).encode(
        y=y,
        x=alt.X("value:Q", title=axis_title(chart.value_title, "x"),
                axis=alt.Axis(format=_fmt(chart.decimals), labelOverlap=True,
                              labelSeparation=6)),
        color=alt.Color("kind:N", legend=None, scale=kinds),
        stroke=alt.Stroke("kind:N", legend=None, scale=kinds),
        fillOpacity=alt.condition("datum.few", alt.value(UNCERTAIN_FILL), alt.value(1.0)))
    masks = base.mark_text(align="left", dx=3, color="#1b1f24", fontSize=12).encode(
        y=alt.Y("x:N", sort=order), x=alt.value(0), text="mask:N")
    limits = [base.transform_filter("isValid(datum.low) && isValid(datum.high)")
              .mark_rule(color="#1b1f24", strokeWidth=1.5)
              .encode(y=alt.Y("x:N", sort=order), x="low:Q", x2="high:Q")
              ] if any(p.low is not None for p in points) else []
    key = _uncertain_key(base, points, chart, "square",
                         {"y": alt.Y("x:N", sort=order), "x": "value:Q"})
    layered = alt.layer(bars, *limits, masks, *key, *_target_layer(chart, "x")).properties(
        width=420, height=alt.Step(18 if lines == 1 else 14 * lines + 6))
    return {**layered.to_dict(), "config": _config()}


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def _accessible(svg: str, description: str) -> str:
    """Give the root element an image role and the text alternative; the marks inside carry no
    roles of their own (the table beside the chart holds the data)."""
    label = escape(description, quote=True)
    plain = _INNER_ARIA.sub("", svg)

    def opening(match: re.Match[str]) -> str:
        return (f'<svg{match.group(1)} role="img" aria-label="{label}" focusable="false">'
                f"<title>{escape(description)}</title>")

    return _SVG_OPEN.sub(opening, plain, count=1)


@lru_cache(maxsize=256)
def _render(spec_json: str) -> str:
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(json.loads(spec_json), format_locale=SV_NUMBERS))


def to_svg(spec: dict[str, Any], chart: Chart) -> str:
    """The SVG of a chart specification (cached by the specification)."""
    svg = _render(json.dumps(spec, sort_keys=True, ensure_ascii=False))
    return _accessible(svg, chart.description)


def line_svg(points: Sequence[Point], chart: Chart) -> str:
    """A line chart as accessible SVG."""
    return to_svg(line_spec(points, chart), chart)


def bar_svg(points: Sequence[Point], chart: Chart) -> str:
    """A bar chart as accessible SVG."""
    return to_svg(bar_spec(points, chart), chart)


def warm() -> None:
    """Load the chart libraries and render one small chart, so that the first page with charts
    after a start does not wait for them (about 0.6 s: Altair's import and the first Vega
    rendering). Does nothing when the libraries are not installed."""
    if available():
        line_svg([Point("2023", 1.0), Point("2024", 2.0)], Chart("", ""))
