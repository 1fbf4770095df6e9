"""One question across rounds: rounds found by stable key, each round's summary as a chart with
its table, every organisation's latest answer per round; staff only (both engines)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_across import across_rounds, keys_in_several_rounds
from naravard.storage.survey_tables import SurveyRound
from tests.surveys.conftest import Clock
from tests.surveys.rounds import COMPLETE, at, fake_receipt, make_round, response
from tests.surveys.test_survey_previous import next_year
from tests.surveys.test_survey_web import text_of

Client = Callable[[str | None], TestClient]


def submit(session: Session, r: SurveyRound, org: str, answers: dict[str, object],
           day: str) -> None:
    found = response(session, r, org)
    repo.save_answers(session, found, answers, actor="respondent", now=at(day))
    repo.submit(session, found, actor="respondent", actor_name="R", now=at(day), confirmed=(),
                render_receipt=fake_receipt)


def three_rounds(session: Session) -> None:
    """2024 (Halland 12 staff, Dalarna 20, both with a plan), 2025 of the same version (Halland
    16, Dalarna no plan), and 2026 of the next version (``staff`` a decimal there; Halland
    says 18,5)."""
    first = make_round(session, ("13", "20"), code="a-2024", interim=False)
    submit(session, first, "13", COMPLETE, "2024-03-01")
    submit(session, first, "20", {**COMPLETE, "staff": "20"}, "2024-03-02")
    second = make_round(session, ("13", "20"), code="b-2025", interim=False)
    submit(session, second, "13", {**COMPLETE, "staff": "16"}, "2024-03-03")
    submit(session, second, "20", {**{k: v for k, v in COMPLETE.items() if k != "plan_text"},
                                   "plan": "nej", "staff": "cannot_estimate"}, "2024-03-04")
    third = repo.create_round(
        session, next_year(), code="c-2026", title="Nästa version", respondents=["13"],
        opens_on=at("2024-01-15").date(), deadline=at("2025-03-31").date(), actor="analyst",
        now=at("2024-01-10"))
    repo.open_round(session, third, "analyst", at("2024-01-10"))
    submit(session, third, "13", {"plan2": "ja", "plan_text": "Plan.", "staff": "18,5",
                                  "areas": ["o1"], "grid": {"r01": {"count": "1"}},
                                  "final_only": "Ja."}, "2024-03-05")
    session.commit()


def test_rounds_by_key(session: Session) -> None:
    three_rounds(session)
    assert {"test.plan", "test.staff", "test.grid"} <= keys_in_several_rounds(session)
    assert "test.share.2025" not in keys_in_several_rounds(session)
    staff = across_rounds(session, "test.staff")
    assert staff is not None
    assert [(r.round.code, dict(r.answers)) for r in staff.rounds] == [
        ("a-2024", {"13": 12, "20": 20}), ("b-2025", {"13": 16, "20": "cannot_estimate"}),
        ("c-2026", {"13": "18.5"})]
    assert staff.organisations == (("13", "Region Halland"), ("20", "Region Dalarna"))
    assert staff.kind == "number"
    assert [r.round.code for r in staff.comparable()] == ["a-2024", "b-2025", "c-2026"]
    assert [(r.result.numbers.n, r.result.numbers.median, r.result.numbers.cannot_estimate)
            for r in staff.rounds if r.result.numbers] == [
        (2, Decimal(16), 0), (1, Decimal(16), 1), (1, Decimal("18.5"), 0)]
    plan = across_rounds(session, "test.plan")
    assert plan is not None and [r.item.name for r in plan.rounds] == ["plan", "plan", "plan2"]
    assert [[(o.name, o.count) for o in r.result.options] for r in plan.rounds] == [
        [("ja", 2), ("nej", 0)], [("ja", 1), ("nej", 1)], [("ja", 1), ("nej", 0)]]
    areas = across_rounds(session, "test.areas")
    assert areas is not None  # o3 is gone in the next version: not compared with it
    assert [r.round.code for r in areas.comparable()] == ["c-2026"]
    assert across_rounds(session, "no.such.key") is None


def test_staff_page_with_chart_and_tables(client_as: Client, clock: Clock,
                                          session: Session) -> None:
    three_rounds(session)
    analyst = client_as("analyst")
    page = analyst.get("/surveys/questions/test.staff?org=13")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert ("Samma fråga i omgångarna 2. Hur många medarbetare arbetar med omställningen? "
            "Frågenyckel: test.staff") in shown
    assert "Testomgång 2024 a-2024 2025-03-31 2. Hur många medarbetare arbetar med " \
           "omställningen? 2 av 2" in shown
    assert ("Median: a-2024 16, b-2025 16, c-2026 18,5; Region Halland: a-2024 12, b-2025 16, "
            "c-2026 18,5") in shown  # the chart's text alternative
    assert page.text.count('role="img"') == 1
    assert ("Numeriska svar per omgång Omgång n Minsta Median Största Kan inte uppskattas "
            "a-2024 2 12 16 20 0 b-2025 1 16 16 16 1 c-2026 1 18,5 18,5 18,5 0") in shown
    assert ("Region Dalarna 20 Antalet kan inte uppskattas –") in shown
    assert "Region Halland 12 16 18,5" in shown
    plan = text_of(analyst.get("/surveys/questions/test.plan").text)
    assert ("Svar per omgång: antal och andel av n Svar a-2024 b-2025 c-2026 Ja 2 (100,0 %) "
            "1 (50,0 %) 1 (100,0 %) Nej 0 (0,0 %) 1 (50,0 %) 0 (0,0 %) n 2 2 1") in \
        plan.replace("\u202f", " ")
    assert "Ja: a-2024 100,0, b-2025 50,0, c-2026 100,0; Nej: a-2024 0,0" in plan
    areas = text_of(analyst.get("/surveys/questions/test.areas").text)
    assert "Ett diagram kräver frågan i minst två omgångar, ställd på samma sätt." in areas
    assert "ingår inte i sammanfattningen" in areas
    first = session.scalars(select(SurveyRound).where(SurveyRound.code == "c-2026")).one()
    results = analyst.get(f"/surveys/rounds/{first.id}/results").text
    assert '<a href="/surveys/questions/test.staff">Samma fråga i andra omgångar</a>' in results
    assert 'href="/surveys/questions/test.share.2025"' not in results  # asked in this round only
    assert analyst.get("/surveys/questions/no.such.key").status_code == 404
    assert client_as("respondent").get("/surveys/questions/test.staff").status_code == 403
