"""The start page as a to-do list: a respondent's questionnaires and funds, an analyst's open
rounds, a grant officer's decisions, each by the clock of its own pages and for its own
organisation only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.formatting import THIN
from naravard.storage import funding_repo
from naravard.storage import survey_repo as repo
from naravard.web import start_tasks
from naravard.web.funding import funding_clock
from naravard.web.surveys import surveys_clock
from tests.funding import seeding
from tests.funding.seeding import AGREEMENT, DALARNA_NARA_VARD, HALLAND_NARA_VARD
from tests.indicators.test_indicator_web import Tables
from tests.surveys.rounds import AFTER, COMPLETE, DURING, FINAL_PHASE, at, fake_receipt, make_round
from tests.surveys.test_survey_rss_web import rss_response  # noqa: F401 (fixture)

Client = Callable[[str | None], TestClient]
QUESTIONS = "Enkäter som väntar på er redovisning"
FUNDS = "Era stimulansmedel: vad som ska göras och vad som väntar på beslut"
ROUNDS = "Omgångar öppna för svar, de försenade först, sedan efter närmaste sista dag"
DECISIONS = "Vad överenskommelserna kräver av dig, det försenade först"
GONV_2020 = ("God och nära vård 2020 – överenskommelse mellan staten och Sveriges Kommuner och "
             "Regioner")


def kr(amount: int) -> str:
    return f"{amount:,}".replace(",", THIN) + " kr"


class Clocks:
    """The questionnaires' and the funds' clocks of the app under test."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def surveys(self, moment: dt.datetime) -> None:
        self.app.dependency_overrides[surveys_clock] = lambda: moment

    def funds(self, moment: dt.datetime) -> None:
        self.app.dependency_overrides[funding_clock] = lambda: moment


@pytest.fixture
def clocks(app: FastAPI) -> Iterator[Clocks]:
    yield Clocks(app)
    app.dependency_overrides.pop(surveys_clock, None)
    app.dependency_overrides.pop(funding_clock, None)


def tables(client: TestClient) -> Tables:
    page = client.get("/")
    assert page.status_code == 200
    return Tables(page.text)


def submit(session: Session, org: str, now: dt.datetime, answers: dict[str, object]) -> None:
    r = repo.response_for(session, repo.get_round(session, "test-2024"), org)  # type: ignore[arg-type]
    assert r is not None
    repo.save_answers(session, r, answers, actor="respondent", now=now)
    repo.submit(session, r, actor="respondent", actor_name="Respondent", now=now,
                render_receipt=fake_receipt, confirmed=())
    session.commit()


INTERIM_ANSWERS = {k: v for k, v in COMPLETE.items() if k != "final_only"}


# --- a respondent's questionnaires ---------------------------------------------------------------


def test_respondent_sees_the_report_due_by_phase(
    session: Session, client_as: Client, clocks: Clocks
) -> None:
    make_round(session)
    session.commit()
    halland = client_as("respondent")
    clocks.surveys(at("2024-01-12"))  # opened for 2024-01-15: listed, with the day it opens
    assert tables(halland).table(QUESTIONS)[1][1:] == [
        "2024-09-30 (262 dagar kvar)", "Inte påbörjad. Omgången öppnar 2024-01-15."]
    clocks.surveys(DURING)  # 2024-02-01: the interim report is due 2024-09-30, 242 days on
    rows = tables(halland).table(QUESTIONS)
    assert rows == [
        ["Enkät", "Sista dag", "Status"],
        ["Testenkät för regioner Testomgång 2024 – delredovisning", "2024-09-30 (242 dagar kvar)",
         "Inte påbörjad"],
    ]
    response_id = repo.response_for(session, repo.get_round(session, "test-2024"), "13").id  # type: ignore[arg-type, union-attr]
    assert f'href="/surveys/responses/{response_id}"' in halland.get("/").text

    submit(session, "13", DURING, INTERIM_ANSWERS)  # the interim report is in: nothing is due
    page = halland.get("/").text
    assert QUESTIONS not in page
    assert "Ingen enkät väntar på redovisning från Region Halland." in page

    clocks.surveys(FINAL_PHASE)  # 2024-11-02: the final report, due 2025-03-31, 149 days on
    assert tables(halland).table(QUESTIONS)[1] == [
        "Testenkät för regioner Testomgång 2024", "2025-03-31 (149 dagar kvar)", "Inlämnad"]
    clocks.surveys(at("2025-03-30", "12:00"))
    assert tables(halland).table(QUESTIONS)[1][1] == "2025-03-31 (1 dag kvar)"
    clocks.surveys(at("2025-03-31", "23:59"))
    assert tables(halland).table(QUESTIONS)[1][1] == "2025-03-31 (sista dagen är i dag)"
    clocks.surveys(at("2024-11-03"))  # the final report is in: nothing is due, until reopened
    submit(session, "13", at("2024-11-03"), COMPLETE)
    assert QUESTIONS not in halland.get("/").text
    repo.reopen(session, repo.get_round(session, "test-2024"), "13",  # type: ignore[arg-type]
                reason="Fråga 3 <gäller> hela länet", deadline=dt.date(2024, 12, 15),
                actor="analyst", now=at("2024-11-03", "11:00"))
    session.commit()
    assert tables(halland).table(QUESTIONS)[1] == [
        "Testenkät för regioner Testomgång 2024", "2024-12-15 (42 dagar kvar)",
        "Inlämnad. Öppnad igen för en ny version: Fråga 3 <gäller> hela länet"]
    assert "Fråga 3 &lt;gäller&gt; hela länet" in halland.get("/").text
    submit(session, "13", at("2024-11-03", "12:00"), COMPLETE)
    assert QUESTIONS not in halland.get("/").text


def test_late_final_report(session: Session, client_as: Client, clocks: Clocks) -> None:
    make_round(session)
    session.commit()
    halland = client_as("respondent")
    submit(session, "13", DURING, INTERIM_ANSWERS)
    clocks.surveys(AFTER)  # locked without a final report: late, and what can be done
    assert tables(halland).table(QUESTIONS)[1] == [
        "Testenkät för regioner Testomgång 2024", "2025-03-31 för sent",
        "Inlämnad. Sista dagen har passerat utan redovisning; uppföljningsmyndigheten kan öppna "
        "enkäten igen för er."]


def test_each_respondent_sees_its_own_and_a_closed_round_is_gone(
    session: Session, client_as: Client, clocks: Clocks
) -> None:
    r = make_round(session, ("13", "20"))
    session.commit()
    clocks.surveys(DURING)
    submit(session, "13", DURING, INTERIM_ANSWERS)
    assert QUESTIONS not in client_as("respondent").get("/").text
    dalarna = tables(client_as("foreign")).table(QUESTIONS)
    assert [row[0] for row in dalarna[1:]] == [
        "Testenkät för regioner Testomgång 2024 – delredovisning"]
    assert QUESTIONS not in client_as("rss").get("/").text  # not asked
    repo.close_round(session, r, "analyst", DURING)
    session.commit()
    assert QUESTIONS not in client_as("foreign").get("/").text


def test_titles_are_escaped(session: Session, client_as: Client, clocks: Clocks) -> None:
    r = make_round(session)
    r.title = '<script>alert(1)</script> & "x"'
    session.commit()
    clocks.surveys(DURING)
    page = client_as("respondent").get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;" in page
    assert "&lt;script&gt;" in client_as("analyst").get("/").text


def test_rss_sees_how_many_municipalities_have_submitted(
    client_as: Client, clocks: Clocks, rss_response: int  # noqa: F811
) -> None:
    members = "Era kommuners svar på kommunfrågorna"
    rss = client_as("rss")
    clocks.surveys(at("2024-02-02"))  # Kungsbacka and Halmstad have submitted, 58 days left
    found = tables(rss)
    assert found.table(members) == [
        ["Enkät", "Sista dag", "Kommuner som har lämnat in"],
        ["Kommunfrågor till RSS-enkäten, uppföljning av God och nära vård 2023 Kommunfrågor 2023",
         "2024-03-31 (58 dagar kvar)", "2 av 6"],
    ]
    assert [row[1] for row in found.table(QUESTIONS)[1:]] == ["2024-03-31 (58 dagar kvar)"]
    assert f'href="/surveys/responses/{rss_response}/municipalities"' in rss.get("/").text
    clocks.surveys(at("2024-04-01", "00:00"))
    assert tables(rss).table(members)[1][1:] == ["2024-03-31 för sent", "2 av 6"]
    # a municipality and a region get no such table
    for caller in ("municipality", "respondent"):
        assert members not in client_as(caller).get("/").text


# --- an analyst's rounds -------------------------------------------------------------------------


def test_analyst_sees_open_rounds_late_first(
    session: Session, client_as: Client, clocks: Clocks
) -> None:
    make_round(session, ("13", "20"))
    make_round(session, ("13",), code="early-2024", interim=False)
    repo.get_round(session, "early-2024").deadline = dt.date(2024, 1, 31)  # type: ignore[union-attr]
    make_round(session, ("20",), code="planned-2024", open_it=False)
    session.commit()
    clocks.surveys(DURING)
    submit(session, "20", DURING, INTERIM_ANSWERS)
    analyst = client_as("analyst")
    rows = tables(analyst).table(ROUNDS)
    assert rows == [
        ["Omgång", "Närmaste sista dag", "Inlämnade"],
        ["Testomgång 2024 (early-2024)", "2024-01-31 för sent: 1 utan redovisning", "0 av 1"],
        ["Testomgång 2024 (test-2024)", "2024-09-30 (242 dagar kvar)", "1 av 2"],
    ]
    clocks.surveys(FINAL_PHASE)  # the next deadline is the final one
    assert tables(analyst).table(ROUNDS)[2] == [
        "Testomgång 2024 (test-2024)", "2025-03-31 (149 dagar kvar)", "1 av 2"]
    assert 'href="/surveys/rounds"' in analyst.get("/").text


def test_no_open_round(client_as: Client) -> None:
    page = client_as("analyst").get("/").text
    assert "Ingen enkätomgång är öppen." in page
    assert ROUNDS not in page


# --- funds ---------------------------------------------------------------------------------------


@pytest.fixture
def frozen(session: Session) -> Session:
    seeding.agreement_2020(session)
    session.commit()
    return session


def entitled(session: Session, code: str) -> int:
    """All of ``code``'s entitlements under the frozen 2020 lines."""
    stored = funding_repo.get_agreement(session, AGREEMENT)
    assert stored is not None
    runs = [funding_repo.current_run(session, li.id) for li in stored.lines]
    return sum(funding_repo.entitlement(run, code) or 0 for run in runs if run is not None)


def test_respondent_funds_through_the_year(
    frozen: Session, client_as: Client, clocks: Clocks
) -> None:
    session = frozen
    halland = client_as("respondent")
    clocks.funds(dt.datetime(2020, 11, 2, 9, 0, tzinfo=seeding.STOCKHOLM))
    total = entitled(session, "13")
    assert total > HALLAND_NARA_VARD
    assert tables(halland).table(FUNDS) == [
        ["Överenskommelse", "Vad", "Sista dag"],
        [GONV_2020, f"Rekvirera de medel som ännu inte är rekvirerade: {kr(total)}.",
         "2020-12-01 (29 dagar kvar)"],
    ]
    row = seeding.submitted(session, seeding.requisition("13", HALLAND_NARA_VARD))
    session.commit()
    left = f"Rekvirera de medel som ännu inte är rekvirerade: {kr(total - HALLAND_NARA_VARD)}."
    assert tables(halland).table(FUNDS)[1:] == [
        [GONV_2020, left, "2020-12-01 (29 dagar kvar)"],
        [f"Er rekvisition nr {row.id} på {kr(HALLAND_NARA_VARD)} väntar på handläggarens beslut.",
         "ingen sista dag"],
    ]
    assert f'href="/funding/requisitions/{row.id}"' in halland.get("/").text
    funding_repo.decide_requisition(session, row.id, True, "grant_officer",
                                    dt.datetime(2020, 11, 2, 9, 30, tzinfo=seeding.STOCKHOLM))
    session.commit()
    assert tables(halland).table(FUNDS)[2][0] == (
        f"Er rekvisition nr {row.id} på {kr(HALLAND_NARA_VARD)} är godkänd och väntar på "
        "utbetalning.")
    funding_repo.record_payment(session, row.id, dt.date(2020, 11, 2), "KAMK-1", "grant_officer")
    session.commit()
    assert tables(halland).table(FUNDS)[1:] == [
        [GONV_2020, left, "2020-12-01 (29 dagar kvar)"],
        ["Lämna den ekonomiska redovisningen för de "
         f"{kr(HALLAND_NARA_VARD)} som betalats ut.", "2021-03-31 (149 dagar kvar)"],
    ]
    clocks.funds(dt.datetime(2021, 2, 1, 9, 0, tzinfo=seeding.STOCKHOLM))  # requisitions closed
    assert tables(halland).table(FUNDS)[1:] == [
        [GONV_2020, f"Lämna den ekonomiska redovisningen för de {kr(HALLAND_NARA_VARD)} som "
         "betalats ut.", "2021-03-31 (58 dagar kvar)"]]
    late = dt.datetime(2021, 4, 9, 11, 30, tzinfo=seeding.STOCKHOLM)
    clocks.funds(late)
    assert tables(halland).table(FUNDS)[1][2] == "2021-03-31 för sent"
    # the report arrives nine days late with 89 450 000 kr of costs: 5 773 749 kr to repay
    seeding.reported(session, seeding.report("13", total, HALLAND_NARA_VARD,
                                             (89_450_000,), late))
    session.commit()
    rows = tables(halland).table(FUNDS)
    assert rows[1:] == [
        [GONV_2020, f"Betala tillbaka outnyttjade medel: {kr(5_773_749)} återstår.",
         "2021-03-31 för sent"],
        ["Den ekonomiska redovisningen kom in 9 dagar för sent; staten beslutar om bidraget ska "
         "återkrävas. Beslut: Att besluta.", "redovisningen skulle ha kommit in senast 2021-03-31"],
    ]
    page = halland.get("/").text
    assert 'href="/funding/org/13#agr-gonv-2020"' in page
    assert 'href="/indicators/regions/13"' in page
    # Dalarna sees none of it, and the RSS no link to a region's indicators
    dalarna = client_as("foreign").get("/").text
    assert kr(5_773_749) not in dalarna and "/funding/org/13" not in dalarna
    assert "/indicators/regions/" not in client_as("rss").get("/").text


def test_grant_officer_sees_decisions_per_agreement(
    frozen: Session, client_as: Client, clocks: Clocks
) -> None:
    session = frozen
    officer = client_as("grant_officer")
    clocks.funds(dt.datetime(2020, 11, 2, 9, 0, tzinfo=seeding.STOCKHOLM))
    seeding.submitted(session, seeding.requisition("20", DALARNA_NARA_VARD))
    session.commit()
    rows = tables(officer).table(DECISIONS)
    assert rows[0] == ["Överenskommelse", "Vad", "Sista dag"]
    assert [row[0] for row in rows if len(row) == 3][1:] == [  # newest agreement first
        "God och nära vård 2023 – en omställning av hälso- och sjukvården med primärvården som "
        "nav", "God och nära vård 2021 – En omställning av hälso- och sjukvården med "
        "primärvården som nav", GONV_2020]
    assert rows[-2:] == [
        [GONV_2020, f"Rekvisitioner att besluta om: 1, sammanlagt {kr(DALARNA_NARA_VARD)}.",
         "ingen sista dag"],
        ["Rader vars fördelning ännu inte är fastställd: 2 av 9.", "ingen sista dag"],
    ]
    assert "Mottagare med något försenat" not in officer.get("/").text  # nothing late yet
    row = funding_repo.requisitions_for(
        session, funding_repo.get_agreement(session, AGREEMENT).lines[0].id, "20")[0]  # type: ignore[union-attr]
    funding_repo.decide_requisition(session, row.id, True, "grant_officer",
                                    dt.datetime(2020, 11, 3, tzinfo=seeding.STOCKHOLM))
    session.commit()
    assert tables(officer).table(DECISIONS)[-2][1] == (
        f"Godkända rekvisitioner att betala ut: 1, sammanlagt {kr(DALARNA_NARA_VARD)}.")

    clocks.funds(dt.datetime(2020, 12, 2, 9, 0, tzinfo=seeding.STOCKHOLM))
    # every recipient with money left unrequisitioned once 2020-12-01 has passed
    stored = funding_repo.get_agreement(session, AGREEMENT)
    assert stored is not None
    lapsed = set()
    for li in stored.lines:
        run = funding_repo.current_run(session, li.id)
        for s in run.shares if run is not None else ():
            held = sum(r.amount_sek for r in funding_repo.requisitions_for(
                session, li.id, s.recipient_code) if r.status != funding_repo.REJECTED)
            if s.amount_sek > held:
                lapsed.add(s.recipient_code)
    first = tables(officer).table(DECISIONS)[1]  # the agreement with something late comes first
    assert first == [GONV_2020, "Mottagare med något försenat (förfallen rätt att rekvirera, "
                     "saknad eller sen ekonomisk redovisning, försenad återbetalning): "
                     f"{len(lapsed)}.", "sedan 2020-12-01"]
    page = officer.get("/").text
    assert f'href="/funding/agreements/{AGREEMENT}#late"' in page
    assert f'href="/funding/agreements/{AGREEMENT}#requisitions"' in page
    # once Dalarna is paid, its financial report is awaited by 2021-03-31
    funding_repo.record_payment(session, row.id, dt.date(2020, 12, 2), "KAMK-2",
                                "grant_officer")
    session.commit()
    rows = tables(officer).table(DECISIONS)
    assert ["Ekonomiska redovisningar som väntas från mottagare som fått utbetalningar: 1.",
            "2021-03-31 (119 dagar kvar)"] in rows
    assert f'href="/funding/agreements/{AGREEMENT}#report-reminders"' in officer.get("/").text


def test_tasks_are_ordered_late_first_then_by_day() -> None:
    day = dt.date(2024, 5, 1)
    tasks = [start_tasks.Task("a", "/", "B", day), start_tasks.Task("a", "/", "A", None),
             start_tasks.Task("a", "/", "C", day - dt.timedelta(days=9), late=True),
             start_tasks.Task("a", "/", "A", day)]
    assert [(t.title, t.day) for t in start_tasks.ordered(tasks)] == [
        ("C", dt.date(2024, 4, 22)), ("A", day), ("B", day), ("A", None)]
    assert [len(g) for g in start_tasks.grouped(tasks)] == [1, 1, 1, 1]
    assert [len(g) for g in start_tasks.grouped(sorted(tasks, key=lambda t: t.title))] == [2, 1, 1]
