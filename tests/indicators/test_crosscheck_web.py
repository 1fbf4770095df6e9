"""Cross-checks: a region's questionnaire answer beside its published register value, flagged
above the threshold of ``crosscheck.yaml``; on the indicator page for staff and on the region's
own view."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.crosscheck import (
    ANSWERED,
    CANNOT_ESTIMATE,
    NOT_ANSWERED,
    compare,
    parse_settings,
    read_answer,
    shipped_crosschecks,
)
from naravard.indicators.text import DefinitionError
from naravard.storage import indicator_repo
from naravard.storage import survey_repo as repo
from naravard.storage.indicator_crosscheck import reported_answers
from naravard.surveys.catalog import find_form, shipped_forms
from naravard.web import indicators_view as view
from naravard.web.i18n import gettext_for
from tests.indicators import test_indicator_web as pages
from tests.indicators.test_indicator_store import ND, named_doctor_rows, store
from tests.surveys.rounds import fake_receipt

Client = Callable[[str | None], TestClient]
web = pages.web  # the fixture: a browser signed in as a test user
SUBMITTED = dt.datetime(2024, 3, 1, 10, 0, tzinfo=repo.STOCKHOLM)


def test_compare_flags_only_differences_above_the_threshold() -> None:
    assert compare("13", "60.0", 55.0, "ok", 5.0).flagged is False  # exactly 5 points
    above = compare("13", "60.01", 55.0, "ok", 5.0)
    assert (above.flagged, above.difference, above.reported) == (True, 5.01, Decimal("60.01"))
    below = compare("13", "50,5", 55.0, "ok", 5.0)
    assert (below.flagged, below.difference) == (False, -4.5)
    hidden = compare("13", "90", None, "suppressed", 5.0)
    assert (hidden.flagged, hidden.difference, hidden.register_status) == (
        False, None, "suppressed")
    assert compare("13", "cannot_estimate", 50.0, "ok", 5.0).answer == CANNOT_ESTIMATE
    assert read_answer(None) == (NOT_ANSWERED, None)
    assert read_answer("83.5") == (ANSWERED, Decimal("83.5"))
    assert read_answer("ja") == (NOT_ANSWERED, None)


def test_settings_are_checked_against_the_catalogue() -> None:
    checks = shipped_crosschecks().checks
    assert [(c.indicator, c.variant, c.question, c.threshold, c.evidence) for c in checks] == [
        (ND, "all", "region.named_doctor_share_population", 5.0, "I"),
        ("named_doctor_special_housing", "all", "region.named_doctor_share_special_housing",
         10.0, "I"),
        ("continuity_primary_care", "coc_doctor", "region.doctor_continuity_index", 0.05, "I"),
    ]
    good: dict[str, Any] = {"id": "x", "title": {"sv": "a", "en": "b"}, "indicator": ND,
                            "variant": "all", "period": "2023", "form_id": "f",
                            "question": "q", "threshold": {"value": 5, "evidence": "I",
                                                           "note": "n"}}
    for change, message in [
        ({"indicator": "nope"}, "checks[0].indicator: unknown indicator 'nope'"),
        ({"variant": "x"}, "checks[0].variant: named_doctor_population has no variant 'x'"),
        ({"threshold": {"value": -1, "evidence": "I", "note": "n"}},
         "checks[0].threshold.value: must be a number of at least 0"),
    ]:
        with pytest.raises(DefinitionError, match=re.escape(message)):
            parse_settings("c.yaml", {"version": "1", "checks": [{**good, **change}]},
                           shipped_catalogue())


def _round(session: Session) -> None:
    """The 2023 region questionnaire with three imported answers to question 22."""
    form = find_form(list(shipped_forms()), "gonv-2023-region").form
    survey_round = repo.create_round(
        session, form, code="check-2023", title="Uppföljning 2023", respondents=["13", "17", "20"],
        opens_on=dt.date(2024, 1, 15), deadline=dt.date(2024, 3, 31), actor="analyst",
        now=SUBMITTED - dt.timedelta(days=60))
    repo.open_round(session, survey_round, "analyst", SUBMITTED - dt.timedelta(days=60))
    answers = {"13": {"r22": "66,5", "r24": "90"}, "20": {"r22": "cannot_estimate"}, "17": {}}
    for org, values in answers.items():
        response = repo.response_for(session, survey_round, org)
        assert response is not None
        repo.save_answers(session, response, values, actor="analyst", now=SUBMITTED)
        repo.submit(session, response, actor="analyst", actor_name="Import", now=SUBMITTED,
                    confirmed=(), render_receipt=fake_receipt, source=repo.IMPORT)
    session.commit()


def test_a_running_round_does_not_replace_a_finished_one(session: Session) -> None:
    _round(session)
    form = find_form(list(shipped_forms()), "gonv-2023-region").form
    practice = repo.create_round(
        session, form, code="ovning-2023", title="Övningsomgång", respondents=["13"],
        opens_on=dt.date(2024, 5, 1), deadline=dt.date(2024, 8, 31), actor="analyst",
        now=SUBMITTED + dt.timedelta(days=60))
    repo.open_round(session, practice, "analyst", SUBMITTED + dt.timedelta(days=60))
    response = repo.response_for(session, practice, "13")
    assert response is not None
    later = SUBMITTED + dt.timedelta(days=70)
    repo.save_answers(session, response, {"r22": "10"}, actor="halland", now=later)
    repo.submit(session, response, actor="halland", actor_name="Halland", now=later,
                confirmed=(), render_receipt=fake_receipt, source=repo.IMPORT)
    session.commit()
    check = shipped_crosschecks().for_indicator(ND)[0]
    # in June 2024 the 2023 round has ended and the practice round runs: the 2023 answer holds
    _, answers = reported_answers(session, check, today=dt.date(2024, 6, 1))
    assert (answers["13"].value, answers["13"].round_code) == ("66.5", "check-2023")
    # once both have ended, the newer submission is the answer
    _, answers = reported_answers(session, check, today=dt.date(2024, 9, 1))
    assert (answers["13"].value, answers["13"].round_code) == ("10", "ovning-2023")


@pytest.fixture
def answered(session: Session) -> Iterator[None]:
    indicator_repo._CACHE.clear()
    store(session, named_doctor_rows())
    _round(session)
    yield
    indicator_repo._CACHE.clear()


def test_staff_see_answers_beside_the_register(web: Client, answered: None) -> None:
    page = web("analyst").get(f"/indicators/{ND}").text
    title = ("Andel av befolkningen med fast läkarkontakt, enligt regionen och enligt "
             "registren")
    assert pages.Tables(page).table(title) == [
        ["Region", "Uppgett", "Register", "Skillnad", "Kontroll", "Inlämnad"],
        ["Region Halland", "66,5", "60,0", "6,5", "Skiljer mer än 5,00",
         "2024-03-01 (check-2023, version 1)"],
        ["Region Värmland", "inte besvarad", "..", "", "Kan inte jämföras",
         "2024-03-01 (check-2023, version 1)"],
        ["Region Dalarna", "kan inte uppskattas", "40,0", "", "Kan inte jämföras",
         "2024-03-01 (check-2023, version 1)"],
    ]
    assert "Fråga 22 i gonv-2023-region" in page
    assert "Enkätsvar bredvid registret" not in web(None).get(f"/indicators/{ND}").text


def test_a_region_sees_its_own_answers_only(web: Client, answered: None) -> None:
    page = web("respondent").get("/indicators/regions/13")
    assert page.status_code == 200
    tables = pages.Tables(page.text)
    checks = tables.table("Uppgifter som Region Halland lämnat, bredvid registervärdena")
    assert checks[1:] == [
        ["Andel av befolkningen med fast läkarkontakt, enligt regionen och enligt registren "
         "(fråga 22, gonv-2023-region)", "66,5", "60,0", "6,5", "Skiljer mer än 5,00"],
        ["Andel i särskilt boende med fast läkarkontakt, enligt regionen och enligt registren "
         "(fråga 24, gonv-2023-region)", "90,0", "..", "", "Kan inte jämföras"],
        ["Kontinuitetsindex för läkare, enligt regionen och enligt registren "
         "(fråga 25, gonv-2023-region)", "inte besvarad", "..", "", "Kan inte jämföras"],
    ]
    latest = tables.table("Senaste publicerade värde för varje indikator, Region Halland "
                          "bredvid riket")
    assert ["Andel av befolkningen med fast läkarkontakt", "2023", "60,0", "50,0",
            "procent av befolkningen", "120", "högre", ""] in latest  # 60,0 / 50,0 × 100
    assert latest[0][-2:] == ["Bättre värde", "Skillnad mot riket"]
    assert next(r for r in latest if r[0].startswith("Undvikbar slutenvård"))[-2] == "lägre"
    # The same values as a chart beside the table: an index of Sweden's value, sorted.
    assert "<svg" in page.text
    assert ("Stapeldiagram: det senaste värdet för varje indikator i Region Halland som index "
            "av rikets värde (riket = 100), sorterat. Högst Andel av befolkningen med fast "
            "läkarkontakt (120)") in page.text
    # read with the indicator's desired direction: above Sweden is the aim for this one
    assert ("På den sida indikatorn siktar mot (över riket där ett högre värde är bättre, under "
            "där ett lägre är): Andel av befolkningen med fast läkarkontakt. Färgerna visar "
            "sidan; skillnaderna är inte prövade statistiskt.") in page.text
    legend = page.text.split('<p class="ind-legend">', 1)[1].split("</p>", 1)[0]
    assert re.findall(r'fill="(#\w+)"/></svg> ([^<]+)</span>', legend) == [
        ("#00563f", "på den sida indikatorn siktar mot"), ("#b35c00", "på den andra sidan"),
        ("#6e7781", "ingen önskad riktning, eller lika med riket")]
    chart = page.text.split('<div class="ind-pair">', 1)[1].split("</svg>", 1)[0]
    assert 'fill="#00563f"' in chart and 'fill="#b35c00"' not in chart
    # each indicator links to its page with the region chosen: the region over the years
    assert f'<a href="/indicators/{ND}?region=13#h-one-region">' in page.text
    assert web("foreign").get("/indicators/regions/13").status_code == 403
    own = web("foreign").get("/indicators/regions/20").text
    assert "kan inte uppskattas" in own and "66,5" not in own
    assert web("analyst").get("/indicators/regions/99").status_code == 404


def test_region_index_read_with_each_indicators_desired_direction() -> None:
    """Each bar's side of Sweden, read with the indicator's desired direction, in the bar's
    colour and in words; an index shown as 100 is on neither side."""
    cat = shipped_catalogue()
    indices = {"avoidable_inpatient_chronic": 125.0, "named_doctor_population": 120.0,
               "distance_share_doctor_visits": 164.0, "readmission_30d_65plus": 80.0,
               "care_guarantee_3_days": 99.6, "ed_visits_80plus": None}
    items = [{"d": cat.definition(i), "year": "2023", "index": v} for i, v in indices.items()]
    assert [view.index_side(it["d"], it["index"]) for it in items] == [
        "away", "aim", "none", "aim", "none", "none"]
    svg, text = view.region_index_chart(items, "Region Halland", "en", gettext_for("en"))
    assert text == (
        "Bar chart: the latest value of each indicator in Region Halland as an index of "
        "Sweden's value (Sweden = 100), sorted. Highest Distance visits as a share of "
        "primary-care doctor visits (164), lowest Unplanned readmissions within 1–30 days, aged "
        "65 and over (80). On the side the indicator aims for (above Sweden where a higher "
        "value is better, below where a lower one is): Share of the population with a named "
        "regular doctor; Unplanned readmissions within 1–30 days, aged 65 and over. On the "
        "other side: Avoidable inpatient care for chronic conditions. Without a desired "
        "direction, or equal to Sweden: Distance visits as a share of primary-care doctor "
        "visits; Medical assessment within three days in primary care. The colours show the "
        "side; the differences are not tested statistically. One indicator without an index "
        "(a value not shown, or Sweden's not above zero) is shown as ..")
    # an index of a change needs Sweden's change above zero: a fall or none gives no index
    change = {"value": 3.0}
    assert [view.index_of_nation(change, {"value": n}) for n in (-5.0, 0.0, 2.0)] == [
        None, None, 150.0]
    assert view.index_of_nation({"value": -1.0}, {"value": 2.0}) == -50.0
    fills = re.findall(r'<path[^>]*fill="(#[0-9a-f]{6})"', svg)
    assert {"#00563f", "#b35c00", "#6e7781"} <= set(fills)
    assert fills.count("#b35c00") == 1 and fills.count("#6e7781") == 2



def test_analysts_start_page_counts_the_answers_that_differ(web: Client, answered: None) -> None:
    page = web("analyst").get("/").text
    caption = "Regioner vars svar skiljer sig från registret med mer än jämförelsens tröskel"
    assert pages.Tables(page).table(caption) == [
        ["Kontroll", "Skiljer sig", "Regionerna"],
        ["Andel av befolkningen med fast läkarkontakt, enligt regionen och enligt registren",
         "1 av 1", "Region Halland"],  # 66,5 against 60,0; Värmland and Dalarna not comparable
        ["Andel i särskilt boende med fast läkarkontakt, enligt regionen och enligt registren",
         "0 av 0", "–"],
        ["Kontinuitetsindex för läkare, enligt regionen och enligt registren", "0 av 0", "–"],
    ]
    assert f'href="/indicators/{ND}#h-crosscheck"' in page
    for other in ("respondent", "grant_officer"):
        assert caption not in web(other).get("/").text
