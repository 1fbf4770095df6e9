"""The national report: every indicator for Sweden and the regions as published, the
questionnaire rounds' completeness, the regions' answers beside the register and the
agreements' funds in one PDF, for staff; figures checked by hand in the HTML and read back
from the PDF."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.indicators.catalogue import shipped_catalogue
from naravard.storage import indicator_repo, survey_repo
from naravard.storage.db import session_factory
from naravard.storage.survey_tables import SurveyRound
from naravard.surveys.catalog import find_form, shipped_forms
from naravard.web import national_report, workbook_cache
from naravard.web.workbook_cache import WorkbookCache
from tests.funding import seeding
from tests.indicators import test_crosscheck_web as crosscheck
from tests.indicators import test_indicator_store as stored_results
from tests.indicators import test_indicator_web as pages
from tests.indicators.test_indicator_api_web import Client
from tests.indicators.test_indicator_store import ND, named_doctor_rows, store
from tests.indicators.test_region_profile import NBSP, NOW, sek, text_of

NNBSP = NBSP  # the narrow no-break space before a per cent sign

web = pages.web  # the fixture: a browser signed in as a test user
cli_env = stored_results.cli_env  # the fixture: the command line on the test database
PDF = "/reports/national.pdf"


def municipal_round(session: Session) -> SurveyRound:
    """The 2023 municipal questions to three of Halland's municipalities: Hylte and Halmstad
    submit (question C chosen, question B in free text by Hylte), Laholm keeps a draft."""
    form = find_form(list(shipped_forms()), "gonv-2023-municipality").form
    survey_round = survey_repo.create_round(
        session, form, code="kommuner-2023", title="Kommunfrågor 2023",
        respondents=["1315", "1380", "1381"], opens_on=dt.date(2024, 1, 15),
        deadline=dt.date(2024, 3, 31), actor="analyst", now=crosscheck.SUBMITTED)
    survey_repo.open_round(session, survey_round, "analyst", crosscheck.SUBMITTED)
    answers = {"1315": {"c": ["r01", "r02"], "b": "Trygg hemgång <b>&</b> =HYPERLINK(1)"},
               "1380": {"c": ["r01"]}, "1381": {"c": ["r03"]}}
    for org, values in answers.items():
        response = survey_repo.response_for(session, survey_round, org)
        assert response is not None
        survey_repo.save_answers(session, response, values, actor="analyst",
                                 now=crosscheck.SUBMITTED)
        if org != "1381":
            survey_repo.submit(session, response, actor="analyst", actor_name="Import",
                               now=crosscheck.SUBMITTED, confirmed=(),
                               render_receipt=crosscheck.fake_receipt, source=survey_repo.IMPORT)
    return survey_round


@pytest.fixture
def followed_up(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Named doctors in 2022 and 2023, the 2023 region round answered by three regions and the
    municipal questions by two municipalities, the 2020 agreement with 1 000 000 kr paid to
    Halland; a cache of PDFs of its own."""
    indicator_repo.clear_caches()
    store(session, named_doctor_rows("2022", 2) + named_doctor_rows("2023"))
    crosscheck._round(session)
    municipal_round(session)
    seeding.agreement_2020(session)
    seeding.paid(session, seeding.requisition(amount=1_000_000))
    session.commit()
    monkeypatch.setattr(workbook_cache, "WORKBOOKS", WorkbookCache())
    yield
    indicator_repo.clear_caches()


def test_the_report_joins_indicators_rounds_answers_and_funds(session: Session,
                                                              followed_up: None) -> None:
    html = national_report.report_html(session, "sv", "https://nara.example.se", NOW,
                                       "2026-12-06 10:00")
    tables = pages.Tables(html)
    summary = tables.table("Varje indikators senaste värde för riket och spridningen mellan "
                           "regionerna")
    assert summary[0] == ["Indikator", "År", "Riket", "Regioner med värde", "Lägst", "Högst",
                          "Bättre värde"]
    # 2023: Sweden 1 000 of 2 000, Halland 600 of 1 000, Dalarna 400 of 1 000
    assert ["Andel av befolkningen med fast läkarkontakt procent av befolkningen", "2023",
            "50,0", "2", "Region Dalarna (40,0)", "Region Halland (60,0)", "högre"] in summary
    assert len(summary) == 1 + len(shipped_catalogue().definitions)
    assert (f'<th scope="row"><a href="#ind-{ND}">Andel av befolkningen med fast läkarkontakt'
            '</a>') in html  # each indicator's row leads to its page
    care = next(r for r in summary if r[0].startswith("Medicinsk bedömning"))
    assert care[1:5] == ["", "inte beräknad", "", ""]  # nothing stored for it
    # the round: three regions asked, all three submitted (imported) before the deadline
    form = find_form(list(shipped_forms()), "gonv-2023-region").form
    rounds = tables.table("Förväntade, inlämnade och i tid inlämnade redovisningar, per omgång")
    assert rounds[1][:8] == [
        f"Uppföljning 2023 (check-2023, gonv-2023-region {form.version})", "slutredovisning",
        "2024-03-31", "3", "3 (100,0 %)", "3", "0", "0"]
    # the answers: Halland's 66,5 beside its register 60,0 (over the 5-point threshold);
    # Dalarna could not estimate and Värmland did not answer, so one region is compared
    answers = tables.table("Uppgifter som regionerna lämnat, jämförda med deras registervärden")
    assert answers[1][1:] == ["1", "Region Halland (66,5 / 60,0)"]
    assert answers[2][1:] == ["0", "ingen"]
    # the funds: the nära vård line of 2 935 000 000 kr frozen whole, 1 000 000 kr paid
    funds = tables.table("God och nära vård 2020 – överenskommelse mellan staten och Sveriges "
                         "Kommuner och Regioner")
    assert funds[0] == ["Rad", "I överenskommelsen", "Fördelat", "Rekvirerat", "Utbetalt"]
    assert funds[1] == ["Utveckling av den nära vården med fokus på primärvård",
                        sek("2 935 000 000"), sek("2 935 000 000"), sek("1 000 000"),
                        sek("1 000 000")]
    assert funds[-1][0] == "Summa" and funds[-1][3:] == [sek("1 000 000")] * 2
    # one section per indicator, Sweden by year and the regions compared, with the source
    sections = html.split('<section class="indicator page">')[1:]
    assert len(sections) == len(shipped_catalogue().definitions)
    named = pages.Tables(sections[[d.id for d in shipped_catalogue().definitions].index(ND)])
    assert named.table("Riket per år") == [
        ["År", "Täljare", "Nämnare", "Värde", "Status"],
        ["2022", f"2{NBSP}000", f"4{NBSP}000", "50,0", ""],
        ["2023", f"1{NBSP}000", f"2{NBSP}000", "50,0", ""]]
    # women and men: 520 of 1 010 and 480 of 990 in 2023, twice those counts in 2022
    assert named.table("Kvinnor och män, riket")[1:] == [
        ["2022, kvinnor", f"1{NBSP}040", f"2{NBSP}020", "51,5", ""],
        ["2023, kvinnor", "520", f"1{NBSP}010", "51,5", ""],
        ["2022, män", "960", f"1{NBSP}980", "48,5", ""],
        ["2023, män", "480", "990", "48,5", ""]]
    regions = named.table("Regionerna jämförda, 2023")
    assert [r[:4] for r in regions[1:]] == [
        ["Region Halland", "600", f"1{NBSP}000", "60,0"],
        ["Region Dalarna", "400", f"1{NBSP}000", "40,0"],
        ["Riket", f"1{NBSP}000", f"2{NBSP}000", "50,0"]]
    version = shipped_catalogue().definition(ND).version
    assert (f"Beräknad från test data, sparad {dt.date.today().isoformat()}, med "
            f"definitionsversion {version}.") in sections[
        [d.id for d in shipped_catalogue().definitions].index(ND)]
    assert "Skapad 2026-12-06 10:00." in html
    # the contents: every part, each indicator and each round's answers, linked to its heading
    contents = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>',
                          html.split('<nav class="toc"')[1].split("</nav>")[0])
    assert [t for _, t in contents[:4]] == ["Indikatorer", "Enkätomgångar",
                                            "Enkätsvar bredvid registret", "Stimulansmedel"]
    assert len(contents) == 4 + len(shipped_catalogue().definitions) + 2
    assert contents[-1][1].startswith("Svar per fråga: ")
    for anchor, title in contents:
        assert re.search(rf'<h2 id="{anchor}">{re.escape(title)}</h2>', html), anchor


def test_the_report_is_a_pdf_for_staff(web: Client, followed_up: None) -> None:
    analyst = web("analyst")
    listing = analyst.get("/indicators").text
    assert '<a href="/reports/national">' in listing and f'<a href="{PDF}">' in listing
    assert re.findall(r'<a href="/reports/national\?year=(\d{4})">', listing) == [
        "2022", "2023"]  # the years stored, as pages and as PDF
    assert re.findall(r'<a href="/reports/national.pdf\?year=(\d{4})">', listing) == [
        "2022", "2023"]
    # staff reach each region's view and profile from the list, the report from the start
    links = re.findall(r'<li><a href="/indicators/regions/(\d\d)">([^<]+)</a> '
                       r'\(<a href="/indicators/regions/(\d\d)/profile.pdf">PDF', listing)
    assert len(links) == 21 and all(a == b for a, _name, b in links)
    assert ("13", "Region Halland", "13") in links
    start = analyst.get("/").text
    assert '<a href="/reports/national">Den nationella rapporten</a>' in start
    assert f'<a href="{PDF}">PDF' in start
    public = web(None).get("/indicators").text
    assert "/reports/national" not in public and "/profile.pdf" not in public
    response = analyst.get(PDF)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="national-report.pdf"')
    text = text_of(response.content).replace(NBSP, " ")
    assert text.startswith("God och nära vård: den nationella uppföljningen")
    # the contents give each part's page: the summary on the first, the rounds after it
    pages_of = {m[0]: int(m[1]) for m in re.findall(
        r"(Indikatorer|Enkätomgångar|Stimulansmedel) ?\.{3,} ?(\d+)", text)}
    assert pages_of["Indikatorer"] == 1
    assert 1 <= pages_of["Enkätomgångar"] <= pages_of["Stimulansmedel"]
    assert "Region Dalarna (40,0) Region Halland (60,0)" in text
    assert "primärvård 2 935 000 000 kr 2 935 000 000 kr 1 000 000 kr 1 000 000 kr" in text
    assert analyst.get(PDF).content == response.content  # made once for the same contents
    english = text_of(analyst.get(PDF, headers={"Accept-Language": "en"}).content)
    assert english.startswith("God och nära vård: the national follow-up")
    assert web("respondent").get(PDF).status_code == 403
    assert web(None).get(PDF).status_code == 303


def test_a_report_of_a_year_shows_the_indicators_up_to_it(
        web: Client, session: Session, followed_up: None) -> None:
    html = national_report.report_html(session, "sv", "", NOW, "", until="2022")
    tables = pages.Tables(html)
    summary = tables.table("Varje indikators senaste värde för riket och spridningen mellan "
                           "regionerna")
    # 2022: Sweden 2 000 of 4 000, Halland 1 200 of 2 000, Dalarna 800 of 2 000
    assert ["Andel av befolkningen med fast läkarkontakt procent av befolkningen", "2022",
            "50,0", "2", "Region Dalarna (40,0)", "Region Halland (60,0)", "högre"] in summary
    sections = html.split('<section class="indicator page">')[1:]
    named = pages.Tables(sections[[d.id for d in shipped_catalogue().definitions].index(ND)])
    assert [r[0] for r in named.table("Riket per år")[1:]] == ["2022"]
    assert named.table("Regionerna jämförda, 2022")[1][:4] == [
        "Region Halland", f"1{NBSP}200", f"2{NBSP}000", "60,0"]
    assert "<h1>God och nära vård: den nationella uppföljningen 2022</h1>" in html
    assert ("Indikatorer för åren till och med 2022; enkätomgångarna, jämförelserna och "
            "överenskommelserna för 2022.") in html
    # the rounds, cross-checks and agreements of 2022: none of them is stored
    assert "<p>Ingen enkätomgång för 2022 är lagrad.</p>" in html
    assert tables.table("Uppgifter som regionerna lämnat, jämförda med deras registervärden")[
        1:] == [["Ingen jämförelse för 2022."]]
    assert "<caption>God och nära vård" not in html  # 2020, 2021 and 2023 are stored
    assert "<p>Ingen överenskommelse för 2022 är lagrad.</p>" in html
    assert "Svar per fråga:" not in html
    # the report of 2023 has the 2023 agreement, rounds and checks
    of_2023 = national_report.report_html(session, "sv", "", NOW, "", until="2023")
    assert re.findall(r"<caption>(God och nära vård \d{4})", of_2023) == [
        "God och nära vård 2023"]
    assert pages.Tables(of_2023).table(
        "Förväntade, inlämnade och i tid inlämnade redovisningar, per omgång")[1][0].startswith(
        "Uppföljning 2023 (check-2023")
    assert "Svar per fråga: Kommunfrågor 2023" in of_2023
    # before every stored year: stored, yet nothing up to it; never computed stays so
    earlier = pages.Tables(national_report.report_html(session, "sv", "", NOW, "",
                                                       until="2021")).table(
        "Varje indikators senaste värde för riket och spridningen mellan regionerna")
    assert next(r for r in earlier if r[0].startswith("Andel av befolkningen"))[1:3] == [
        "", "inga till och med 2021"]
    assert next(r for r in earlier if r[0].startswith("Medicinsk bedömning"))[2] == (
        "inte beräknad")
    analyst = web("analyst")
    response = analyst.get(PDF, params={"year": "2022"})
    assert response.headers["content-disposition"] == (
        'attachment; filename="national-report-2022.pdf"')
    assert text_of(response.content).startswith(
        "God och nära vård: den nationella uppföljningen 2022")
    assert analyst.get(PDF, params={"year": "22"}).status_code == 400  # not a year


def test_the_command_writes_the_report(cli_env: Path, engine: Engine,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_cache, "WORKBOOKS", WorkbookCache())
    indicator_repo.clear_caches()
    with session_factory(engine)() as s:
        store(s, named_doctor_rows())
    result = CliRunner().invoke(app, ["report", "--out", str(cli_env / "out" / "report.pdf"),
                                      "--lang", "en", "--site", "https://nara.example.se/",
                                      "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert "national report written to" in result.output
    text = text_of((cli_env / "out" / "report.pdf").read_bytes())
    assert text.startswith("God och nära vård: the national follow-up 2023")
    assert "No questionnaire round for 2023 is stored." in text
    assert "No agreement for 2023 is stored." in text
    assert "https://nara.example.se/indicators/named_doctor_population" in text.replace(" ", "")
    bad = CliRunner().invoke(app, ["report", "--out", str(cli_env / "x.pdf"), "--lang", "de"])
    assert bad.exit_code == 1 and "--lang must be sv or en" in bad.output
    indicator_repo.clear_caches()


def _question(html: str, number: str) -> str:
    """The part of a document of answers that shows question ``number``."""
    parts = html.split('<section class="result"')[1:]
    return next(p for p in parts if re.search(rf'<h\d id="[^"]+">{number}\. ', p))


def test_the_report_ends_with_each_rounds_answers_per_question(session: Session,
                                                               followed_up: None) -> None:
    html = national_report.report_html(session, "sv", "https://nara.example.se", NOW, "")
    annex = html.split('<section class="answers page">')[1:]
    assert len(annex) == 2  # both rounds have submissions
    municipal = next(a for a in annex if ">Svar per fråga: Kommunfrågor 2023</h2>" in a)
    rid = survey_repo.get_round(session, "kommuner-2023").id  # type: ignore[union-attr]
    assert ("Senast inlämnade version från 2 uppgiftslämnare. Andelarna är av dem som besvarat "
            "frågan (n). Uppgiftslämnare som räknats: Hylte, Halmstad.") in (
        re.sub(r"\s+", " ", municipal))
    # question C: Hylte chose r01 and r02, Halmstad r01; Laholm's draft is not counted
    c = _question(municipal, "C")
    assert "Besvarad av n = 2 av 2." in c
    rows = pages.Tables(c).tables[0][1]
    assert rows[0] == ["Svar", "Antal", "Andel av n"]
    assert rows[1] == ["Äldre och/eller personer med komplexa behov", "2", f"100,0{NNBSP}%"]
    assert rows[2] == ["Barn och unga", "1", f"50,0{NNBSP}%"]
    assert rows[3][1:] == ["0", f"0,0{NNBSP}%"]
    # free texts are counted, with the address of the document that has them in full
    b = _question(municipal, "B")
    link = f"https://nara.example.se/surveys/rounds/{rid}/results.pdf"
    assert f'Fritextsvar: 1: <a href="{link}">{link}</a>' in b
    assert "Trygg hemgång" not in html
    # the regions' round: question 22 answered by Halland (66,5) and Dalarna (cannot estimate)
    regions = next(a for a in annex if "Svar per fråga: Uppföljning 2023<" in a)
    q22 = re.sub(r"<[^>]+>", " ", _question(regions, "22"))
    assert re.sub(r"\s+", " ", q22).count("66,5") == 4  # smallest, median, largest, sum
    assert "Kan inte uppskattas" in q22


def test_a_rounds_answers_are_a_pdf_for_staff(web: Client, session: Session,
                                              followed_up: None) -> None:
    rid = survey_repo.get_round(session, "kommuner-2023").id  # type: ignore[union-attr]
    url = f"/surveys/rounds/{rid}/results.pdf"
    analyst = web("analyst")
    assert f'href="{url}"' in analyst.get(f"/surveys/rounds/{rid}/results").text
    response = analyst.get(url)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="kommuner-2023-answers.pdf"')
    text = text_of(response.content).replace(NBSP, " ").replace(NNBSP, " ")
    assert text.startswith("Svar per fråga: Kommunfrågor 2023")
    # the respondents counted, then every question; free texts in full and as typed
    assert "Hylte (1315) 1 Slutredovisning 2024-03-01 10:00 i tid" in text
    assert "Laholm" not in text
    assert "Hylte Trygg hemgång <b>&</b> =HYPERLINK(1)" in text
    assert "Äldre och/eller personer med komplexa behov 2 100,0 %" in text
    assert analyst.get(url).content == response.content  # made once for the same answers
    assert analyst.get(url, params={"report": "final"}).headers["content-disposition"] == (
        'attachment; filename="kommuner-2023-answers-final.pdf"')
    english = text_of(analyst.get(url, headers={"Accept-Language": "en"}).content)
    assert english.startswith("Answers per question: Kommunfrågor 2023")
    assert analyst.get("/surveys/rounds/9999/results.pdf").status_code == 404
    assert web("respondent").get(url).status_code == 403
    assert web(None).get(url).status_code == 303


def test_the_report_is_a_page_for_staff(web: Client, followed_up: None) -> None:
    analyst = web("analyst")
    page = analyst.get("/reports/national", params={"year": "2023"})
    assert page.status_code == 200
    html = page.text
    assert "<h1>God och nära vård: den nationella uppföljningen 2023</h1>" in html
    assert '<a href="/reports/national.pdf?year=2023" download>Rapporten som PDF</a>' in html
    # the other stored year and every year, the year shown marked
    assert '<strong aria-current="page">2023</strong>' in html
    assert '<a href="/reports/national?year=2022">2022</a>' in html
    assert '<a href="/reports/national">alla år</a>' in html
    tables = pages.Tables(html)
    assert ["Andel av befolkningen med fast läkarkontakt procent av befolkningen", "2023",
            "50,0", "2", "Region Dalarna (40,0)", "Region Halland (60,0)", "högre"] in tables.table(
        "Varje indikators senaste värde för riket och spridningen mellan regionerna")
    # the same content as the document; free texts link the round's page of answers
    assert re.search(r'<h2 id="answers-\d+">Svar per fråga: Kommunfrågor 2023</h2>', html)
    assert re.search(r'Fritextsvar: 1: <a href="/surveys/rounds/\d+/results">', html)
    assert "Skapad" not in html and "På webben:" not in html
    assert analyst.get("/reports/national", params={"year": "x"}).status_code == 400
    assert web("respondent").get("/reports/national").status_code == 403
    assert web(None).get("/reports/national").status_code == 303


def test_the_documents_benchmark_makes_the_report_and_a_full_rounds_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from naravard.web import documents_bench

    made: list[str] = []
    monkeypatch.setattr(documents_bench, "html_to_pdf", lambda html: made.append(html) or b"")
    report, answers = documents_bench.report_results(1)
    assert (report.name, answers.name) == (
        "national report, 12 indicators, 21 regions' answers",
        "a round's answers per question, 21 regions")
    assert [len(r.subject_timing.runs) for r in (report, answers)] == [1, 1]
    assert len(made) == 4  # each document's warm-up and timed run
    # every region answered the round: the report's annex and the round's document count 21
    assert "Senast inlämnade version från 21 uppgiftslämnare." in made[0]
    assert "Besvarad av n = 21 av 21." in made[0]
    rows = pages.Tables(made[2]).table("Uppgiftslämnare som räknats")
    assert len(rows) == 1 + 21 and rows[1][0] == "Region Stockholm (01)"
