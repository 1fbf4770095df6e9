"""An indicator page in a real browser: charts with their tables and text alternatives, the
variant and year form, the municipalities of a region; the page passes axe-core's WCAG 2.1 AA
rules; a monthly indicator's months of a chosen year; the published figures downloaded as a
workbook; a region's view, its workbook and its profile; the staff's list and the national
report."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from playwright.sync_api import Browser, Page
from pypdf import PdfReader
from sqlalchemy.orm import Session

from naravard.formatting import THIN
from naravard.storage import indicator_repo
from tests.conftest import USERS
from tests.e2e.test_browser import violations
from tests.indicators.test_disclosure_months import CG, YEAR_2023, _row
from tests.indicators.test_indicator_store import ND, named_doctor_rows, store


def test_indicator_page_is_accessible(browser: Browser, live_server: str,
                                      session: Session) -> None:
    indicator_repo._CACHE.clear()
    store(session, named_doctor_rows("2022", 2) + named_doctor_rows("2023"))
    context = browser.new_context(bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_server}/indicators/{ND}")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Andel av befolkningen med fast läkarkontakt")
    charts = page.get_by_role("img")
    assert charts.count() == 3
    assert charts.first.get_attribute("aria-label", timeout=2000).startswith(
        "Linjediagram: Andel av befolkningen med fast läkarkontakt, riket, per år.")
    regions = page.get_by_role("table", name="Regionerna jämförda, 2023")
    assert regions.locator("tbody tr").last.inner_text().split("\t")[:4] == [
        "Riket", f"1{THIN}000", f"2{THIN}000", "50,0"]
    assert regions.locator("caption").inner_text() == (
        "Regionerna jämförda, 2023\nVärde: procent av befolkningen")
    assert _beside(page) == [True, True, True]  # 1280 px: every table to the right of its chart
    page.set_viewport_size({"width": 720, "height": 900})
    assert _beside(page) == [False, False, False]  # a narrow screen: the table below
    page.set_viewport_size({"width": 1280, "height": 720})
    assert violations(page) == []
    page.get_by_label("Region", exact=True).select_option("13")
    page.get_by_role("button", name="Visa").last.click()
    page.wait_for_url(f"{live_server}/indicators/{ND}?*region=13*")
    assert page.get_by_role("img").count() == 5  # the region over the years, its municipalities
    years = page.get_by_role("table", name="Region Halland och riket per år")
    assert years.locator("tbody tr").first.inner_text().split("\t")[:4] == [
        "2022, Region Halland", f"1{THIN}200", f"2{THIN}000", "60,0"]
    assert _beside(page) == [True] * 5
    municipalities = page.get_by_role("table", name="Kommunerna i Region Halland, 2023")
    assert municipalities.locator("tbody tr").first.inner_text().split("\t") == [
        "Halmstad", "..", "950", "..", "Dold (röjandeskydd)"]
    assert violations(page) == []
    page.goto(f"{live_server}/indicators")
    assert violations(page) == []
    context.close()
    indicator_repo._CACHE.clear()


def _beside(page: Page) -> list[bool]:
    """For each chart and its table: whether the table stands to the right of the chart."""
    return page.evaluate("""() => [...document.querySelectorAll('.ind-pair')].map(pair => {
        const chart = pair.querySelector('figure').getBoundingClientRect();
        const table = pair.querySelector('table').getBoundingClientRect();
        return table.left >= chart.right && table.top < chart.bottom;
    })""")


def test_published_figures_download_as_a_workbook(browser: Browser, live_server: str,
                                                  session: Session) -> None:
    page = _downloading(browser, session)
    page.goto(f"{live_server}/indicators/{ND}")
    name, book = _download(page, "publicerade uppgifter (Excel)")
    assert name == f"{ND}.xlsx"
    assert book.sheetnames == ["Värden", "Om"]
    rows = list(book["Värden"].iter_rows(min_row=5, values_only=True))
    assert len(rows) == 30  # two years of Riket, two regions and two municipalities, T/K/M
    riket = next(r for r in rows if r[1] == "2023" and r[3] == "00" and r[5] == "Kvinnor och män")
    assert riket[6:9] == (1000, 2000, 50)
    hidden = [r for r in rows if r[1] == "2023" and r[3] == "1384"]
    assert {(r[6], r[8], r[11]) for r in hidden} == {("..", "..", "Dold (röjandeskydd)")}
    page.context.close()
    indicator_repo._CACHE.clear()


def test_monthly_indicator_in_the_browser(browser: Browser, live_server: str,
                                          session: Session) -> None:
    indicator_repo.clear_caches()
    store(session, [*YEAR_2023, _row("2022", "nation", "00", "T", 70, 100),
                    _row("2022-12", "nation", "00", "T", 70, 100)])
    context = browser.new_context(bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_server}/indicators/{CG.id}")
    months = page.get_by_role("table", name="Riket per månad, 2023")
    assert [r.split("\t")[:4] for r in months.locator("tbody tr").all_inner_texts()] == [
        ["januari", "..", "..", ".."], ["februari", "40", "60", "66,7"],
        ["mars", "..", "..", ".."]]
    chart = page.get_by_role("img", name="Linjediagram: Medicinsk bedömning inom tre dagar i "
                                         "primärvården, riket, per månad 2023.", exact=False)
    assert chart.count() == 1
    assert violations(page) == []
    page.get_by_label("År för månaderna och regionerna").select_option("2022")
    page.get_by_role("button", name="Visa").first.click()
    page.wait_for_url(f"{live_server}/indicators/{CG.id}?*period=2022*")
    earlier = page.get_by_role("table", name="Riket per månad, 2022")
    assert earlier.locator("tbody tr").all_inner_texts()[0].split("\t")[:4] == [
        "december", "70", "100", "70,0"]
    context.close()
    indicator_repo.clear_caches()


def test_region_view_is_accessible_and_downloads_its_figures(browser: Browser, live_server: str,
                                                             session: Session) -> None:
    page = _downloading(browser, session)
    page.goto(f"{live_server}/login?next=/indicators/regions/13")
    page.get_by_label("Användarnamn").fill("respondent")  # Region Halland's
    page.get_by_label("Lösenord").fill(USERS["respondent"].password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server}/indicators/regions/13")
    assert violations(page) == []
    name, book = _download(page, "Excel")
    assert name == "indicators-13.xlsx"
    assert book.sheetnames[0] == "Om" and len(book.sheetnames) == 2
    rows = list(book[book.sheetnames[1]].iter_rows(min_row=5, values_only=True))
    assert {r[3] for r in rows} == {"00", "13", "1380", "1384"}  # not Dalarna (20)
    name, content = _downloaded(page, "(PDF)")
    assert name == "indicators-13.pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert text.startswith("Region Halland: indikatorprofil")
    assert "2023, Region Halland 600 1" in text
    page.context.close()
    indicator_repo._CACHE.clear()


def _downloading(browser: Browser, session: Session) -> Page:
    """A Swedish page that accepts downloads, with two years of named-doctor results stored."""
    indicator_repo._CACHE.clear()
    store(session, named_doctor_rows("2022", 2) + named_doctor_rows("2023"))
    return browser.new_context(bypass_csp=True, locale="sv-SE", accept_downloads=True).new_page()


def _downloaded(page: Page, link: str) -> tuple[str, bytes]:
    """The file name and content a click on the link named ``link`` downloads."""
    with page.expect_download() as waiting:
        page.get_by_role("link", name=link, exact=False).click()
    download = waiting.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _download(page: Page, link: str) -> tuple[str, Workbook]:
    """The file name and workbook a click on the link named ``link`` downloads."""
    name, content = _downloaded(page, link)
    return name, load_workbook(io.BytesIO(content))


def test_staff_list_links_every_region_and_the_national_report_as_page_and_pdf(
        browser: Browser, live_server: str, session: Session) -> None:
    page = _downloading(browser, session)
    page.goto(f"{live_server}/login?next=/indicators")
    page.get_by_label("Användarnamn").fill("analyst")
    page.get_by_label("Lösenord").fill(USERS["analyst"].password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server}/indicators")
    assert violations(page) == []
    assert page.locator("ul.ind-regions > li").count() == 21
    page.get_by_role("link", name="Den nationella rapporten:", exact=False).click()
    page.wait_for_url(f"{live_server}/reports/national")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "God och nära vård: den nationella uppföljningen")
    assert violations(page) == []
    name, content = _downloaded(page, "Rapporten som PDF")
    assert name == "national-report.pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert text.startswith("God och nära vård: den nationella uppföljningen")
    page.context.close()
    indicator_repo._CACHE.clear()
