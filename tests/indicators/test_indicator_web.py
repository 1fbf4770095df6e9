"""Indicator pages: the list, one indicator (charts with their tables, Swedish numbers, Riket
last, ``..`` for masked cells, the definition) and the staff-only internal figures."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from naravard.config import Settings
from naravard.formatting import THIN
from naravard.indicators import charts
from naravard.storage import indicator_repo
from naravard.web.app import create_app
from naravard.web.security import CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import open_session_token
from tests.indicators.test_indicator_store import (
    NAMED_DOCTOR_2023,
    ND,
    UNITS,
    continuity_rows,
    named_doctor_rows,
    row,
    store,
)
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]


def squash(text: str) -> str:
    """Runs of ASCII white space as one space (thin spaces in numbers stay)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


class Tables(HTMLParser):
    """Every table of a page: its caption and rows of cell texts (and the value's unit, which
    the caption states on a line of its own)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.units: dict[str, str] = {}
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._caption: list[str] | None = None
        self._unit: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "span" and self._caption is not None and ("class", "ind-unit") in attrs:
            self._unit = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._unit is not None:
            self.units[squash("".join(self._caption or []))] = squash("".join(self._unit))
            self._unit = None
        elif tag == "caption" and self._caption is not None:
            rows = self.tables[-1][1]
            self.tables[-1] = (squash("".join(self._caption)), rows)
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(squash("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._unit is not None:
            self._unit.append(data)
            return
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)

    def table(self, caption: str) -> list[list[str]]:
        """The rows (header included) of the table with ``caption``."""
        return next(rows for cap, rows in self.tables if cap == caption)


def n(text: str) -> str:
    """Swedish number text: spaces written as plain spaces in the test become thin ones."""
    return text.replace(" ", THIN)


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[Client]:
    """A browser signed in as one of the test users (``None``: anonymous)."""
    application = create_app(settings)

    def make(username: str | None) -> TestClient:
        client = TestClient(application, follow_redirects=False)
        client.cookies.set(CSRF_COOKIE, CSRF)
        if username:
            client.cookies.set(SESSION_COOKIE, open_session_token(engine, username))
        return client

    yield make
    application.state.engine.dispose()


@pytest.fixture
def stored(session: Session) -> Iterator[None]:
    indicator_repo._CACHE.clear()
    store(session, named_doctor_rows("2022", 2) + named_doctor_rows("2023"))
    yield
    indicator_repo._CACHE.clear()


def test_list_shows_sweden_latest_published_value(web: Client, stored: None) -> None:
    page = web(None).get("/indicators")
    assert page.status_code == 200
    rows = Tables(page.text).table("Indikatorer och rikets senaste värde")
    assert rows[0] == ["Indikator", "Enhet", "År", "Riket", "Mål", "Bättre värde"]
    named = next(r for r in rows if r[0] == "Andel av befolkningen med fast läkarkontakt")
    assert named == ["Andel av befolkningen med fast läkarkontakt", "procent av befolkningen",
                     "2023", "50,0", "≥ 55,0", "högre"]
    other = next(r for r in rows if r[0].startswith("Oplanerade återinskrivningar"))
    assert other[2:4] == ["", "inte beräknad"] and other[-1] == "lägre"
    distance = next(r for r in rows if r[0].startswith("Andel distansbesök"))
    assert distance[-1] == "ingetdera"
    assert "Antal under 5" in page.text  # the disclosure rule is stated


def test_list_shows_the_own_region_beside_sweden(web: Client, stored: None) -> None:
    for user in ("respondent", "municipality", "rss"):
        rows = Tables(web(user).get("/indicators").text).table(
            "Indikatorer och rikets senaste värde")
        mine = rows[0][3:-4]  # a municipality's people have their municipality first
        assert mine == (["Kungsbacka"] if user == "municipality" else [])
        rows = [r[:3] + r[3 + len(mine):] for r in rows]
        assert rows[0] == ["Indikator", "Enhet", "År", "Region Halland", "Riket", "Mål",
                           "Bättre värde"]
        named = next(r for r in rows if r[0] == "Andel av befolkningen med fast läkarkontakt")
        assert named[2:5] == ["2023", "60,0", "50,0"]
        other = next(r for r in rows if r[0].startswith("Oplanerade återinskrivningar"))
        assert other[2:5] == ["", "", "inte beräknad"]
    dalarna = Tables(web("foreign").get("/indicators").text).table(
        "Indikatorer och rikets senaste värde")
    assert dalarna[0][3] == "Region Dalarna"
    assert next(r for r in dalarna if r[0] == "Andel av befolkningen med fast läkarkontakt"
                )[3] == "40,0"
    staff = Tables(web("analyst").get("/indicators").text).table(
        "Indikatorer och rikets senaste värde")
    assert staff[0] == ["Indikator", "Enhet", "År", "Riket", "Mål", "Bättre värde"]


def test_list_shows_a_municipality_its_own_value_too(web: Client, session: Session) -> None:
    """A municipality's people see their municipality's latest value beside their region's
    and Sweden's; hidden there, it is ``..`` as everywhere."""
    heading = ["Indikator", "Enhet", "År", "Kungsbacka", "Region Halland", "Riket", "Mål",
               "Bättre värde"]
    for factor, kungsbacka in ((2, "6,0"), (1, "..")):  # 6 of 100 shown; 3 of 50 hidden
        indicator_repo.clear_caches()
        store(session, named_doctor_rows("2023", factor), checksum=f"k{factor}")
        rows = Tables(web("municipality").get("/indicators").text).table(
            "Indikatorer och rikets senaste värde")
        assert rows[0] == heading
        named = next(r for r in rows if r[0] == "Andel av befolkningen med fast läkarkontakt")
        assert named[2:6] == ["2023", kungsbacka, "60,0", "50,0"]
        other = next(r for r in rows if r[0].startswith("Oplanerade återinskrivningar"))
        assert other[2:6] == ["", "", "", "inte beräknad"]
    region_people = Tables(web("respondent").get("/indicators").text).table(
        "Indikatorer och rikets senaste värde")
    assert "Kungsbacka" not in region_people[0]


def test_indicator_page_has_each_chart_beside_its_table(web: Client,
                                                        stored: None) -> None:
    page = web(None).get(f"/indicators/{ND}")
    assert page.status_code == 200
    pairs = re.findall(r'<div class="ind-pair">(.*?)</table>', page.text, re.S)
    assert len(pairs) == 3  # Riket over time, regions compared, women and men
    for pair in pairs:
        assert re.search(r'<svg [^>]*role="img" aria-label="[^"]+"', pair)
        assert "<figcaption>" in pair and '<table class="data ind-table"' in pair
    tables = Tables(page.text)
    assert tables.units["Riket per år"] == "Värde: procent av befolkningen"
    assert tables.table("Riket per år") == [
        ["År", "Täljare", "Nämnare", "Värde", "Status"],
        ["2022", n("2 000"), n("4 000"), "50,0", ""],
        ["2023", n("1 000"), n("2 000"), "50,0", ""],
    ]
    # Sorted by value, Riket last in the table.
    assert tables.table("Regionerna jämförda, 2023")[1:] == [
        ["Region Halland", "600", n("1 000"), "60,0", ""],
        ["Region Dalarna", "400", n("1 000"), "40,0", ""],
        ["Riket", n("1 000"), n("2 000"), "50,0", ""],
    ]
    assert tables.table("Kvinnor och män, riket")[1:] == [
        ["2022, kvinnor", n("1 040"), n("2 020"), "51,5", ""],
        ["2023, kvinnor", "520", n("1 010"), "51,5", ""],
        ["2022, män", "960", n("1 980"), "48,5", ""],
        ["2023, män", "480", "990", "48,5", ""],
    ]
    assert 'class="ind-riket"><th scope="row">Riket</th>' in page.text
    # The text alternative names the values and the target line.
    assert ("Linjediagram: Andel av befolkningen med fast läkarkontakt, riket, per år. "
            "2022: 50,0; 2023: 50,0. Den streckade linjen är målet, 55,0.") in page.text
    assert ("Stapeldiagram: Andel av befolkningen med fast läkarkontakt per region, 2023, "
            "sorterat efter värde; riket är markerat. Ett högre värde är bättre. Högst Region "
            "Halland (60,0), lägst Region Dalarna (40,0). Riket: 50,0.") in page.text
    assert "Dold (röjandeskydd)" not in page.text  # no masked region
    # The desired direction under the description, and with its evidence in the definition
    assert ('<p class="ind-direction">Ett högre värde är bättre. Mål: Minst 55 % av '
            "befolkningen ska ha en namngiven fast läkarkontakt") in page.text
    facts = page.text.split('id="h-definition"', 1)[1]
    assert re.search(r"<dt>Önskad riktning</dt><dd>Ett högre värde är bättre\. \(<abbr[^>]*>C"
                     r"</abbr>: <span lang=\"en\">Goal 1 of the agreements", facts)
    english = web(None).get("/indicators/avoidable_inpatient_chronic",
                            headers={"Accept-Language": "en"}).text
    assert '<p class="ind-direction">A lower value is better.</p>' in english


def test_masked_municipalities_show_the_mask_and_nothing_else(web: Client,
                                                              stored: None) -> None:
    page = web(None).get(f"/indicators/{ND}?period=2023&region=13")
    rows = Tables(page.text).table("Kommunerna i Region Halland, 2023")
    assert rows[1:] == [
        ["Halmstad", "..", "950", "..", "Dold (röjandeskydd)"],
        ["Kungsbacka", "..", "50", "..", "Dold (röjandeskydd)"],
        ["Region Halland", "600", n("1 000"), "60,0", ""],
    ]
    assert "597" not in page.text and "62,8" not in page.text  # Halmstad's hidden figures
    assert "/internal" not in page.text  # nothing public links to internal figures
    # The chart beside the table: sorted by value, the region marked, masked values as ..
    municipal = page.text.split('id="h-municipalities"', 1)[1]
    assert "<svg" in municipal.split("</section>", 1)[0]
    assert ("Stapeldiagram: Andel av befolkningen med fast läkarkontakt per kommun i Region "
            "Halland, 2023, sorterat efter värde; regionen är markerad. Ingen kommun har ett "
            "värde som kan visas. Region Halland: 60,0. 2 kommuner utan värde visas som ..") \
        in page.text


#: The table of Halland beside Sweden by year in the stored named-doctor results.
HALLAND_BESIDE_SWEDEN = [
    ["2022, Region Halland", n("1 200"), n("2 000"), "60,0", ""],
    ["2023, Region Halland", "600", n("1 000"), "60,0", ""],
    ["2022, Riket", n("2 000"), n("4 000"), "50,0", ""],
    ["2023, Riket", n("1 000"), n("2 000"), "50,0", ""],
]


def test_a_chosen_region_is_shown_beside_sweden_over_the_years(web: Client,
                                                              stored: None) -> None:
    chooser = web(None).get(f"/indicators/{ND}")
    assert "Välj en region för att se den bredvid riket över åren" in chooser.text
    assert "Region Halland och riket per år" not in chooser.text
    page = web(None).get(f"/indicators/{ND}?period=2023&region=13")
    tables = Tables(page.text)
    assert tables.units["Region Halland och riket per år"] == "Värde: procent av befolkningen"
    assert tables.table("Region Halland och riket per år") == [
        ["År", "Täljare", "Nämnare", "Värde", "Status"], *HALLAND_BESIDE_SWEDEN]
    assert ("Linjediagram: Andel av befolkningen med fast läkarkontakt, Region Halland och "
            "riket per år. Region Halland: 2022: 60,0; 2023: 60,0. Riket: 2022: 50,0; 2023: "
            "50,0. Den streckade linjen är målet, 55,0.") in page.text
    section = page.text.split('id="h-one-region"', 1)[1].split("</section>", 1)[0]
    assert section.count("<svg") == 2  # the region over the years, then its municipalities
    assert section.index("h-region-years") < section.index("h-municipalities")
    assert len(re.findall(r'id="h-municipalities"', page.text)) == 1  # ids are unique
    english = web(None).get(f"/indicators/{ND}?period=2023&region=20",
                            headers={"Accept-Language": "en"})
    assert Tables(english.text).table("Region Dalarna and Sweden, by year")[1:] == [
        ["2022, Region Dalarna", "800", n("2 000"), "40,0", ""],
        ["2023, Region Dalarna", "400", n("1 000"), "40,0", ""],
        ["2022, Sweden", n("2 000"), n("4 000"), "50,0", ""],
        ["2023, Sweden", n("1 000"), n("2 000"), "50,0", ""],
    ]


def test_a_region_s_own_people_see_their_region_unless_they_choose_one(
        web: Client, stored: None) -> None:
    def chosen(user: str | None, query: str = "") -> list[str]:
        page = web(user).get(f"/indicators/{ND}{query}")
        return [cap for cap, _rows in Tables(page.text).tables if cap.endswith("och riket per år")]

    assert chosen("respondent") == ["Region Halland och riket per år"]
    # Kungsbacka's people see their region with Kungsbacka's own line
    assert chosen("municipality") == ["Kungsbacka, Region Halland och riket per år"]
    assert chosen("rss") == ["Region Halland och riket per år"]
    assert chosen("foreign") == ["Region Dalarna och riket per år"]
    assert chosen("foreign", "?region=13") == ["Region Halland och riket per år"]
    assert chosen(None) == [] and chosen("analyst") == []  # no region of their own


def test_the_own_region_is_marked_among_the_regions(web: Client, stored: None) -> None:
    dalarna = web("foreign").get(f"/indicators/{ND}").text
    regions = dalarna.split('id="h-regions"', 1)[1].split("</section>", 1)[0]
    assert ("Region Dalarna, markerad som din region, är nummer 2 av 2 regioner med ett "
            "värde, räknat från det högsta.") in regions
    assert 'fill="#1f4e99"' in regions  # its bar in a colour of its own
    labels = {t: "bold" in t for t in re.findall(r"<text[^>]*>[^<]*</text>", regions)
              if ">Region " in t}
    assert [bold for t, bold in labels.items() if ">Region Dalarna<" in t] == [True]
    assert [bold for t, bold in labels.items() if ">Region Halland<" in t] == [False]
    public = web(None).get(f"/indicators/{ND}").text
    assert "din region" not in public
    assert 'fill="#1f4e99"' not in public.split('id="h-regions"', 1)[1].split("</section>")[0]


def test_a_municipality_sees_its_own_line_beside_its_region_and_sweden(
        web: Client, stored: None) -> None:
    page = web("municipality").get(f"/indicators/{ND}")
    assert Tables(page.text).table("Kungsbacka, Region Halland och riket per år")[1:] == [
        ["2022, Kungsbacka", "6", "100", "6,0", ""],
        ["2023, Kungsbacka", "..", "50", "..", "Dold (röjandeskydd)"],  # 3 of 50: hidden
        *HALLAND_BESIDE_SWEDEN]
    assert ("Linjediagram: Andel av befolkningen med fast läkarkontakt, Kungsbacka, Region "
            "Halland och riket per år. Kungsbacka: 2022: 6,0; 2023: inget värde visas. Region "
            "Halland: 2022: 60,0; 2023: 60,0. Riket: 2022: 50,0; 2023: 50,0.") in page.text
    # another region chosen: no line of Kungsbacka's
    other = Tables(web("municipality").get(f"/indicators/{ND}?region=20").text)
    assert [c for c, _r in other.tables if c.endswith("per år")] == [
        "Riket per år", "Region Dalarna och riket per år"]


def test_staff_see_internal_figures_on_their_own_route(web: Client, stored: None) -> None:
    analyst = web("analyst")
    public = analyst.get(f"/indicators/{ND}")
    assert f'href="/indicators/{ND}/internal?variant=all"' in public.text
    page = analyst.get(f"/indicators/{ND}/internal?period=2023&region=13")
    assert "Interna uppgifter utan röjandeskydd: får inte publiceras." in page.text
    rows = Tables(page.text).table("Kommunerna i Region Halland, 2023")
    assert rows[2] == ["Kungsbacka", "3", "50", "6,0", ""]
    assert ("Högst Halmstad (62,8), lägst Kungsbacka (6,0). Region Halland: 60,0."
            in page.text)
    export = analyst.get(f"/indicators/{ND}/internal.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert f"{ND},all,2023,municipality,1384,Kungsbacka,T,3,50,6,,,ok" in export.text
    assert web("respondent").get(f"/indicators/{ND}/internal").status_code == 403


def test_variant_period_and_language(web: Client, stored: None) -> None:
    client = web(None)
    client.cookies.set("lang", "en")
    page = client.get(f"/indicators/{ND}?period=2022&variant=nope")
    tables = Tables(page.text)
    assert tables.table("Regions compared, 2022")[1] == [
        "Region Halland", n("1 200"), n("2 000"), "60,0", ""]
    assert tables.table("Regions compared, 2022")[-1][0] == "Sweden"  # not "Riket"
    assert "Share of the population with a named regular doctor" in page.text


def test_definition_without_results(web: Client, stored: None) -> None:
    page = web(None).get("/indicators/avoidable_inpatient_chronic")
    assert "Inga resultat har sparats för indikatorn ännu." in page.text
    tables = Tables(page.text)
    codes = tables.table("Kategorier och kodprefix i acsc_chronic")
    assert codes[1] == ["Hjärtsvikt", "I110, I130, I132, I50"]
    assert "Kodlista acsc_chronic, version oecd-hcqi-approx-1" in page.text
    settings = {r[0]: r[1:] for r in tables.table(
        "Inställningar och hur väl de har stöd: C bekräftad i en källa, P delvis bekräftad, "
        "I härledd")[1:]}
    assert settings["transfer_gap_days"][1] == "I"
    assert web(None).get("/indicators/nope").status_code == 404


def test_without_the_chart_packages_the_tables_remain(web: Client, stored: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "available", lambda: False)
    page = web(None).get(f"/indicators/{ND}").text
    assert "<svg" not in page
    assert len(re.findall(r'<table class="data ind-table"', page)) == 3
    assert "Linjediagram: Andel av befolkningen med fast läkarkontakt" in page


def test_a_change_shows_the_index_values_it_is_formed_from(web: Client,
                                                           session: Session) -> None:
    """The change's numerator and denominator are COC values (0–1) in the year and the base
    year: they keep the continuity index's three decimals, not the change's one."""
    indicator_repo._CACHE.clear()
    store(session, continuity_rows(), units=UNITS)
    try:
        page = web(None).get("/indicators/continuity_change")
        assert Tables(page.text).table("Riket per år")[1:] == [
            ["2021", "0,600", "0,600", "0,0", ""],
            ["2023", "0,660", "0,600", "10,0", ""],
        ]
        index = web(None).get("/indicators/continuity_primary_care?variant=coc_doctor")
        assert Tables(index.text).table("Riket per år")[1:] == [
            ["2021", "60", "100", "0,600", ""],
            ["2023", "66", "100", "0,660", ""],
        ]
    finally:
        indicator_repo._CACHE.clear()


def test_a_chosen_region_beside_sweden_month_by_month(web: Client, session: Session) -> None:
    cg = "care_guarantee_3_days"
    cells = {("nation", "00"): {"2023": (600, 800), "2023-01": (300, 400),
                                "2023-02": (300, 400)},
             ("region", "13"): {"2023": (360, 500), "2023-01": (180, 250),
                                "2023-02": (180, 250)},
             ("region", "20"): {"2023": (240, 300), "2023-01": (120, 150),
                                "2023-02": (120, 150)}}
    indicator_repo._CACHE.clear()
    store(session, [row(cg, p, level, code, "T", num, den, variant="licensed_staff")
                    for (level, code), periods in cells.items()
                    for p, (num, den) in periods.items()])
    try:
        page = web(None).get(f"/indicators/{cg}?region=13")
        tables = Tables(page.text)
        assert tables.table("Region Halland och riket per månad, 2023") == [
            ["Månad", "Täljare", "Nämnare", "Värde", "Status"],
            ["januari, Region Halland", "180", "250", "72,0", ""],
            ["februari, Region Halland", "180", "250", "72,0", ""],
            ["januari, Riket", "300", "400", "75,0", ""],
            ["februari, Riket", "300", "400", "75,0", ""],
        ]
        assert ("Linjediagram: Medicinsk bedömning inom tre dagar i primärvården, Region "
                "Halland och riket per månad 2023. Region Halland: januari: 72,0; februari: "
                "72,0. Riket: januari: 75,0; februari: 75,0.") in page.text
        section = page.text.split('id="h-one-region"', 1)[1].split("</section>", 1)[0]
        assert section.index("h-region-years") < section.index("h-region-months")
        # Sweden's own months as before; without a chosen region no region's months
        assert tables.table("Riket per månad, 2023")[1][0] == "januari"
        assert "per månad, 2023" not in web(None).get(f"/indicators/{cg}").text.replace(
            "Riket per månad, 2023", "")
    finally:
        indicator_repo._CACHE.clear()


def test_a_monthly_indicator_shows_the_months_of_the_chosen_year(web: Client,
                                                                 session: Session) -> None:
    cg = "care_guarantee_3_days"
    # the months add up to their year, as the engine's do
    cells = {"2022": (70, 100), "2022-12": (70, 100), "2023": (692, 860),
             "2023-01": (300, 400), "2023-02": (290, 300), "2023-03": (2, 10),
             "2023-04": (100, 150)}
    indicator_repo._CACHE.clear()
    store(session, named_doctor_rows() + [
        row(cg, p, "nation", "00", "T", num, den, variant="licensed_staff")
        for p, (num, den) in cells.items()])
    try:
        client = web(None)
        page = client.get(f"/indicators/{cg}")
        assert "År för månaderna och regionerna" in page.text
        tables = Tables(page.text)
        assert tables.table("Riket per år")[1:] == [
            ["2022", "70", "100", "70,0", ""], ["2023", "692", "860", "80,5", ""]]
        hidden = "Dold (röjandeskydd)"
        assert tables.units["Riket per månad, 2023"] == "Värde: procent av bedömningarna"
        assert tables.table("Riket per månad, 2023") == [
            ["Månad", "Täljare", "Nämnare", "Värde", "Status"],
            ["januari", "300", "400", "75,0", ""],
            ["februari", "290", "300", "96,7", ""],
            ["mars", "..", "..", "..", hidden],  # 2 assessments of 10
            # hidden as well, or March would be the year less the other months
            ["april", "..", "..", "..", hidden],
        ]
        months = page.text.split('id="h-months"', 1)[1].split("</section>", 1)[0]
        assert "<svg" in months and ">jan.<" in months and ">mars<" in months
        assert ("Linjediagram: Medicinsk bedömning inom tre dagar i primärvården, riket, per "
                "månad 2023. januari: 75,0; februari: 96,7; mars: inget värde visas; april: "
                "inget värde visas") in page.text
        earlier = Tables(client.get(f"/indicators/{cg}?period=2022").text)
        assert earlier.table("Riket per månad, 2022")[1:] == [
            ["december", "70", "100", "70,0", ""]]
        client.cookies.set("lang", "en")
        english = Tables(client.get(f"/indicators/{cg}").text)
        assert [r[0] for r in english.table("Sweden, by month, 2023")[1:]] == [
            "January", "February", "March", "April"]
        # an indicator computed per year only has no months and keeps its label
        yearly = client.get(f"/indicators/{ND}").text
        assert 'id="h-months"' not in yearly and "Year for the regions" in yearly
    finally:
        indicator_repo._CACHE.clear()


def test_a_crude_variant_states_its_own_unit(web: Client, session: Session) -> None:
    indicator_repo._CACHE.clear()
    avoidable = "avoidable_inpatient_chronic"
    rows = []
    for (level, code), cells in NAMED_DOCTOR_2023.items():
        for sex, (num, den) in zip("TKM", cells, strict=True):
            for variant in ("all", "all_crude"):
                rows.append(row(avoidable, "2023", level, code, sex, num, den * 100,
                                scale=100_000, variant=variant))
    store(session, rows)
    crude = web(None).get(f"/indicators/{avoidable}?variant=all_crude")
    units = Tables(crude.text).units
    if charts.available():  # the charts' value axis names the variant's unit too
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", crude.text.split("<table")[0])
        assert "20 år och äldre (ej åldersstandardiserat)" in " ".join(lines)
    assert units["Regionerna jämförda, 2023"] == "Värde: vårdtillfällen per 100 000 invånare " \
        "20 år och äldre (ej åldersstandardiserat)"
    assert ("ingen för denna variant (ej åldersstandardiserad); övriga varianter: direkt, "
            "standardbefolkning esp2013") in squash(crude.text)
    text = squash(crude.text)
    assert "<dt>Ålder</dt><dd>20 år och äldre (" in text
    assert "<dt>Redovisningsgrupper</dt><dd>Riket, regioner, kommuner; kvinnor, män och båda " \
        "tillsammans</dd>" in text
    standardised = web(None).get(f"/indicators/{avoidable}?variant=all")
    assert "direkt, standardbefolkning esp2013 (" in squash(standardised.text)
    assert Tables(standardised.text).units["Regionerna jämförda, 2023"] == (
        "Värde: vårdtillfällen per 100 000 invånare 20 år och äldre (åldersstandardiserat)")
    indicator_repo._CACHE.clear()


def test_a_bad_address_gets_a_page_not_json(web: Client, stored: None) -> None:
    page = web(None).get(f"/indicators/{ND}?period=20233333")
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "Adressen är inte giltig" in page.text and "period" in page.text
    api = web(None).get(f"/api/v1/indicators/{ND}/values?page=0")
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["query", "page"]
