"""A region's profile as PDF: the region view's latest values and questionnaire answers, then
each indicator's years beside Sweden's with the table and where the figures come from; only
for those who may see the region, made once for the same figures, rendered by WeasyPrint and
read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard import pdf
from naravard.cli.main import app
from naravard.formatting import THIN
from naravard.indicators.catalogue import shipped_catalogue
from naravard.pdf import html_to_pdf
from naravard.storage import indicator_repo
from naravard.storage.db import session_factory
from naravard.storage.indicator_repo import Row, store_results
from naravard.web import indicators_region, workbook_cache
from naravard.web.workbook_cache import WorkbookCache
from tests.funding import seeding
from tests.indicators import test_crosscheck_web as crosscheck
from tests.indicators import test_indicator_store as stored_results
from tests.indicators import test_indicator_web as pages
from tests.indicators.test_indicator_api_web import Client
from tests.indicators.test_indicator_store import COC, ND, info, named_doctor_rows
from tests.test_shared_outputs import structure

web = pages.web  # the fixture: a browser signed in as a test user
cli_env = stored_results.cli_env  # the fixture: the command line on the test database
PDF = "/indicators/regions/13/profile.pdf"
NBSP = THIN  # the thousands separator of the tables
LABEL = "Register <b>2023</b> & =SUM(A1)"  # a snapshot label that must stay text
NOW = dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC)


def sek(amount: str) -> str:
    """``95 223 749`` as the tables write it: thin spaces, then kronor."""
    return amount.replace(" ", NBSP) + " kr"


def text_of(pdf: bytes) -> str:
    """The PDF's text, pages joined, runs of white space made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _store(session: Session, rows: list[Row], checksum: str) -> None:
    store_results(session, rows, info(checksum, label=LABEL), stored_results.UNITS,
                  shipped_catalogue(), actor="tester")
    session.commit()


@pytest.fixture
def profiled(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkbookCache]:
    """Named doctors in 2022 and 2023, continuity, Halland's questionnaire answers, the 2020
    agreement with one payment to Halland; a profile cache of its own."""
    indicator_repo.clear_caches()
    _store(session, named_doctor_rows("2022", 2) + named_doctor_rows("2023")
           + stored_results.continuity_rows(), "b" * 64)
    crosscheck._round(session)
    seeding.agreement_2020(session)
    seeding.paid(session, seeding.requisition(amount=1_000_000))  # Halland's, on nära vård
    session.commit()
    cache = WorkbookCache()
    monkeypatch.setattr(workbook_cache, "WORKBOOKS", cache)
    yield cache
    indicator_repo.clear_caches()


def test_the_profile_holds_each_indicator_beside_sweden_by_year(session: Session,
                                                                profiled: WorkbookCache) -> None:
    html = indicators_region.profile_html(session, "13", "sv", "https://nara.example.se",
                                          NOW, "2026-12-06 10:00")
    tables = pages.Tables(html)
    latest = tables.table("Senaste publicerade värde för varje indikator, Region Halland "
                          "bredvid riket")
    assert ["Andel av befolkningen med fast läkarkontakt", "2023", "60,0", "50,0",
            "procent av befolkningen", "120", "högre", ""] in latest
    checks = tables.table("Uppgifter som Region Halland lämnat, bredvid registervärdena")
    assert checks[1][1:] == ["66,5", "60,0", "6,5", "Skiljer mer än 5,00"]
    # the funds: Halland's entitlements under the 2020 agreement (nära vård by population,
    # 95 223 749 kr by hand in the funding tests), 1 000 000 kr requisitioned and paid
    funds = tables.table("God och nära vård 2020 – överenskommelse mellan staten och Sveriges "
                         "Kommuner och Regioner")
    assert funds[0] == ["Rad", "Tilldelat", "Rekvirerat", "Utbetalt", "Återstår"]
    assert funds[1] == ["Utveckling av den nära vården med fokus på primärvård",
                        sek("95 223 749"), sek("1 000 000"), sek("1 000 000"),
                        sek("94 223 749")]
    assert funds[-1][0] == "Summa" and funds[-1][2:4] == [sek("1 000 000")] * 2
    assert tables.units[next(c for c, _ in tables.tables if c.startswith("God och nära vård"))] \
        == f"Tilldelade medel: {funds[-1][1]} totalt"
    assert "Ekonomisk redovisning: ännu inte inlämnad." in html
    sections = html.split('<section class="indicator">')[1:]
    by_region = [d for d in shipped_catalogue().definitions if "region" in d.areas]
    assert len(sections) == len(by_region)  # every indicator reported by region, in order
    for section, d in zip(sections, by_region, strict=True):
        assert f'<h2 id="ind-{d.id}">{d.title.get("sv")}</h2>' in section
        link = f"https://nara.example.se/indicators/{d.id}?region=13"
        assert f'<a href="{link}#h-one-region">{link}</a>' in section
    # the contents: the three parts, then each indicator, linked to its heading
    contents = re.findall(r'<li><a href="#([^"]+)">', html.split('<nav class="toc"')[1])
    assert contents == ["latest", "checks", "funds", *(f"ind-{d.id}" for d in by_region)]
    named = sections[[d.id for d in by_region].index(ND)]
    # the named doctors by year: Halland 1 200 of 2 000 in 2022 and 600 of 1 000 in 2023,
    # Sweden 2 000 of 4 000 and 1 000 of 2 000
    assert pages.Tables(named).table("Region Halland och riket per år") == [
        ["År", "Täljare", "Nämnare", "Värde", "Status"],
        ["2022, Region Halland", f"1{NBSP}200", f"2{NBSP}000", "60,0", ""],
        ["2023, Region Halland", "600", f"1{NBSP}000", "60,0", ""],
        ["2022, Riket", f"2{NBSP}000", f"4{NBSP}000", "50,0", ""],
        ["2023, Riket", f"1{NBSP}000", f"2{NBSP}000", "50,0", ""],
    ]
    version = shipped_catalogue().definition(ND).version
    assert ("Ett högre värde är bättre. Mål: Minst 55 % av befolkningen ska ha en namngiven "
            "fast läkarkontakt (mål 1, 2021–2022).") in named
    assert "<svg" in named and "Linjediagram: Andel av befolkningen med fast läkarkontakt" in named
    assert (f"Beräknad från Register &lt;b&gt;2023&lt;/b&gt; &amp; =SUM(A1), sparad "
            f"{dt.date.today().isoformat()}, med definitionsversion {version}.") in named
    nothing = sections[[d.id for d in by_region].index("care_guarantee_3_days")]
    assert "Inga uppgifter för Region Halland publiceras för denna indikator." in nothing
    assert "Beräknad från" not in nothing
    assert "Skapad 2026-12-06 10:00." in html and "<script" not in html


def test_the_profile_is_a_pdf_for_those_who_may_see_the_region(
        web: Client, profiled: WorkbookCache) -> None:
    halland = web("respondent")
    view = halland.get("/indicators/regions/13").text
    assert f'<a href="{PDF}">profilen för Region Halland' in view
    assert '<a href="/funding/org/13">Stimulansmedlen för Region Halland' in view
    assert halland.get("/funding/org/13").status_code == 200  # the link's page is theirs
    response = halland.get(PDF)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="indicators-13.pdf"'
    text = text_of(response.content)
    assert text.startswith("Region Halland: indikatorprofil")
    assert "Andel av befolkningen med fast läkarkontakt 2023 60,0 50,0" in text
    assert "66,5 60,0 6,5 Skiljer mer än 5,00" in text
    plain = text.replace(NBSP, " ")
    assert "2022, Region Halland 1 200 2 000 60,0" in plain
    assert ("Stimulansmedel God och nära vård 2020" in plain
            and "primärvård 95 223 749 kr 1 000 000 kr 1 000 000 kr 94 223 749 kr" in plain)
    assert "Beräknad från Register <b>2023</b> & =SUM(A1)" in text  # text, not markup
    assert "http://testserver/indicators/regions/13" in text.replace(" ", "")  # may wrap
    assert len(PdfReader(io.BytesIO(response.content)).pages) > 2
    root = PdfReader(io.BytesIO(response.content)).trailer["/Root"]
    assert root["/Lang"] == "sv" and bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert {"/H1", "/H2", "/Table", "/TH", "/Caption", "/Figure"} <= set(
        structure(root["/StructTreeRoot"]))
    english = halland.get(PDF, headers={"Accept-Language": "en"})
    assert text_of(english.content).startswith("Region Halland: indicator profile")
    assert web("foreign").get(PDF).status_code == 403
    assert web(None).get(PDF).status_code == 303  # to the sign-in page
    assert web("analyst").get(PDF).status_code == 200
    assert web("analyst").get("/indicators/regions/99/profile.pdf").status_code == 404


def test_a_profile_is_made_once_for_the_same_figures(
        session: Session, profiled: WorkbookCache, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def counting(html: str, base_url: str | None = None) -> bytes:
        made.append(html)
        return html_to_pdf(html, base_url)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    first = indicators_region.profile_pdf(session, "13", "sv", "", NOW)
    again = indicators_region.profile_pdf(session, "13", "sv", "",
                                          NOW + dt.timedelta(hours=2))
    assert again == first and len(made) == 1
    assert "Skapad 2026-12-06 10:00." in text_of(first)  # the first making, Swedish time
    assert len(made) == 1
    indicators_region.profile_pdf(session, "20", "sv", "")  # another region
    indicators_region.profile_pdf(session, "13", "en", "")  # another language
    assert len(made) == 3
    # new figures stored: a new profile with them
    _store(session, named_doctor_rows("2023", 3), "c" * 64)
    indicator_repo.clear_caches()
    newer = indicators_region.profile_pdf(session, "13", "sv", "")
    assert len(made) == 4 and newer != first
    assert "2023, Region Halland 1 800 3 000 60,0" in text_of(newer).replace(NBSP, " ")


def test_the_command_writes_the_profiles(cli_env: Path, engine: Engine,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_cache, "WORKBOOKS", WorkbookCache())
    indicator_repo.clear_caches()
    with session_factory(engine)() as s:
        _store(s, named_doctor_rows() + stored_results.continuity_rows(), "d" * 64)
    runner = CliRunner()
    result = runner.invoke(app, ["indicators", "profiles", "--out", str(cli_env / "pdf"),
                                 "-r", "13", "-r", "20", "--site", "https://nara.example.se/",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "2 profiles written to" in result.output
    assert sorted(p.name for p in (cli_env / "pdf").iterdir()) == [
        "indicators-13.pdf", "indicators-20.pdf"]
    dalarna = text_of((cli_env / "pdf" / "indicators-20.pdf").read_bytes())
    assert dalarna.startswith("Region Dalarna: indicator profile")
    assert "https://nara.example.se/indicators/regions/20" in dalarna.replace(" ", "")
    assert shipped_catalogue().definition(COC).title.get("en") in dalarna
    bad = runner.invoke(app, ["indicators", "profiles", "--out", str(cli_env / "x"),
                              "-r", "99"])
    assert bad.exit_code != 0 and "not a region code: 99" in bad.output
    assert not (cli_env / "x").exists()
    indicator_repo.clear_caches()


def test_the_documents_benchmark_renders_a_profile_of_its_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from naravard.web import documents_bench

    rows = documents_bench.sample_rows()
    # 12 indicators × 3 years × (Sweden + 21 regions) × T/K/M, every one shown
    assert len(rows) == 12 * 3 * 22 * 3 and {r["status"] for r in rows} == {"ok"}
    made: list[str] = []
    monkeypatch.setattr(documents_bench, "html_to_pdf",
                        lambda html: made.append(html) or html_to_pdf(html))
    result = documents_bench.profile_results(1)
    assert (result.name, len(result.subject_timing.runs), len(result.baseline_timing.runs)) == (
        "region profile, 12 indicators", 1, 1)
    assert len(made) == 2  # the warm-up and the timed run
    tables = pages.Tables(made[0])
    assert tables.table("Senaste publicerade värde för varje indikator, Region Halland "
                        "bredvid riket")[1][1] == "2023"
    assert tables.table("God och nära vård 2020 – överenskommelse mellan staten och Sveriges "
                        "Kommuner och Regioner")[1][0] == (
        "Utveckling av den nära vården med fokus på primärvård")  # the agreement frozen
