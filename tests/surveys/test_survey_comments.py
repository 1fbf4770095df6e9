"""Return for correction: comments on a submitted version's questions, the respondent's replies
beside them, the new version that answers them; refusals store nothing, everything typed is kept
(both engines)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard.cli.main import app as cli
from naravard.storage import survey_comments as comments
from naravard.storage import survey_repo as repo
from naravard.storage.models import AuditEvent
from naravard.storage.survey_tables import SurveyComment, SurveyResponse, SurveyRound
from tests.smtp import SmtpSink
from tests.surveys.conftest import Clock
from tests.surveys.rounds import fake_receipt, response
from tests.surveys.test_survey_reminders import (  # noqa: F401 (fixture)
    addressed,
    final_report_in,
    smtp_env,
)
from tests.surveys.test_survey_web import fresh, post_page, text_of
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]
NEW_DAY = dt.date(2024, 12, 15)


def actions(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def returned(session: Session, r: SurveyRound, now: dt.datetime) -> list[SurveyComment]:
    made = comments.return_for_correction(
        session, r, "13", {"staff": "Stämmer 12 medarbetare?", "grid": "Räkna om rad 2.",
                           "plan": "   "},
        reason="Svaren behöver kompletteras", deadline=NEW_DAY, actor="analyst", now=now)
    session.commit()
    return made


def test_comments_reopen_and_are_answered_by_the_next_version(
        clock: Clock, session: Session, addressed: SurveyRound) -> None:  # noqa: F811
    halland = final_report_in(session, addressed, clock)
    made = returned(session, addressed, clock.now)
    assert [(c.name, c.text, c.version) for c in made] == [
        ("staff", "Stämmer 12 medarbetare?", 1), ("grid", "Räkna om rad 2.", 1)]  # blank left out
    halland = fresh(session, halland.id)
    assert (halland.deadline_override, halland.reopen_reason) == (NEW_DAY, "Svaren behöver "
                                                                  "kompletteras")
    assert repo.owes_report(halland, clock.now)
    assert [c.name for c in comments.open_comments(halland)] == ["staff", "grid"]
    [event] = actions(session, "survey.return")
    assert (event.details["questions"], event.details["version"]) == (["grid", "staff"], 1)
    # replies: stored, unchanged text changes nothing, blank removes
    staff = made[0]
    assert comments.save_replies(session, halland, {staff.id: " Ja, 12 stämmer. "},
                                 actor="respondent", now=clock.now) == [staff.id]
    assert comments.save_replies(session, halland, {staff.id: "Ja, 12 stämmer."},
                                 actor="respondent", now=clock.now) == []
    session.commit()
    assert [c.reply for c in comments.unanswered(halland)] == [""]  # grid has none
    assert len(actions(session, "survey.comment.reply")) == 1
    # the next version answers them
    halland = fresh(session, halland.id)
    repo.save_answers(session, halland, {"staff": "14"}, actor="respondent", now=clock.now)
    repo.submit(session, halland, actor="respondent", actor_name="R", now=clock.now,
                confirmed=(), render_receipt=fake_receipt)
    session.commit()
    halland = fresh(session, halland.id)
    assert comments.open_comments(halland) == []
    assert not repo.owes_report(halland, clock.now)
    assert [(a.comment.name, a.before, a.after, a.changed)
            for a in comments.answered_by(halland, 2)] == [
        ("staff", 12, 14, True),
        ("grid", {"r01": {"count": 3}, "r02": {"count": 0}},
         {"r01": {"count": 3}, "r02": {"count": 0}}, False)]
    assert comments.answered_by(halland, 1) == []
    with pytest.raises(repo.SurveyError, match="not open for a reply"):
        comments.save_replies(session, halland, {staff.id: "Sent"}, actor="respondent",
                              now=clock.now)


@pytest.mark.parametrize(("org", "given", "deadline", "message"), [
    ("20", {"staff": "Varför?"}, NEW_DAY, "has submitted nothing"),
    ("13", {"staff": "Varför?", "nosuch": "x"}, NEW_DAY, "No question nosuch"),
    ("13", {"staff": " "}, NEW_DAY, "at least one question"),
    ("13", {"staff": "x" * 4001}, NEW_DAY, "at most 4000 characters"),
    ("13", {"staff": "Varför?"}, dt.date(2024, 11, 2), "has already passed"),
])
def test_refused_returns_store_nothing(
        clock: Clock, session: Session, addressed: SurveyRound,  # noqa: F811
        org: str, given: dict[str, str], deadline: dt.date, message: str) -> None:
    final_report_in(session, addressed, clock)
    with pytest.raises(repo.SurveyError) as refused:
        comments.return_for_correction(session, addressed, org, given, reason="Skäl",
                                       deadline=deadline, actor="analyst", now=clock.now)
    assert message in refused.value.msgid % refused.value.params
    session.rollback()
    assert session.scalars(select(SurveyComment)).all() == []
    assert all(r.deadline_override is None
               for r in session.scalars(select(SurveyResponse)).all())
    assert actions(session, "survey.return") == []


def test_analyst_returns_and_respondent_replies_in_the_form(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,  # noqa: F811
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_env(monkeypatch, smtp_sink.port)
    rid = final_report_in(session, addressed, clock).id
    analyst, respondent = client_as("analyst"), client_as("respondent")
    version = analyst.get(f"/surveys/responses/{rid}/submissions/1").text
    assert f'href="/surveys/responses/{rid}/return">Återsänd för komplettering' in version
    assert "Återsänd för komplettering" not in respondent.get(
        f"/surveys/responses/{rid}/submissions/1").text
    form = analyst.get(f"/surveys/responses/{rid}/return")
    assert form.status_code == 200
    page = text_of(form.text)
    assert ("Hur många medarbetare arbetar med omställningen? 12 Kommentar till "
            "uppgiftslämnaren om frågan") in page
    assert "Hur stor andel av vårdcentralerna deltar? 58,4 %" in page
    assert 'name="deadline" type="date" value="2024-11-17"' in form.text  # 14 days on
    # a bad date: nothing sent, every comment kept as typed
    typed = {"csrf_token": CSRF, "c.staff": "Stämmer <b>12</b>?", "c.grid": "Rad 2?",
             "c.share": "", "reason": "Komplettera", "deadline": "15/12", "notify": "yes"}
    refused = analyst.post(f"/surveys/responses/{rid}/return", data=typed)
    assert refused.status_code == 422
    assert "Ange datumen som ÅÅÅÅ-MM-DD." in text_of(refused.text)
    assert ">Stämmer &lt;b&gt;12&lt;/b&gt;?</textarea>" in refused.text
    assert ">Rad 2?</textarea>" in refused.text and 'value="15/12"' in refused.text
    assert smtp_sink.messages == [] and session.scalars(select(SurveyComment)).all() == []
    sent = analyst.post(f"/surveys/responses/{rid}/return", data={**typed,
                                                                  "deadline": "2024-12-15"})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/surveys/responses/{rid}?notice=returned"
    [mail] = smtp_sink.messages
    assert mail["To"] == "helena@example.se, second@example.se"
    body = mail.get_content().replace("\r\n", "\n")
    assert ("har öppnats igen för Region Halland: Komplettera. Lämna in de ändrade svaren som en "
            "ny version.\n\nUppföljningsmyndighetens kommentarer, som visas vid frågorna:\n"
            "- 2. Hur många medarbetare arbetar med omställningen?: Stämmer <b>12</b>?\n"
            "- 5. Antal enheter per kategori: Rad 2?\n\nSista dagen är 2024-12-15") in body
    round_page = text_of(analyst.get(f"/surveys/rounds/{addressed.id}").text)
    assert "Region Halland 13 Inlämnad återsänd för komplettering, öppna kommentarer: 2" \
        in round_page
    status = analyst.get(f"/surveys/rounds/{addressed.id}/status.csv").text.splitlines()
    assert status[0].endswith(",reopened,open_comments")
    assert status[1].endswith(",2024-12-15,yes,2") and status[2].endswith(",no,0")
    # the respondent: start page, response page, the question's page
    start = text_of(respondent.get("/").text)
    assert "Öppnad igen för en ny version: Komplettera. 2 kommentarer vid frågorna" in start
    overview = html.unescape(text_of(respondent.get(f"/surveys/responses/{rid}").text))
    assert ("Svaren har återsänts för komplettering (kommentarer: 2): ändra de svar det gäller"
            ) in overview
    assert ("2. Hur många medarbetare arbetar med omställningen? Stämmer <b>12</b>? "
            "(2024-11-03 10:00, på version 1) Inget svar ännu Väntar på en ny version") in overview
    staff_page = respondent.get(f"/surveys/responses/{rid}/pages/2").text
    assert "Stämmer &lt;b&gt;12&lt;/b&gt;?" in staff_page and "<b>12</b>" not in staff_page
    [staff, grid] = fresh(session, rid).comments
    assert f'name="reply.{staff.id}"' in staff_page
    assert f'name="reply.{grid.id}"' not in staff_page  # the table is on page 3
    # a reply that cannot be stored: nothing stored, the typed answer and reply shown again
    bad = post_page(respondent, rid, 2, {"q.plan": "ja", "q.plan_text": "En plan för 2024.",
                                         "q.staff": "14", f"reply.{staff.id}": "Nu 14.",
                                         "reply.999999": "?"})
    assert bad.status_code == 409
    assert ">Nu 14.</textarea>" in bad.text and 'value="14"' in bad.text
    kept = fresh(session, rid)
    assert kept.draft["staff"] == "12" and kept.comments[0].reply == ""
    saved = post_page(respondent, rid, 2, {"q.plan": "ja", "q.plan_text": "En plan för 2024.",
                                           "q.staff": "14", f"reply.{staff.id}": "Nu 14."})
    assert saved.status_code == 303
    assert fresh(session, rid).comments[0].reply == "Nu 14."
    assert fresh(session, rid).draft["staff"] == "14"
    summary = html.unescape(text_of(respondent.get(f"/surveys/responses/{rid}/summary").text))
    assert "Kommentarer från uppföljningsmyndigheten (2)" in summary
    assert "Nu 14. Väntar på en ny version" in summary
    # a new version answers them; analysts read what changed
    done = respondent.post(f"/surveys/responses/{rid}/submit", data={"csrf_token": CSRF})
    assert done.status_code == 303
    v2 = html.unescape(text_of(analyst.get(f"/surveys/responses/{rid}/submissions/2").text))
    assert ("Kommentarer på version 1 och hur denna version besvarar dem Fråga Kommentar Svar "
            "Svar före Svar nu 2. Hur många medarbetare arbetar med omställningen? Stämmer "
            "<b>12</b>? Nu 14. 12 14 5. Antal enheter per kategori Rad 2? – ") in v2
    assert "oförändrat" in v2
    assert "Besvarad i version 2" in text_of(respondent.get(f"/surveys/responses/{rid}").text)
    assert "öppna kommentarer" not in text_of(analyst.get(f"/surveys/rounds/{addressed.id}").text)
    assert "kommentarer vid frågorna" not in text_of(respondent.get("/").text)
    assert "Nu 14. Besvarad i version 2" in text_of(analyst.get(f"/surveys/responses/{rid}").text)


def test_return_needs_a_submission_and_a_manager(
        client_as: Client, clock: Clock, session: Session,
        addressed: SurveyRound) -> None:  # noqa: F811
    final_report_in(session, addressed, clock)
    dalarna = response(session, addressed, "20").id
    halland = response(session, addressed, "13").id
    analyst = client_as("analyst")
    assert analyst.get(f"/surveys/responses/{dalarna}/return").status_code == 404
    assert "Återsänd för komplettering" not in analyst.get(f"/surveys/responses/{dalarna}").text
    assert client_as("respondent").get(f"/surveys/responses/{halland}/return").status_code == 403
    assert client_as("grant_officer").post(f"/surveys/responses/{halland}/return", data={
        "csrf_token": CSRF, "c.staff": "x", "reason": "x",
        "deadline": "2024-12-15"}).status_code == 403
    nothing = analyst.post(f"/surveys/responses/{halland}/return", data={
        "csrf_token": CSRF, "c.staff": " ", "reason": "Skäl", "deadline": "2024-12-15"})
    assert nothing.status_code == 422
    assert "Skriv en kommentar till minst en fråga." in text_of(nothing.text)
    assert 'name="notify" value="yes">' in nothing.text  # unticked stays unticked
    assert analyst.post(f"/surveys/responses/{halland}/return", data={
        "c.staff": "x", "reason": "x", "deadline": "2024-12-15"}).status_code == 403  # no CSRF


runner = CliRunner()


def test_command_returns_with_comments(
        clock: Clock, session: Session, addressed: SurveyRound,  # noqa: F811
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    final_report_in(session, addressed, clock)
    monkeypatch.setenv("NARAVARD_DATABASE_URL", db_url)
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "data"))
    base = ["round", "reopen", "test-2024", "--org", "13", "--reason", "Komplettera",
            "--deadline", "2099-12-31"]
    bad = runner.invoke(cli, [*base, "--comment", "staff"])
    assert bad.exit_code == 2
    assert "Write --comment as QUESTION=TEXT" in bad.output
    done = runner.invoke(cli, [*base, "--comment", "staff=Stämmer antalet?", "--comment",
                               "share=Gäller andelen 2024?", "--comment", "staff=Och 2023?"])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == ("13 may change its answers to test-2024 until 2099-12-31. "
                                   "Returned for correction with 2 comments.")
    session.expire_all()
    assert [(c.name, c.text, c.created_by) for c in session.scalars(
        select(SurveyComment).order_by(SurveyComment.id))] == [
        ("staff", "Stämmer antalet?\nOch 2023?", "cli"), ("share", "Gäller andelen 2024?", "cli")]
    unknown = runner.invoke(cli, [*base, "--comment", "nosuch=x"])
    assert unknown.exit_code != 0
    assert "nosuch" in unknown.output
