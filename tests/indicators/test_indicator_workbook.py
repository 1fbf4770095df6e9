"""Indicator figures as Excel: the CSV's rows with numbers as numbers, hidden ones masked with
the rule beside them, a sheet saying what the figures are, formulas escaped, Swedish and
English, and internal figures only for staff."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.disclosure import shipped_rule
from naravard.storage import indicator_repo
from naravard.storage.db import session_factory
from naravard.web import indicators_api, indicators_figures, indicators_workbook
from naravard.web.workbook_cache import WORKBOOKS, WorkbookCache
from tests.indicators import test_indicator_api_web as api
from tests.indicators import test_indicator_store as stored_results
from tests.indicators import test_indicator_web as pages
from tests.indicators.test_indicator_api_web import Client
from tests.indicators.test_indicator_store import CHANGE, COC, ND

web = pages.web  # the fixture: a browser signed in as a test user
stored = api.stored  # the fixture: named-doctor and continuity results stored
cli_env = stored_results.cli_env  # the fixture: the command line on the test database
XLSX = f"/api/v1/indicators/{ND}/values.xlsx"


def book(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def about(wb: Workbook, sheet: str) -> dict[str, object]:
    return {r[0]: r[1] for r in wb[sheet].iter_rows(min_row=3, values_only=True) if r[0]}


def test_published_workbook_holds_the_selection_with_numbers_and_masks(
        web: Client, stored: None) -> None:
    response = web(None).get(XLSX, params={"area": "00,13,1384", "gender": "T,K"})
    assert response.status_code == 200
    assert response.headers["content-type"] == indicators_workbook.XLSX_TYPE
    assert response.headers["content-disposition"] == f'attachment; filename="{ND}.xlsx"'
    wb = book(response.content)
    assert wb.sheetnames == ["Värden", "Om"]
    ws = wb["Värden"]
    rows = list(ws.iter_rows(values_only=True))
    d = shipped_catalogue().definition(ND)
    assert rows[0][0] == d.title.get("sv")
    assert rows[1][0].startswith("Beräknad från ") and "definitionsversion" in rows[1][0]
    assert rows[3] == ("Variant", "Period", "Nivå", "Områdeskod", "Område", "Kön", "Täljare",
                       "Nämnare", "Värde", "Nedre gräns", "Övre gräns", "Status",
                       "Anmärkning")
    variant = d.variants[0].title.get("sv")
    note = shipped_rule().footnote_text("sv")
    assert rows[4:] == [
        (variant, "2023", "Riket", "00", "Riket", "Kvinnor och män", 1000, 2000, 50, None, None,
         None, None),
        (variant, "2023", "Riket", "00", "Riket", "Kvinnor", 520, 1010,
         pytest.approx(520 / 1010 * 100), None, None, None, None),
        (variant, "2023", "Region", "13", "Region Halland", "Kvinnor och män", 600, 1000, 60,
         None, None, None, None),
        (variant, "2023", "Region", "13", "Region Halland", "Kvinnor", 303, 505,
         pytest.approx(303 / 505 * 100), None, None, None, None),
        (variant, "2023", "Kommun", "1384", "Kungsbacka", "Kvinnor och män", "..", 50, "..",
         "..", "..", "Dold (röjandeskydd)", note),
        (variant, "2023", "Kommun", "1384", "Kungsbacka", "Kvinnor", "..", 25, "..", "..", "..",
         "Dold (röjandeskydd)", note),
    ]
    # numbers are numbers, shown with the indicator's decimals and a thousands format
    assert ws["I5"].number_format == "0." + "0" * d.decimals
    assert ws["H5"].number_format == "#,##0"
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref == "A4:M10"
    info = about(wb, "Om")
    assert info["Indikator"] == f"{d.title.get('sv')} ({ND})"
    assert info["Urval"] == "områden: 00,13,1384; kön: T,K"
    assert info["Rader"] == 6
    assert info["Röjandeskydd"] == note
    assert info["Webbsida"] == f"http://testserver/indicators/{ND}"
    assert info["Enhet"] == f"{variant}: {d.unit_for(d.variants[0].id).get('sv')}"
    assert info["Önskad riktning"] == "Ett högre värde är bättre."


def test_no_hidden_number_anywhere_in_the_workbook(web: Client, stored: None) -> None:
    wb = book(web(None).get(XLSX).content)
    cells = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row]
    # Halmstad's and Kungsbacka's hidden numerators (T, K, M) and Halmstad's value
    assert not {597, 301, 296, 3, 2, 1} & {c for c in cells if isinstance(c, int)}
    assert not [c for c in cells if isinstance(c, float) and round(c, 1) == 62.8]
    values = list(wb["Värden"].iter_rows(min_row=5, values_only=True))
    assert len(values) == 15 and sum(r[6] == ".." for r in values) == 6


def test_english_workbook_and_escaped_formulas(web: Client, stored: None) -> None:
    response = web(None).get(f"/api/v1/indicators/{COC}/values.xlsx",
                             params={"level": "care_unit", "lang": "en"})
    wb = book(response.content)
    assert wb.sheetnames == ["Values", "About"]
    rows = list(wb["Values"].iter_rows(min_row=4, values_only=True))
    assert rows[0][:6] == ("Variant", "Period", "Level", "Area code", "Area", "Sex")
    d = shipped_catalogue().definition(COC)
    assert rows[1] == (d.variant("coc_doctor").title.get("en"), "2021", "Care unit", "VC1",
                       "'=HYPERLINK(\"http://x\")", "Women and men", 30, 50, 0.6, None, None,
                       None, None)
    assert wb["Values"]["E5"].data_type == "s"  # text, never a formula
    assert about(wb, "About")["Selection"] == "level: care_unit"


def test_bad_selections_and_too_many_rows(web: Client, stored: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    client = web(None)
    assert client.get(XLSX, params={"period": "20x3"}).status_code == 422
    assert client.get("/api/v1/indicators/ed_visits_80plus/values.xlsx").status_code == 404
    monkeypatch.setattr(indicators_workbook, "MAX_ROWS", 14)
    refused = client.get(XLSX)
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "the selection has 15 rows, more than an Excel sheet holds (14): choose periods, a "
        "level or areas, or download values.csv")
    assert client.get(XLSX, params={"gender": "T"}).status_code == 200


def test_internal_workbook_is_for_staff_and_says_so(web: Client, stored: None) -> None:
    url = f"/indicators/{ND}/internal.xlsx"
    assert web(None).get(url, follow_redirects=False).status_code in (303, 401, 403)
    response = web("analyst").get(url, params={"variant": "all"})
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{ND}-all-internal.xlsx"')
    wb = book(response.content)
    first = wb["Värden"]["A1"].value
    assert first.endswith("— interna uppgifter, inte för publicering")
    rows = list(wb["Värden"].iter_rows(min_row=5, values_only=True))
    halmstad = next(r for r in rows if r[3] == "1380" and r[5] == "Kvinnor och män")
    assert halmstad[6:8] == (597, 950)
    assert about(wb, "Om")["Röjandeskydd"] == "Inget: interna uppgifter, inte för publicering."
    assert web("analyst").get(url, params={"variant": "nope"}).status_code == 404


def test_workbook_module_refuses_rows_beyond_a_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicators_workbook, "MAX_ROWS", 1)
    d = shipped_catalogue().definition(ND)
    with pytest.raises(indicators_workbook.TooManyRows, match="2 rows; a sheet holds at most 1"):
        indicators_workbook.values_workbook(
            None, [{}, {}], d, shipped_rule(), "sv",  # type: ignore[arg-type]
            selection="", page_url="", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_the_page_links_to_the_workbook_of_its_variant(web: Client, stored: None) -> None:
    client = web(None)
    page = client.get(f"/indicators/{COC}", params={"variant": "coc_doctor"}).text
    link = f"/api/v1/indicators/{COC}/values.xlsx?variant=coc_doctor&amp;lang=sv"
    assert link in page and "publicerade uppgifter (Excel)" in page
    english = client.get(f"/indicators/{COC}", params={"variant": "coc_doctor"},
                         headers={"Accept-Language": "en"}).text
    assert f"/api/v1/indicators/{COC}/values.csv?variant=coc_doctor&amp;lang=en" in english
    wb = book(client.get(link.replace("&amp;", "&")).content)
    variants = {r[0] for r in wb["Värden"].iter_rows(min_row=5, values_only=True)}
    assert variants == {shipped_catalogue().definition(COC).variant("coc_doctor").title.get("sv")}
    staff = web("analyst").get(f"/indicators/{COC}/internal", params={"variant": "coc_doctor"})
    assert f"/indicators/{COC}/internal.xlsx?variant=coc_doctor" in staff.text


def test_download_benchmark_writes_both_files_of_its_rows() -> None:
    from naravard.web import downloads_bench

    rows = downloads_bench.sample_rows(30)
    assert len(rows) == 30 and sum(r["status"] == "suppressed" for r in rows) == 6
    assert {r["sex"] for r in rows} == {"T", "K", "M"}
    result = downloads_bench.download_results(30, 1)
    assert (result.name, len(result.subject_timing.runs), len(result.baseline_timing.runs)) == (
        "indicator download, 30 rows", 1, 1)


def test_a_region_downloads_its_figures_of_every_indicator(web: Client, stored: None) -> None:
    client = web("respondent")  # Region Halland's
    page = client.get("/indicators/regions/13").text
    assert '<a href="/indicators/regions/13/figures.xlsx">' in page
    response = client.get("/indicators/regions/13/figures.xlsx")
    assert response.headers["content-disposition"] == (
        'attachment; filename="indicators-13.xlsx"')
    wb = book(response.content)
    cat = shipped_catalogue()
    shown = [d for d in cat.definitions if d.id in (ND, COC, CHANGE)]
    assert wb.sheetnames[0] == "Om" and len(wb.sheetnames) == 4
    for name, d in zip(wb.sheetnames[1:], shown, strict=True):
        assert name.startswith(f"{shown.index(d) + 1} ") and len(name) <= 31
        assert wb[name]["A1"].value == d.title.get("sv")
    named = list(wb[wb.sheetnames[1 + shown.index(cat.definition(ND))]].iter_rows(
        min_row=5, values_only=True))
    # Sweden, Halland and its municipalities, T/K/M; Dalarna (20) is not Halland's
    assert [(r[3], r[5]) for r in named] == [
        (code, sex) for code in ("00", "13", "1380", "1384")
        for sex in ("Kvinnor och män", "Kvinnor", "Män")]
    assert {r[6] for r in named if r[3] in ("1380", "1384")} == {".."}
    coc = list(wb[wb.sheetnames[1 + shown.index(cat.definition(COC))]].iter_rows(
        min_row=5, values_only=True))
    assert ("2021", "Vårdenhet", "VC1") in {r[1:4] for r in coc}
    about = list(wb["Om"].iter_rows(values_only=True))
    assert about[0][0] == "Region Halland"
    assert about[2][1].startswith("Årsuppgifter för alla indikatorer och varianter för riket, "
                                  "Region Halland")
    table = about[about.index(next(r for r in about if r[0] == "Blad")) + 1:]
    assert [(r[0], r[5]) for r in table] == [
        (name, wb[name].max_row - 4) for name in wb.sheetnames[1:]]
    assert web("foreign").get("/indicators/regions/13/figures.xlsx").status_code == 403
    assert web("analyst").get("/indicators/regions/99/figures.xlsx").status_code == 404


def test_a_region_workbook_beyond_a_sheet_is_refused_with_its_reason(
        web: Client, stored: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicators_workbook, "MAX_ROWS", 5)
    refused = web("respondent").get("/indicators/regions/13/figures.xlsx")
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        f"{CHANGE}: 10 rows; a sheet holds at most 5: download that indicator's values.csv")


def test_a_number_that_is_not_finite_is_left_empty() -> None:
    from naravard.web import downloads_bench

    rows = downloads_bench.sample_rows(6)[3:]  # one municipality's T, K and M, all shown
    rows[1] = {**rows[1], "value": float("nan"), "status": "missing"}
    d = shipped_catalogue().definition(downloads_bench.INDICATOR)
    content = indicators_workbook.values_workbook(
        downloads_bench.sample_results(rows), rows, d, shipped_rule(), "en", selection="",
        page_url="", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    cells = list(book(content)["Values"].iter_rows(min_row=5, values_only=True))
    assert [r[8] for r in cells] == [pytest.approx(rows[0]["value"]), None,
                                     pytest.approx(rows[2]["value"])]
    assert cells[1][11] == "No data"


def test_sweden_and_the_regions_in_one_workbook_for_everyone(web: Client, stored: None) -> None:
    client = web(None)
    assert '<a href="/indicators/figures.xlsx">' in client.get("/indicators").text
    response = client.get("/indicators/figures.xlsx")
    assert response.headers["content-disposition"] == 'attachment; filename="indicators.xlsx"'
    wb = book(response.content)
    assert len(wb.sheetnames) == 4 and wb["Om"]["A1"].value == "Indikatorer från registerdata"
    named = next(wb[n] for n in wb.sheetnames[1:]
                 if wb[n]["A1"].value == shipped_catalogue().definition(ND).title.get("sv"))
    rows = list(named.iter_rows(min_row=5, values_only=True))
    # Sweden and both regions, T/K/M; no municipality, care unit or month
    assert [(r[2], r[3], r[5]) for r in rows] == [
        (level, code, sex) for level, code in (("Riket", "00"), ("Region", "13"),
                                               ("Region", "20"))
        for sex in ("Kvinnor och män", "Kvinnor", "Män")]
    assert rows[3][6:9] == (600, 1000, 60)
    english = book(client.get("/indicators/figures.xlsx",
                              headers={"Accept-Language": "en"}).content)
    assert english.sheetnames[0] == "About"


def test_the_command_writes_the_workbooks_the_web_offers(cli_env: Path, engine: Engine) -> None:
    indicator_repo.clear_caches()
    with session_factory(engine)() as s:
        stored_results.store(s, stored_results.named_doctor_rows()
                             + stored_results.continuity_rows(), units=stored_results.UNITS)
    runner = CliRunner()
    result = runner.invoke(app, ["indicators", "workbooks", "--out", str(cli_env / "wb"),
                                 "-r", "13", "-r", "20", "--site", "https://nara.example.se/"])
    assert result.exit_code == 0, result.output
    assert "2 workbooks written to" in result.output
    assert sorted(p.name for p in (cli_env / "wb").iterdir()) == [
        "indicators-13.xlsx", "indicators-20.xlsx"]
    halland = load_workbook(cli_env / "wb" / "indicators-13.xlsx")
    about = {r[0]: r[1] for r in halland["Om"].iter_rows(values_only=True) if r[0]}
    assert about["Webbsida"] == "https://nara.example.se/indicators/regions/13"
    named = next(halland[n] for n in halland.sheetnames[1:]
                 if halland[n]["A1"].value == shipped_catalogue().definition(ND).title.get("sv"))
    assert {r[3] for r in named.iter_rows(min_row=5, values_only=True)} == {
        "00", "13", "1380", "1384"}
    everything = runner.invoke(app, ["indicators", "workbooks", "--out", str(cli_env / "all"),
                                     "--lang", "en"])
    assert everything.exit_code == 0, everything.output
    assert len(list((cli_env / "all").iterdir())) == 22  # Sweden and the regions, 21 regions
    assert load_workbook(cli_env / "all" / "indicators.xlsx").sheetnames[0] == "About"
    bad = runner.invoke(app, ["indicators", "workbooks", "--out", str(cli_env / "x"),
                              "-r", "99"])
    assert bad.exit_code != 0 and "not a region code: 99" in bad.output
    assert not (cli_env / "x").exists()
    indicator_repo.clear_caches()


def _counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[str]:
    """Replace ``module.name`` by itself, counting its calls."""
    calls: list[str] = []
    real = getattr(module, name)

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(name)
        return real(*args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(module, name, counting)
    return calls


def test_a_workbook_asked_for_again_is_not_written_again(
        web: Client, stored: None, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    WORKBOOKS.clear()
    written = _counted(monkeypatch, indicators_api, "values_workbook")
    client = web(None)
    first = client.get(XLSX, params={"gender": "T"})
    again = client.get(XLSX, params={"gender": "T"})
    assert again.status_code == 200 and again.content == first.content
    assert len(written) == 1
    client.get(XLSX, params={"gender": "T", "lang": "en"})  # another language
    client.get(XLSX, params={"gender": "K"})  # another selection
    assert client.get(XLSX, params={"period": "20x3"}).status_code == 422  # never kept
    assert client.get(XLSX, params={"period": "20x3"}).status_code == 422
    assert len(written) == 3
    values = [r[6:9] for r in book(first.content)["Värden"].iter_rows(min_row=5, max_row=5,
                                                                       values_only=True)]
    assert values == [(1000, 2000, 50)]
    # results stored anew: the next download is written from them
    stored_results.store(session, stored_results.named_doctor_rows("2023", 3), checksum="b" * 64)
    fresh = client.get(XLSX, params={"gender": "T"})
    assert len(written) == 4
    assert next(book(fresh.content)["Värden"].iter_rows(min_row=5, max_row=5,
                                                        values_only=True))[6:9] == (3000, 6000, 50)
    WORKBOOKS.clear()


def test_every_indicator_workbooks_are_made_once_for_the_results_of_now(
        web: Client, stored: None, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    WORKBOOKS.clear()
    national = _counted(monkeypatch, indicators_figures, "national_figures")
    regional = _counted(monkeypatch, indicators_figures, "region_figures")
    anonymous, halland = web(None), web("respondent")
    one = anonymous.get("/indicators/figures.xlsx").content
    assert anonymous.get("/indicators/figures.xlsx").content == one
    assert len(national) == 1
    anonymous.get("/indicators/figures.xlsx", headers={"Accept-Language": "en"})
    assert len(national) == 2
    mine = halland.get("/indicators/regions/13/figures.xlsx")
    assert halland.get("/indicators/regions/13/figures.xlsx").content == mine.content
    assert len(regional) == 1
    # kept, yet still only for those who may see the region
    assert web("foreign").get("/indicators/regions/13/figures.xlsx").status_code == 403
    assert anonymous.get("/indicators/regions/13/figures.xlsx").status_code == 303
    stored_results.store(session, stored_results.named_doctor_rows("2023", 3), checksum="b" * 64)
    anonymous.get("/indicators/figures.xlsx")
    halland.get("/indicators/regions/13/figures.xlsx")
    assert (len(national), len(regional)) == (3, 2)
    WORKBOOKS.clear()


def test_the_workbook_cache_keeps_to_its_budget() -> None:
    cache = WorkbookCache(budget=100)
    made: list[str] = []

    def make(key: str, size: int) -> bytes:
        return cache.get(key, lambda: made.append(key) or bytes(size))

    make("a", 20)
    make("b", 20)
    make("c", 26)  # over a quarter of the budget: served, not kept
    make("c", 26)
    assert made == ["a", "b", "c", "c"] and len(cache) == 2
    make("a", 20)  # kept: now the most recently used
    make("d", 20)
    make("e", 20)
    assert len(cache) == 4 and made == ["a", "b", "c", "c", "d", "e"]
    make("f", 25)  # 105 bytes: the least recently used (b) goes
    assert len(cache) == 4
    make("b", 20)  # written again (and now a, the least recently used, goes)
    make("e", 20)  # still kept
    assert made == ["a", "b", "c", "c", "d", "e", "f", "b"] and len(cache) == 4
