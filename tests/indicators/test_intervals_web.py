"""Confidence intervals where figures are published: the indicator page, the API, CSV and
Excel; a hidden value's interval is hidden with it."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.indicators.intervals import wilson
from naravard.storage import indicator_repo
from tests.indicators import test_indicator_web as pages
from tests.indicators.test_indicator_store import ND, named_doctor_rows, store
from tests.indicators.test_indicator_workbook import book

Client = Callable[[str | None], TestClient]
web = pages.web
approx = pytest.approx
#: Halland, women and men: Wilson's interval of 600 of 1 000 (z = 1.959964, z² = 3.841459):
#: centre 0.6 + z²/2 000 = 0.601921, half-width z √(0.24/1 000 + z²/4 000 000) = 0.030425,
#: both divided by 1 + z²/1 000 = 1.003841 → 56.931 % … 62.993 %.
HALLAND = (56.9309, 62.9925)


def with_limits(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the intervals a computation gives them (Wilson, per cent)."""
    out = []
    for r in rows:
        found = wilson(r["numerator"], r["denominator"], 0.95) if r["status"] == "ok" else None
        low, high = (None, None) if found is None else (found[0] * 100, found[1] * 100)
        out.append({**r, "ci_low": low, "ci_high": high})
    return out


@pytest.fixture
def stored(session: Session) -> Iterator[None]:
    indicator_repo._CACHE.clear()
    store(session, with_limits(named_doctor_rows()))
    yield
    indicator_repo._CACHE.clear()


def test_stored_intervals_are_read_back(session: Session, stored: None) -> None:
    snap = indicator_repo.current_snapshots(session)[ND]
    rows = {(r["area_code"], r["sex"]): r for r in indicator_repo.stored_rows(session, snap.id,
                                                                              [ND])}
    assert (rows[("13", "T")]["ci_low"], rows[("13", "T")]["ci_high"]) == (
        approx(HALLAND[0], abs=1e-4), approx(HALLAND[1], abs=1e-4))


def test_the_page_shows_the_interval_beside_the_value(web: Client, stored: None) -> None:
    page = web(None).get(f"/indicators/{ND}?period=2023")
    regions = pages.Tables(page.text).table("Regionerna jämförda, 2023")
    # "KI" to the eye (its title says it in full), the full word to a screen reader
    assert regions[0][4] == "KIKonfidensintervall"
    assert ('<abbr title="Konfidensintervall" aria-hidden="true">KI</abbr><span '
            'class="visually-hidden">Konfidensintervall</span>') in page.text
    halland = next(r for r in regions if r[0] == "Region Halland")
    assert halland[3:5] == ["60,0", "56,9–\u200b63,0"]  # it may break after the dash
    assert "<dt>Konfidensintervall</dt><dd>Wilsons intervall, 95\u202f% (" in page.text
    assert ("Ett streck över varje stapel visar dess konfidensintervall (95\u202f%); tabellen "
            "ger gränserna.") in page.text
    assert ("Ett skuggat band kring en linje visar dess konfidensintervall (95\u202f%); "
            "tabellen ger gränserna.") in page.text
    sweden = pages.Tables(page.text).table("Riket per år")
    assert sweden[0][4] == "KIKonfidensintervall"
    assert sweden[1][3:5] == ["50,0", "47,8–\u200b52,2"]
    english = web(None)
    english.cookies.set("lang", "en")
    text = english.get(f"/indicators/{ND}?period=2023").text
    assert "<dt>Confidence interval</dt><dd>Wilson&#39;s score interval, 95\u202f% (" in text


def test_the_api_csv_and_workbook_carry_the_interval_and_hide_it_with_the_value(
        web: Client, stored: None) -> None:
    client = web(None)
    values = f"/api/v1/indicators/{ND}/values"
    api = client.get(values, params={"area": "13,1384", "gender": "T"}).json()["values"]
    halland, kungsbacka = (entry["values"][0] for entry in api)
    about = client.get(f"/api/v1/indicators/{ND}").json()["interval"]
    assert (about["method"], about["level"], about["evidence"]) == ("wilson", 0.95, "I")
    assert (halland["ci_low"], halland["ci_high"]) == (approx(HALLAND[0], abs=1e-4),
                                                       approx(HALLAND[1], abs=1e-4))
    # Kungsbacka's 3 of 50 is hidden: so is its interval, which would bound the numerator
    assert (kungsbacka["status"], kungsbacka["value"], kungsbacka["ci_low"],
            kungsbacka["ci_high"]) == ("suppressed", None, None, None)
    table = list(csv.reader(io.StringIO(client.get(
        values + ".csv", params={"area": "13,1384", "gender": "T"}).text)))
    assert table[0][9:12] == ["value", "ci_low", "ci_high"]
    assert [float(x) for x in table[1][10:12]] == [approx(HALLAND[0], abs=1e-4),
                                                   approx(HALLAND[1], abs=1e-4)]
    assert table[2][9:13] == ["..", "..", "..", "suppressed"]
    sheet = list(book(client.get(values + ".xlsx", params={
        "area": "13,1384", "gender": "T"}).content)["Värden"].iter_rows(
            min_row=4, values_only=True))
    assert sheet[0][8:11] == ("Värde", "Nedre gräns", "Övre gräns")
    assert sheet[1][9:11] == (approx(HALLAND[0], abs=1e-4), approx(HALLAND[1], abs=1e-4))
    assert sheet[2][8:11] == ("..", "..", "..")


def test_the_bars_carry_their_intervals_as_lines() -> None:
    from naravard.indicators.charts import Chart, Point, bar_spec

    spec = bar_spec([Point("Region Halland", 60.0, low=56.9, high=63.0),
                     Point("Kungsbacka", None)], Chart("Andel", ""))
    marks = [layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]
             for layer in spec["layer"]]
    assert marks[:2] == ["bar", "rule"]
    rule = spec["layer"][1]["encoding"]
    assert (rule["x"]["field"], rule["x2"]["field"]) == ("low", "high")
    plain = bar_spec([Point("Region Halland", 60.0)], Chart("Andel", ""))
    assert "rule" not in str([layer["mark"] for layer in plain["layer"]])


def test_the_lines_carry_their_intervals_as_bands() -> None:
    from naravard.indicators.charts import Chart, Point, line_spec

    spec = line_spec([Point("2022", 58.0, "Sverige", low=55.0, high=61.0),
                      Point("2023", 60.0, "Sverige", low=57.0, high=63.0)], Chart("Andel", ""))
    band = spec["layer"][0]
    assert band["mark"]["type"] == "area"
    assert (band["encoding"]["y"]["field"], band["encoding"]["y2"]["field"]) == ("low", "high")
    plain = line_spec([Point("2023", 60.0, "Sverige")], Chart("Andel", ""))
    assert "area" not in str([layer["mark"] for layer in plain["layer"]])


def test_a_regions_difference_from_sweden_beyond_chance(web: Client, stored: None) -> None:
    page = web("respondent").get("/indicators/regions/13").text
    latest = pages.Tables(page).table("Senaste publicerade värde för varje indikator, Region "
                                      "Halland bredvid riket")
    assert latest[0][-1] == "Skillnad mot riket"
    # Halland 60,0 (56,9–63,0) against Sweden's 50,0: the whole interval lies above
    assert ["Andel av befolkningen med fast läkarkontakt", "2023", "60,0", "50,0",
            "procent av befolkningen", "120", "högre", "högre, utöver slumpen"] in latest
    assert ("Färgerna visar sidan; tabellen visar vilka skillnader som går utöver slumpen "
            "(rikets värde utanför regionens konfidensintervall).") in page
    assert ("Skillnad mot riket: ”utöver slumpen” där rikets värde ligger utanför regionens "
            "konfidensintervall (95 %)") in page
    # Halland's 56,9–63,0 % against the target of 55 %; the other targets' indicators have no
    # published values here
    assert ("Mot målen (hela konfidensintervallet på ena sidan om målet): Andel av befolkningen "
            "med fast läkarkontakt, 2023 (mål: minst 55,0 procent av befolkningen): nått.") in page
    # only 2023 is stored: nothing to say of the year before
    assert "Från föregående år" not in page
    dalarna = web("analyst").get("/indicators/regions/20", headers={"Accept-Language": "en"})
    assert ("Against the targets (the whole confidence interval on one side of the target): "
            "Share of the population with a named regular doctor, 2023 (target: at least 55,0 "
            "per cent of the population): not reached.") in dalarna.text


def test_every_method_is_named_in_words() -> None:
    from naravard.indicators.catalogue import shipped_catalogue
    from naravard.indicators.intervals import METHODS
    from naravard.web.i18n import gettext_for
    from naravard.web.indicators_view import INTERVAL_METHODS, interval_method_text

    assert set(INTERVAL_METHODS) == set(METHODS) - {"none"}
    sv = gettext_for("sv")
    cat = shipped_catalogue()
    assert interval_method_text(cat.definition("continuity_primary_care"), sv) == (
        "Students t-intervall, 95\u202f%")
    assert interval_method_text(cat.definition("continuity_change"), sv) == (
        "MOVER-R från de två årens intervall, 95\u202f%")
    assert interval_method_text(cat.definition("primary_care_cost_share"), sv) == "ingen"


def test_difference_from_sweden() -> None:
    from naravard.web.indicators_view import difference_from_nation

    region = {"value": 60.0, "ci_low": 56.9, "ci_high": 63.0}
    assert [difference_from_nation(region, {"value": v}) for v in (50.0, 56.9, 63.0, 70.0)] == [
        "higher", "within", "within", "lower"]
    assert difference_from_nation({"value": 60.0, "ci_low": None, "ci_high": None},
                                  {"value": 50.0}) == ""
    assert difference_from_nation(region, {"value": None}) == ""
    assert difference_from_nation(None, {"value": 50.0}) == ""


def test_a_results_file_made_before_intervals_is_stored_without_them(session: Session) -> None:
    import pyarrow as pa

    from naravard.indicators.catalogue import shipped_catalogue
    from naravard.storage.indicator_repo import store_results
    from tests.indicators.test_indicator_store import info

    old = pa.Table.from_pylist(named_doctor_rows())  # the columns of before: no ci_low/ci_high
    assert "ci_low" not in old.column_names
    indicator_repo._CACHE.clear()
    store_results(session, old, info("old-file"), [], shipped_catalogue(), actor="tester")
    session.commit()
    snap = indicator_repo.current_snapshots(session)[ND]
    stored = indicator_repo.stored_rows(session, snap.id, [ND])
    assert len(stored) == 15
    assert {(r["ci_low"], r["ci_high"]) for r in stored} == {(None, None)}
    assert sorted(r["value"] for r in stored if r["value"] is not None) == sorted(
        r["value"] for r in named_doctor_rows() if r["value"] is not None)
    indicator_repo._CACHE.clear()


def test_the_national_report_names_the_regions_beyond_chance(web: Client, stored: None) -> None:
    # Halland 600 of 1 000 (56,9–63,0 %) above Sweden's 50,0; Dalarna 400 of 1 000 (Wilson:
    # 37,0–43,1 %) below it
    page = web("analyst").get("/reports/national").text
    assert ("Utöver slumpen 2023 (rikets värde utanför regionens konfidensintervall): över "
            "riket: Region Halland; under riket: Region Dalarna. Övriga regioner med ett värde "
            "ligger inom slumpens marginal från rikets.") in page
    from naravard.web.national_report import beyond_chance

    rows = [{"period": "2023", "sex": "T", "area_level": "nation", "area_code": "00",
             "value": 50.0},
            {"period": "2023", "sex": "T", "area_level": "region", "area_code": "13",
             "value": 52.0, "ci_low": 49.0, "ci_high": 55.0},
            {"period": "2023", "sex": "T", "area_level": "region", "area_code": "20",
             "value": 52.0, "ci_low": None, "ci_high": None}]
    assert beyond_chance(rows, "2023") == ((), ())


def test_the_national_report_reads_the_target_beyond_chance(web: Client, stored: None) -> None:
    # the target is 55 %: Halland's 56,9–63,0 % lies wholly above it; Sweden's 1 000 of 2 000
    # (Wilson: 47,8–52,2 %) and Dalarna's 37,0–43,1 % wholly below
    page = web("analyst").get("/reports/national").text
    # no other value's interval holds the target, so nothing is said of others
    assert ("Mot målet 2023 (hela konfidensintervallet på ena sidan om målet): nått: Region "
            "Halland; inte nått: Riket, Region Dalarna.</p>") in page
    english = web("analyst").get("/reports/national", headers={"Accept-Language": "en"}).text
    assert ("Against the target in 2023 (the whole confidence interval on one side of it): "
            "reached: Region Halland; not reached: Sweden, Region Dalarna.") in english


def test_the_report_reads_each_area_against_the_target() -> None:
    from naravard.indicators.catalogue import shipped_catalogue
    from naravard.web.national_report import against_target

    d = shipped_catalogue().definition(ND)

    def at(level: str, code: str, low: float, high: float, period: str = "2023",
           sex: str = "T") -> dict[str, Any]:
        return {"period": period, "sex": sex, "area_level": level, "area_code": code,
                "value": (low + high) / 2, "ci_low": low, "ci_high": high}

    rows = [at("nation", "00", 50.0, 54.0), at("region", "13", 56.0, 62.0),
            at("region", "20", 53.0, 57.0), at("region", "03", 55.0, 58.0),
            at("region", "14", 40.0, 70.0, sex="K"), at("region", "14", 10.0, 20.0, "2022"),
            at("municipality", "1380", 60.0, 70.0)]
    assert against_target(rows, d, "2023", "Sverige") == (
        ("Region Halland", "Region Uppsala"), ("Sverige",), True)
    assert against_target(rows[:2], d, "2023", "Sverige") == (
        ("Region Halland",), ("Sverige",), False)
    assert against_target(rows, d, None, "Sverige") == ((), (), False)


def test_a_change_from_the_year_before() -> None:
    from naravard.web.indicators_view import change_from

    def row(value: float | None, low: float | None, high: float | None) -> dict[str, Any]:
        return {"value": value, "ci_low": low, "ci_high": high}

    # 50,0 (47,8–52,2) a year before: 53 (51–55) rose (53 − 50 − √(2² + 2,2²) = 0,03 > 0)
    before = row(50.0, 47.8, 52.2)
    assert change_from(before, row(53.0, 51.0, 55.0)) == "rose"
    assert change_from(before, row(52.0, 50.0, 54.0)) == "within"
    assert change_from(before, row(46.0, 44.0, 48.0)) == "fell"
    assert change_from(before, row(53.0, None, None)) == ""
    assert change_from(None, row(53.0, 51.0, 55.0)) == ""
    assert change_from(row(None, None, None), row(53.0, 51.0, 55.0)) == ""


def test_the_report_reads_each_area_from_the_year_before() -> None:
    from naravard.web.national_report import since_previous

    def at(level: str, code: str, period: str, value: float, half: float) -> dict[str, Any]:
        return {"period": period, "sex": "T", "area_level": level, "area_code": code,
                "value": value, "ci_low": value - half, "ci_high": value + half}

    rows = [at("nation", "00", "2022", 45.0, 1.0), at("nation", "00", "2023", 50.0, 1.0),
            at("region", "13", "2022", 60.0, 3.0), at("region", "13", "2023", 52.0, 3.0),
            at("region", "20", "2022", 40.0, 3.0), at("region", "20", "2023", 41.0, 3.0),
            at("region", "03", "2023", 70.0, 3.0)]  # no value a year before: left out
    assert since_previous(rows, "2023", "Sverige") == (("Sverige",), ("Region Halland",), True)
    assert since_previous(rows[:4], "2023", "Sverige") == (
        ("Sverige",), ("Region Halland",), False)
    assert since_previous(rows, "2022", "Sverige") == ((), (), False)
    assert since_previous(rows, None, "Sverige") == ((), (), False)


def test_the_national_report_says_what_changed_beyond_chance(web: Client, session: Session,
                                                             stored: None) -> None:
    from tests.indicators.test_indicator_store import row

    # 2022: Sweden 900 of 2 000 (42,8–47,2 %), Halland 500 of 1 000, Dalarna 400 of 1 000; in
    # 2023 Sweden 50,0 % and Halland 60,0 % rose beyond chance, Dalarna's 40,0 % is the same
    before = [row(ND, "2022", level, code, "T", num, den)
              for level, code, num, den in (("nation", "00", 900, 2000),
                                            ("region", "13", 500, 1000),
                                            ("region", "20", 400, 1000))]
    store(session, with_limits(before + named_doctor_rows()))
    indicator_repo._CACHE.clear()
    page = web("analyst").get("/reports/national").text
    assert ("Från 2022 till 2023 utöver slumpen (hela konfidensintervallet för skillnaden på "
            "ena sidan om noll): ökat: Riket, Region Halland. Övriga med värden båda åren har "
            "förändrats inom slumpens marginal.") in page
    # the region view reads its own region the same way
    halland = web("analyst").get("/indicators/regions/13").text
    assert ("Från föregående år, utöver slumpen (hela konfidensintervallet för skillnaden på ena "
            "sidan om noll): ökat: Andel av befolkningen med fast läkarkontakt.</p>") in halland
    dalarna = web("analyst").get("/indicators/regions/20", headers={"Accept-Language": "en"})
    assert ("From the year before, every indicator with values in both years changed within "
            "chance.") in dalarna.text


def test_a_value_against_its_target() -> None:
    from naravard.indicators.catalogue import shipped_catalogue
    from naravard.web.indicators_view import against_target

    cat = shipped_catalogue()
    share, change = cat.definition(ND), cat.definition("continuity_change")

    def row(value: float | None, low: float | None, high: float | None) -> dict[str, Any]:
        return {"value": value, "ci_low": low, "ci_high": high}

    # 55 % or more: the target itself counts as reached
    assert [against_target(row(60.0, low, low + 6), share)
            for low in (55.0, 54.9, 48.9, 40.0)] == ["reached", "open", "missed", "missed"]
    assert against_target(row(55.0, 49.0, 55.0), share) == "open"
    assert against_target(row(60.0, None, None), share) == ""
    assert against_target(row(None, None, None), share) == ""
    assert against_target(None, share) == ""
    # no target: nothing to read
    assert against_target(row(60.0, 50.0, 70.0), cat.definition("readmission_30d_65plus")) == ""
    # a change of at least 20 %: −2,3 to 44,7 % holds it
    assert against_target(row(20.0, -2.26, 44.68), change) == "open"
    assert against_target(row(30.0, 21.0, 39.0), change) == "reached"
    # a target to stay at or below
    low_target = dataclasses.replace(share, target=dataclasses.replace(
        share.target, comparison="<="))  # type: ignore[arg-type]
    assert [against_target(row(50.0, low, low + 6), low_target)
            for low in (48.0, 50.0, 56.0)] == ["reached", "open", "missed"]
