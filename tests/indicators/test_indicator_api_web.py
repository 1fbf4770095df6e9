"""The open data API (Kolada's shape, paged) and its CSV: exact values, filters, paging, and no
masked value in any output."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.indicators.disclosure import shipped_rule
from naravard.storage import indicator_repo
from naravard.web import indicators as web_indicators
from naravard.web import indicators_api
from tests.indicators import test_indicator_web as pages
from tests.indicators.test_indicator_store import (
    CHANGE,
    COC,
    ND,
    UNITS,
    continuity_rows,
    named_doctor_rows,
    store,
)

Client = Callable[[str | None], TestClient]
web = pages.web  # the fixture: a browser signed in as a test user
VALUES = f"/api/v1/indicators/{ND}/values"
#: Halmstad's and Kungsbacka's hidden numerators (T, K, M): none may appear anywhere.
HIDDEN = {("1380", "T"): 597, ("1380", "K"): 301, ("1380", "M"): 296,
          ("1384", "T"): 3, ("1384", "K"): 2, ("1384", "M"): 1}


@pytest.fixture
def stored(session: Session) -> Iterator[None]:
    indicator_repo._CACHE.clear()
    store(session, named_doctor_rows() + continuity_rows(), units=UNITS)
    yield
    indicator_repo._CACHE.clear()


def test_indicator_list_and_one_indicator(web: Client, stored: None) -> None:
    listing = web(None).get("/api/v1/indicators").json()
    assert len(listing) == 12
    named = next(i for i in listing if i["id"] == ND)
    assert named["snapshot"]["definition_version"] == named["version"]
    assert named["snapshot"]["years"] == [2021, 2023]
    assert named["target"]["value"] == 55.0 and named["genders"] == ["T", "K", "M"]
    assert named["values_url"] == VALUES
    assert named["direction"] == {"value": "higher", "evidence": "C", "note": (
        "Goal 1 of the agreements 2021–2022: at least 55 % of the population with a "
        "named regular doctor.")}
    assert {i["id"]: i["direction"]["value"] for i in listing
            if i["direction"]["value"] != "higher"} == {
        "avoidable_inpatient_chronic": "lower", "readmission_30d_65plus": "lower",
        "ed_visits_80plus": "lower", "distance_share_doctor_visits": "none"}
    assert next(i for i in listing if i["id"] == "ed_visits_80plus")["snapshot"] is None
    one = web(None).get(f"/api/v1/indicators/{ND}").json()
    assert one == named
    avoidable = next(i for i in listing if i["id"] == "avoidable_inpatient_chronic")
    units = {v["id"]: v["unit"]["en"] for v in avoidable["variants"]}
    assert units["all"] == avoidable["unit"]["en"] == (
        "care episodes per 100 000 inhabitants aged 20+ (age-standardised)")
    assert units["all_crude"] == ("care episodes per 100 000 inhabitants aged 20+ (crude, not "
                                  "age-standardised)")
    assert web(None).get("/api/v1/indicators/nope").status_code == 404


def test_values_are_paged_in_kolada_shape(web: Client, stored: None) -> None:
    client = web(None)
    first = client.get(VALUES, params={"per_page": 2}).json()
    assert (first["count"], first["page"], first["per_page"], first["pages"]) == (5, 1, 2, 3)
    assert first["next_page"] == f"{VALUES}?per_page=2&page=2"
    assert first["previous_page"] is None
    assert first["disclosure"]["min_count"] == 5 and first["disclosure"]["mask"] == ".."
    assert "Antal under 5" in first["disclosure"]["footnote"]["sv"]
    assert [v["municipality"] for v in first["values"]] == ["00", "13"]
    halland = first["values"][1]
    assert {k: halland[k] for k in ("kpi", "variant", "period", "area_level", "ou")} == {
        "kpi": ND, "variant": "all", "period": "2023", "area_level": "region", "ou": None}
    assert halland["values"] == [
        {"gender": "T", "value": 60.0, "count": 1000.0, "numerator": 600.0,
         "denominator": 1000.0, "status": "ok", "ci_low": None, "ci_high": None,
         "few_events": False},
        {"gender": "K", "value": 303 / 505 * 100, "count": 505.0, "numerator": 303.0,
         "denominator": 505.0, "status": "ok", "ci_low": None, "ci_high": None,
         "few_events": False},
        {"gender": "M", "value": 297 / 495 * 100, "count": 495.0, "numerator": 297.0,
         "denominator": 495.0, "status": "ok", "ci_low": None, "ci_high": None,
         "few_events": False},
    ]  # rows stored without intervals (test_intervals_web has them)
    last = client.get(VALUES, params={"per_page": 2, "page": 3}).json()
    assert last["next_page"] is None and last["previous_page"] == f"{VALUES}?per_page=2&page=2"
    assert [v["municipality"] for v in last["values"]] == ["1384"]
    assert last["values"][0]["values"][0] == {
        "gender": "T", "value": None, "count": 50.0, "numerator": None, "denominator": 50.0,
        "status": "suppressed", "ci_low": None, "ci_high": None, "few_events": False}
    beyond = client.get(VALUES, params={"per_page": 2, "page": 9}).json()
    assert beyond["values"] == [] and beyond["count"] == 5


def test_filters_and_bad_parameters(web: Client, stored: None) -> None:
    client = web(None)
    women = client.get(VALUES, params={"area": "13,20", "gender": "K"}).json()
    assert [(v["municipality"], [g["numerator"] for g in v["values"]])
            for v in women["values"]] == [("13", [303.0]), ("20", [217.0])]
    level = client.get(VALUES, params={"level": "municipality", "period": "2023"}).json()
    assert level["count"] == 2
    assert client.get(VALUES, params={"period": "2022"}).json()["count"] == 0
    for params, message in [({"period": "20x3"}, "period: not valid: 20x3"),
                            ({"gender": "X"}, "gender: not valid: X"),
                            ({"variant": "nope"}, "variant: named_doctor_population has no")]:
        response = client.get(VALUES, params=params)
        assert response.status_code == 422 and message in response.json()["detail"]
    assert client.get(VALUES, params={"per_page": 5001}).status_code == 422
    missing = client.get("/api/v1/indicators/ed_visits_80plus/values")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no results stored for ed_visits_80plus"


def test_no_masked_value_in_any_output(web: Client, stored: None) -> None:
    client = web(None)
    entries = client.get(VALUES, params={"per_page": 100}).json()["values"]
    for entry in entries:
        for g in entry["values"]:
            if (entry["municipality"], g["gender"]) in HIDDEN:
                assert (g["status"], g["numerator"], g["value"]) == ("suppressed", None, None)
    text = json.dumps(entries)
    assert "597" not in text and "62.8" not in text
    rows = list(csv.DictReader(io.StringIO(client.get(VALUES + ".csv").text)))
    hidden = [r for r in rows if (r["area_code"], r["gender"]) in HIDDEN]
    assert len(hidden) == 6
    assert {(r["numerator"], r["value"], r["status"], r["note"]) for r in hidden} == {
        ("..", "..", "suppressed", shipped_rule().footnote_text("sv"))}
    page = client.get(f"/indicators/{ND}?region=13").text
    assert "597" not in page
    # Only staff reach the figures, on routes of their own.
    internal = web("analyst").get(f"/indicators/{ND}/internal.csv").text
    assert ",1380,Halmstad,T,597,950," in internal


def test_csv_matches_the_selection_and_escapes_formulas(
        web: Client, stored: None, monkeypatch: pytest.MonkeyPatch) -> None:
    client = web(None)
    response = client.get(VALUES + ".csv", params={"area": "00,1384", "gender": "T"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{ND}.csv"'
    note = shipped_rule().footnote_text("sv")
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["kpi", "variant", "period", "area_level", "area_code", "area_name", "gender",
         "numerator", "denominator", "value", "ci_low", "ci_high", "status", "note"],
        [ND, "all", "2023", "nation", "00", "Riket", "T", "1000", "2000", "50", "", "", "ok",
         ""],
        [ND, "all", "2023", "municipality", "1384", "Kungsbacka", "T", "..", "50", "..", "..",
         "..", "suppressed", note],
    ]
    english = client.get(VALUES + ".csv", params={"area": "1384", "gender": "T", "lang": "en"})
    assert list(csv.reader(io.StringIO(english.text)))[1][-1] == shipped_rule().footnote_text("en")
    units = client.get(f"/api/v1/indicators/{COC}/values.csv",
                       params={"level": "care_unit"}).text
    rows = list(csv.reader(io.StringIO(units)))
    assert [r[5] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")"] * 2
    assert rows[1][:5] == [COC, "coc_doctor", "2021", "care_unit", "VC1"]
    assert rows[1][7:] == ["30", "50", "0.6", "", "", "ok", ""]
    # a hidden value hides its limits (an index's and its change's); an indicator without
    # intervals has none to hide
    for indicator in (COC, CHANGE):
        hidden = list(csv.reader(io.StringIO(client.get(
            f"/api/v1/indicators/{indicator}/values.csv",
            params={"area": "1384", "period": "2023", "variant": "coc_doctor"}).text)))
        assert hidden[1][9:13] == ["..", "..", "..", "suppressed"]
    shipped = web_indicators._definition(CHANGE)
    assert shipped is not None
    monkeypatch.setattr(web_indicators, "_definition", lambda _: dataclasses.replace(
        shipped, interval=dataclasses.replace(shipped.interval, method="none")))
    change = list(csv.reader(io.StringIO(client.get(
        f"/api/v1/indicators/{CHANGE}/values.csv",
        params={"area": "1384", "period": "2023", "variant": "coc_doctor"}).text)))
    assert change[1][9:13] == ["..", "", "", "suppressed"]
    api = client.get(f"/api/v1/indicators/{COC}/values", params={"level": "care_unit"}).json()
    assert [(v["ou"], v["municipality"]) for v in api["values"]] == [
        ("VC1", None), ("VC1", None)]


def test_api_selections_find_their_entries_once(web: Client, stored: None, session: Session,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []

    class Counted(indicators_api._Entries):
        def __init__(self, rows: Any, d: Any) -> None:
            built.append(len(rows))
            super().__init__(rows, d)

    monkeypatch.setattr(indicators_api, "_Entries", Counted)
    client = web(None)
    everything = client.get(VALUES, params={"per_page": 100}).json()["values"]
    whole = [v["municipality"] for v in everything]
    paged = [v["municipality"] for p in (1, 2, 3)
             for v in client.get(VALUES, params={"per_page": 2, "page": p}).json()["values"]]
    assert paged == whole == ["00", "13", "20", "1380", "1384"]
    assert built == [15]  # five entries of T, K and M, found once for all four requests
    for _ in range(2):  # a filtered selection is kept with the rows as well
        assert client.get(VALUES, params={"gender": "K"}).json()["count"] == 5
    assert built == [15, 5]
    for genders in ("K,M", "M,K"):  # the same selection in another order
        assert client.get(VALUES, params={"gender": genders}).json()["count"] == 5
    assert built == [15, 5, 10]
    # a level is read as a result set of its own (only its rows), with entries of its own
    for _ in range(2):
        municipal = client.get(VALUES, params={"level": "municipality"}).json()
        assert [v["municipality"] for v in municipal["values"]] == ["1380", "1384"]
    assert built == [15, 5, 10, 6]
    monkeypatch.setattr(indicators_api, "KEPT_SELECTIONS", 2)  # then the oldest is let go
    for area in ("13", "20", "00"):
        assert client.get(VALUES, params={"area": area}).json()["count"] == 1
    assert built == [15, 5, 10, 6, 3, 3, 3]
    assert client.get(VALUES, params={"area": "00"}).json()["count"] == 1
    assert client.get(VALUES, params={"area": "13"}).json()["count"] == 1
    assert built == [15, 5, 10, 6, 3, 3, 3, 3]
    # new data are a new result set, with entries of their own
    store(session, [r for r in named_doctor_rows() if r["area_code"] != "1384"]
          + continuity_rows(), checksum="2" * 64, units=UNITS)
    again = client.get(VALUES, params={"per_page": 100}).json()
    assert [v["municipality"] for v in again["values"]] == ["00", "13", "20", "1380"]
    assert built == [15, 5, 10, 6, 3, 3, 3, 3, 12]
