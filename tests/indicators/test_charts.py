"""Bar charts: long labels wrap onto lines instead of being cut, and rows make room for them."""

from __future__ import annotations

import re

from naravard.indicators import charts
from naravard.indicators.charts import Chart, Point, bar_spec, to_svg

LONG = "Andel av befolkningen med fast läkarkontakt i särskilt boende"
CHART = Chart("Index, Sweden = 100", "Bars.", 0, 100.0, "Sweden = 100")


def _label(svg: str, word: str) -> str:
    return next(t for t in re.findall(r"<text[^>]*>.*?</text>", svg) if word in t)


def test_a_long_label_wraps_and_keeps_every_word() -> None:
    svg = to_svg(bar_spec([Point(LONG, 120.0), Point("Halland", 90.0, highlight=True)], CHART),
                 CHART)
    lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", _label(svg, "Andel"))
    assert lines == ["Andel av befolkningen med fast", "läkarkontakt i särskilt boende"]
    assert "…" not in svg
    assert 'font-weight="bold"' in _label(svg, "Halland")


def test_rows_grow_only_when_a_label_wraps() -> None:
    short = bar_spec([Point("Halland", 1.0), Point("Skåne", 2.0)], CHART)
    long = bar_spec([Point(LONG, 1.0), Point("Skåne", 2.0)], CHART)
    assert short["height"] == {"step": 18}
    assert long["height"] == {"step": 34}


def test_warming_renders_a_chart_so_the_first_page_need_not() -> None:
    charts._render.cache_clear()
    charts.warm()
    assert charts._render.cache_info().currsize == 1
    assert "<svg" in charts.line_svg([charts.Point("2023", 1.0), charts.Point("2024", 2.0)],
                                     charts.Chart("", ""))
    assert charts._render.cache_info().hits == 1  # the same chart: rendered by warm()


UNIT = "care episodes per 100 000 inhabitants aged 20+ (age-standardised)"


def _height(svg: str) -> float:
    return float(re.search(r'<svg[^>]*\sheight="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]


def test_a_long_unit_wraps_along_the_value_axis_and_keeps_the_chart_its_height() -> None:
    points = [Point("2022", 600.9), Point("2023", 646.4)]
    short = charts.line_svg(points, Chart("per cent", "Line."))
    long = charts.line_svg(points, Chart(UNIT, "Line."))
    title = re.findall(r"<tspan[^>]*>(.*?)</tspan>", _label(long, "episodes"))
    assert title == ["care episodes per 100 000", "inhabitants aged 20+", "(age-standardised)"]
    assert all(len(line) <= charts.VALUE_AXIS_CHARS["y"] for line in title)
    assert _height(long) == _height(short)  # before: 474 px against 271, the title past the plot
    assert charts.axis_title("per cent", "y") == "per cent"
    bars = charts.bar_svg([Point("Halland", 810.4), Point("Skåne", 702.9)], Chart(UNIT, "Bars."))
    assert UNIT in bars  # 64 characters fit along the 420 px of the bars' axis
    assert charts.axis_title(UNIT + " and further words", "x") == [UNIT, "and further words"]


def _bars(svg: str) -> list[tuple[str, str, str]]:
    """Each bar's (fill, fill opacity, outline) in drawing order."""
    return re.findall(r'<path d="M[^"]*Z" fill="(#[0-9a-f]{6})" fill-opacity="([\d.]+)" '
                      r'stroke="(#[0-9a-f]{6})"', svg)


def test_an_uncertain_value_is_a_light_bar_with_an_outline_in_its_colour() -> None:
    points = [Point("Dalarna", 22.5, uncertain=True), Point("Halland", 41.7),
              Point("Riket", 34.0, highlight=True), Point("Gotland", 0.0, uncertain=True,
                                                          own=True)]
    svg = charts.bar_svg(points, CHART)
    assert _bars(svg) == [
        (charts.ACCENT, str(charts.UNCERTAIN_FILL), charts.ACCENT),
        (charts.ACCENT, "1", charts.ACCENT),
        (charts.HIGHLIGHT, "1", charts.HIGHLIGHT),
        # a rate of 0 still shows its outline at the axis
        (charts.SERIES_COLOURS[2], str(charts.UNCERTAIN_FILL), charts.SERIES_COLOURS[2]),
    ]
    assert _bars(charts.bar_svg([Point("Halland", 41.7)], CHART)) == [
        (charts.ACCENT, "1", charts.ACCENT)]


def test_an_uncertain_value_is_a_hollow_point_on_its_line() -> None:
    points = [Point("2022", 3.0, "Dalarna", uncertain=True), Point("2023", 4.0, "Dalarna"),
              Point("2022", 5.0, "Sweden"), Point("2023", 6.0, "Sweden")]
    svg = charts.line_svg(points, Chart("per cent", "Line."))
    marks = re.findall(r'<path transform="translate\([\d.,]+\)" d="[^"]*" fill="(#[0-9a-f]{6})" '
                       r'stroke="(#[0-9a-f]{6})"', svg)
    accent, second = charts.SERIES_COLOURS[:2]
    # four points, then the legend's two symbols (always filled)
    assert marks == [("#ffffff", accent), (accent, accent), (second, second), (second, second),
                     (accent, accent), (second, second)]


def _legend_entries(svg: str) -> list[str]:
    legend = svg[svg.index('class="mark-group role-legend"'):]
    return re.findall(r"<text[^>]*>([^<]*)</text>", legend)


def test_the_legend_names_an_uncertain_value_where_the_chart_draws_one() -> None:
    words = "Fewer than 10 events: uncertain"
    few = Chart("per cent", "Line.", uncertain_label=words)
    line = [Point("2022", 3.0, "Dalarna", uncertain=True), Point("2023", 4.0, "Dalarna"),
            Point("2022", 5.0, "Sweden"), Point("2023", 6.0, "Sweden")]
    assert _legend_entries(charts.line_svg(line, few)) == ["Dalarna", "Sweden", words]
    # one line alone has no legend of its own, but the entry for its hollow point
    assert _legend_entries(charts.line_svg(line[:2], few)) == [words]
    # no entry without such a value, or without words for it
    assert _legend_entries(charts.line_svg(line[1:], few)) == ["Dalarna", "Sweden"]
    assert _legend_entries(charts.line_svg(line, Chart("per cent", "Line."))) == [
        "Dalarna", "Sweden"]
    bars = [Point("Dalarna", 22.5, uncertain=True), Point("Riket", 34.0, highlight=True)]
    svg = charts.bar_svg(bars, Chart("per cent", "Bars.", uncertain_label=words))
    assert _legend_entries(svg) == [words]
    # the key draws nothing in the plot: its marks are empty paths (no stray symbol on a bar)
    key = re.findall(r'd="([^"]*)" fill="#c6c7c8" stroke="#1b1f24"', svg)
    assert key[0] == "M0,0h0v0h0Z" and key[1] != key[0] and len(key) == 2
    assert 'role-legend"' not in charts.bar_svg(bars[1:], Chart("per cent", "Bars.",
                                                                uncertain_label=words))
