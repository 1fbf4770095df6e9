"""A rate resting on fewer events than its definition names (avoidable care and ED visits 80+:
10, the research notes §10.3) is marked as uncertain wherever it is published: the page's
tables, charts and their legends, the API, the CSV and the workbook; the definition says so."""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard import indicators
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.definition import parse_definition
from naravard.indicators.publish import few_events
from naravard.indicators.text import DefinitionError, read_yaml
from naravard.storage import indicator_repo
from tests.indicators import test_indicator_web as pages
from tests.indicators.test_indicator_store import row, store
from tests.indicators.test_indicator_workbook import book

Client = Callable[[str | None], TestClient]
web = pages.web  # the fixture: a browser signed in as a test user
AC = "avoidable_inpatient_chronic"
ED = "ed_visits_80plus"
READMISSIONS = "readmission_30d_65plus"
DEFINITIONS = Path(indicators.__file__).parent / "definitions"

#: (level, code) → (T, K, M) as (events, population): Dalarna's 9 events lie under 10, its
#: men's 4 under the disclosure threshold of 5.
EVENTS_2023 = {
    ("nation", "00"): ((34, 100_000), (17, 50_000), (17, 50_000)),
    ("region", "13"): ((25, 60_000), (12, 30_000), (13, 30_000)),
    ("region", "20"): ((9, 40_000), (5, 20_000), (4, 20_000)),
}


def avoidable_rows() -> list[dict[str, Any]]:
    return [row(AC, "2023", level, code, sex, num, den, scale=100_000)
            for (level, code), cells in EVENTS_2023.items()
            for sex, (num, den) in zip("TKM", cells, strict=True)]


@pytest.fixture
def stored(session: Session) -> Iterator[None]:
    indicator_repo._CACHE.clear()
    store(session, avoidable_rows())
    yield
    indicator_repo._CACHE.clear()


def test_a_bar_chart_counts_its_uncertain_values() -> None:
    from naravard.web.i18n import gettext_for
    from naravard.web.indicators_view import _few_events_text

    d, sv = shipped_catalogue().definition(AC), gettext_for("sv")
    rows = [{"status": "ok", "value": 1.0, "numerator": n} for n in (3.0, 9.0, 10.0)]
    assert _few_events_text(rows, d, sv) == (
        "2 värden bygger på färre än 10 händelser och är osäkra: deras staplar är ljusa med en "
        "kantlinje, och tabellen markerar dem.")
    assert _few_events_text(rows[2:], d, sv) == ""
    assert _few_events_text(rows, shipped_catalogue().definition(READMISSIONS), sv) == ""


def test_which_values_are_marked() -> None:
    d = shipped_catalogue().definition(AC)
    assert d.interval.few_events_below == 10
    base = {"status": "ok", "value": 22.5, "numerator": 9.0}
    assert few_events(base, d)
    assert not few_events({**base, "numerator": 10.0}, d)
    assert not few_events({**base, "status": "suppressed", "value": None}, d)
    assert not few_events({**base, "status": "too_few", "value": None}, d)
    # a numerator hidden with its value, or not shown: nothing to count
    assert not few_events({**base, "numerator": None}, d)
    # only where the definition names a number of events: the rates, not the shares
    assert not few_events(base, shipped_catalogue().definition(READMISSIONS))
    assert {x.id: x.interval.few_events_below for x in shipped_catalogue().definitions
            if x.interval.few_events_below is not None} == {AC: 10, ED: 10}
    # ED visits 80+ counts visits: 9 of them are few, 10 are not
    ed = shipped_catalogue().definition(ED)
    assert few_events({**base, "value": 45.0}, ed)
    assert not few_events({**base, "value": 50.0, "numerator": 10.0}, ed)


@pytest.mark.parametrize(("indicator", "value", "message"), [
    (READMISSIONS, 10,
     "only a rate's events are counted (poisson, poisson_persons, dobson)"),
    (AC, 0, "must be at least 1"),
    (AC, "ten", "must be a whole number"),
    (AC, 9.5, "must be a whole number"),
])
def test_a_definition_counts_events_only_of_a_rate(indicator: str, value: object,
                                                   message: str) -> None:
    data = copy.deepcopy(read_yaml(DEFINITIONS / f"{indicator}.yaml"))
    data["interval"]["few_events_below"] = value
    with pytest.raises(DefinitionError, match=rf"interval\.few_events_below: {re.escape(message)}"):
        parse_definition(f"{indicator}.yaml", data)
    data["interval"].pop("few_events_below")
    assert parse_definition(f"{indicator}.yaml", data).interval.few_events_below is None


def test_the_page_marks_a_rate_of_few_events(web: Client, stored: None) -> None:
    page = web(None).get(f"/indicators/{AC}?period=2023").text
    regions = pages.Tables(page).table("Regionerna jämförda, 2023")
    status = {r[0]: r[-1] for r in regions[1:]}
    assert status["Region Dalarna"] == "Färre än 10 händelser: osäkert"
    assert status["Region Halland"] == ""
    assert ("<dt>Konfidensintervall</dt><dd>Dobsons metod, 95\u202f%; en kvot av färre än 10 "
            "händelser märks som osäker (") in page
    # the chart's text alternative counts them (Dalarna's 9 events; Sweden's 34 are enough)
    assert ("Ett värde bygger på färre än 10 händelser och är osäkert: dess stapel är ljus med "
            "en kantlinje, och tabellen markerar det.") in page
    # and the chart draws Dalarna's bar light, the others full
    chart = page[page.index("Stapeldiagram: "):]
    chart = chart[:chart.index("</svg>")]
    opacities = re.findall(r'<path d="M[^"]*Z" fill="#[0-9a-f]{6}" fill-opacity="([\d.]+)"', chart)
    assert sorted(opacities) == ["0.25", "1", "1"]
    # the legend names the light bar: a light square with a dark outline, and its words
    assert re.search(r'd="M-4.183,-4.183h8.367v8.367h-8.367Z" fill="#c6c7c8" '
                     r'stroke="#1b1f24"', chart)
    assert ">Färre än 10 händelser: osäkert</text>" in chart
    english = web(None)
    english.cookies.set("lang", "en")
    text = english.get(f"/indicators/{AC}?period=2023").text
    assert "Fewer than 10 events: uncertain" in text
    assert ">Fewer than 10 events: uncertain</text>" in text  # the charts' legends
    assert ("One value rests on fewer than 10 events and is uncertain: its bar is drawn light "
            "with an outline, and the table marks it.") in text
    assert "; a rate of fewer than 10 events is marked as uncertain (" in text


def test_a_line_chart_draws_the_point_hollow(web: Client, stored: None) -> None:
    page = web(None).get(f"/indicators/{AC}?period=2023&region=20").text
    start = page.index('aria-label="Linjediagram: Undvikbar slutenvård vid kronisk sjukdom, '
                       'Region Dalarna och riket per år.')
    chart = page[start:page.index("</svg>", start)]
    assert ("Ett värde bygger på färre än 10 händelser och är osäkert: dess punkt är ihålig, "
            "och tabellen markerar det.") in chart
    symbols = [(fill, stroke) for d, fill, stroke in re.findall(
        r'<path transform="translate\([\d.,]+\)" d="([^"]*)" fill="(#[0-9a-f]{6})" '
        r'stroke="(#[0-9a-f]{6})"', chart) if d != "M0,0"]  # the legend's marks draw nothing
    # Dalarna's 9 events hollow, Sweden's 34 filled, then the legend's symbols: the two lines
    # filled, and the hollow point that marks a value of few events, with its words
    assert symbols == [("#ffffff", "#00563f"), ("#8a3b00", "#8a3b00"),
                       ("#00563f", "#00563f"), ("#8a3b00", "#8a3b00"), ("#ffffff", "#1b1f24")]
    assert ">Färre än 10 händelser: osäkert</text>" in chart
    # the national line (34 events) has no such sentence, nor the legend's entry
    national = page[:page.index("Regionerna jämförda")]
    assert "dess punkt är ihålig" not in national
    assert "händelser: osäkert</text>" not in national


def test_the_api_csv_and_workbook_mark_it(web: Client, stored: None) -> None:
    client = web(None)
    values = f"/api/v1/indicators/{AC}/values"
    params = {"area": "13,20", "gender": "T", "period": "2023", "variant": "all"}
    api = client.get(values, params=params).json()["values"]
    marks = {e["municipality"]: e["values"][0]["few_events"] for e in api}
    assert marks == {"13": False, "20": True}
    about = client.get(f"/api/v1/indicators/{AC}").json()["interval"]
    assert about["few_events_below"] == 10
    assert client.get(f"/api/v1/indicators/{ED}").json()["interval"]["few_events_below"] == 10
    assert client.get(f"/api/v1/indicators/{READMISSIONS}").json()["interval"][
        "few_events_below"] is None
    table = list(csv.reader(io.StringIO(client.get(values + ".csv", params=params).text)))
    assert [(r[4], r[-2], r[-1]) for r in table[1:]] == [
        ("13", "ok", ""), ("20", "ok", "Färre än 10 händelser: osäkert")]
    sheet = list(book(client.get(values + ".xlsx", params=params).content)["Värden"].iter_rows(
        min_row=4, values_only=True))
    assert [(r[3], r[11]) for r in sheet[1:]] == [("13", None),
                                                  ("20", "Färre än 10 händelser: osäkert")]
