"""Reminders by e-mail to the respondents who owe a report: from the round's page and from
``naravard round remind``, through a real SMTP server, audited; nothing is sent twice to one
organisation in one reminder, nobody without a report due is written to (both engines)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard.accounts.roles import Role
from naravard.cli.main import app as cli
from naravard.storage import survey_repo as repo
from naravard.storage import users_repo
from naravard.storage.models import AuditEvent, User
from naravard.storage.survey_tables import SurveyResponse, SurveyRound
from naravard.web.surveys_reminders import reminders_due
from tests.smtp import SmtpSink
from tests.surveys.conftest import Clock
from tests.surveys.rounds import AFTER, COMPLETE, DURING, at, fake_receipt, make_round, response
from tests.surveys.test_survey_web import text_of
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]
INTERIM_ANSWERS = {k: v for k, v in COMPLETE.items() if k != "final_only"}


@pytest.fixture
def addressed(session: Session) -> SurveyRound:
    """The test round for Halland and Dalarna; Halland has two active respondents with an
    address (and one disabled), Dalarna none."""
    r = make_round(session, ("13", "20"))
    session.scalars(select(User).where(User.username == "respondent")).one().email = \
        "helena@example.se"
    users_repo.create_user(session, "second", "second-password-123", Role.RESPONDENT, "13",
                           email="second@example.se")
    gone = users_repo.create_user(session, "gone", "gone-password-1234", Role.RESPONDENT, "13",
                                  email="gone@example.se")
    gone.is_active = False
    session.commit()
    return r


def smtp_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("NARAVARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NARAVARD_SMTP_PORT", str(port))
    monkeypatch.setenv("NARAVARD_SMTP_SENDER", "nara@example.se")


def command_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path, port: int) -> None:
    """The command's database and mail server."""
    monkeypatch.setenv("NARAVARD_DATABASE_URL", db_url)
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "data"))
    smtp_env(monkeypatch, port)


def events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def test_round_page_reminds_those_who_owe_the_report(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_env(monkeypatch, smtp_sink.port)
    analyst = client_as("analyst")
    url = f"/surveys/rounds/{addressed.id}"
    page = text_of(analyst.get(url).text)
    assert ("2 uppgiftslämnare har kvar att lämna in den redovisning som nu ska in (inte inlämnad "
            "ännu, eller öppnad igen för en ny version). Ingen av deras uppgiftslämnare har en "
            "e-postadress, så en påminnelse når dem inte: Region Dalarna.") in page
    sent = analyst.post(f"{url}/remind", data={"csrf_token": CSRF})
    assert (sent.status_code, sent.headers["location"]) == (
        303, f"{url}?notice=reminded#remind")
    assert len(smtp_sink.messages) == 1  # one per organisation with an address
    message = smtp_sink.messages[0]
    assert message["To"] == "helena@example.se, second@example.se"
    assert message["From"] == "nara@example.se"
    assert message["Subject"] == "Påminnelse: Testenkät för regioner, sista dag 2024-09-30"
    halland = response(session, addressed, "13").id
    assert message.get_content().replace("\r\n", "\n") == (
        "Region Halland har ännu inte lämnat in delredovisningen för Testenkät för regioner "
        "(omgång test-2024).\n\n"
        "Sista dagen är 2024-09-30 (till midnatt, svensk tid).\n\n"
        f"Svara här: http://testserver/surveys/responses/{halland}\n\n"
        "Påminnelsen skickades av Nära till uppgiftslämnarna för Region Halland. Har "
        "redovisningen lämnats in sedan dess behövs inget mer.\n")
    shown = text_of(analyst.get(f"{url}?notice=reminded").text)
    assert "Påminnelserna är skickade; utfallet står nedan." in shown
    assert ("Senaste påminnelsen 2024-02-01 10:00 av analyst till 2 organisationer: 1 skickade, "
            "1 utan e-postadress, 0 inte skickade eftersom ingen e-postserver är inställd, 0 "
            "misslyckades. Nåddes inte: 20.") in shown
    per_org = events(session, "survey.reminder")
    assert [(e.organisation_code, e.details["outcome"], e.details["recipients"])
            for e in per_org] == [("13", "sent", 2), ("20", "no_address", 0)]
    whole = events(session, "survey.round.remind")
    assert len(whole) == 1 and whole[0].actor == "analyst"
    assert {k: whole[0].details[k] for k in ("organisations", "sent", "no_address", "failed")} \
        == {"organisations": 2, "sent": 1, "no_address": 1, "failed": 0}
    assert "example.se" not in str([e.details for e in per_org + whole])  # no addresses kept


def test_only_the_report_now_due_and_late_after_the_deadline(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_env(monkeypatch, smtp_sink.port)
    halland = response(session, addressed, "13")
    repo.save_answers(session, halland, INTERIM_ANSWERS, actor="respondent", now=DURING)
    repo.submit(session, halland, actor="respondent", actor_name="R", now=DURING, confirmed=(),
                render_receipt=fake_receipt)
    dalarna = response(session, addressed, "20")
    dalarna_user = session.scalars(select(User).where(User.username == "foreign")).one()
    dalarna_user.email = "dagny@example.se"
    session.commit()
    analyst = client_as("analyst")
    analyst.post(f"/surveys/rounds/{addressed.id}/remind", data={"csrf_token": CSRF})
    assert [m["To"] for m in smtp_sink.messages] == ["dagny@example.se"]  # Halland is done
    clock.now = AFTER  # the final report was due 2025-03-31; nobody has submitted it
    analyst.post(f"/surveys/rounds/{addressed.id}/remind", data={"csrf_token": CSRF})
    late = smtp_sink.messages[1:]
    assert [m["To"] for m in late] == ["helena@example.se, second@example.se",
                                       "dagny@example.se"]
    assert late[0]["Subject"] == "Försenad: Testenkät för regioner, sista dagen var 2025-03-31"
    body = late[1].get_content().replace("\r\n", "\n")
    assert "Region Dalarna har ännu inte lämnat in redovisningen för" in body
    assert ("Sista dagen var 2025-03-31. Kontakta uppföljningsmyndigheten, som kan öppna enkäten "
            f"igen för er.\n\nSvara här: http://testserver/surveys/responses/{dalarna.id}") in body


def test_nothing_owed_is_refused_and_no_server_loses_nothing(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NARAVARD_SMTP_HOST", raising=False)
    analyst = client_as("analyst")
    url = f"/surveys/rounds/{addressed.id}"
    analyst.post(f"{url}/remind", data={"csrf_token": CSRF})
    assert [e.details["outcome"] for e in events(session, "survey.reminder")] == [
        "no_server", "no_address"]
    assert ("2 organisationer: 0 skickade, 1 utan e-postadress, 1 inte skickade eftersom ingen "
            "e-postserver är inställd, 0 misslyckades. Nåddes inte: 13, 20.") in text_of(
        analyst.get(url).text)
    repo.close_round(session, addressed, "analyst", DURING)
    session.commit()
    refused = analyst.post(f"{url}/remind", data={"csrf_token": CSRF})
    assert refused.status_code == 409
    assert "Ingen uppgiftslämnare har en redovisning att lämna just nu; ingen påminnelse " \
           "skickades." in text_of(refused.text)
    assert len(events(session, "survey.round.remind")) == 1
    # a respondent may not send reminders; a post without the CSRF token changes nothing
    assert client_as("respondent").post(f"{url}/remind",
                                        data={"csrf_token": CSRF}).status_code == 403
    assert analyst.post(f"{url}/remind", data={}).status_code == 403
    assert len(events(session, "survey.round.remind")) == 1


def test_a_failing_server_is_recorded(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    smtp_env(monkeypatch, closed)
    client_as("analyst").post(f"/surveys/rounds/{addressed.id}/remind",
                              data={"csrf_token": CSRF})
    failed = events(session, "survey.reminder")[0]
    assert failed.details["outcome"] == "failed"
    assert f"sending mail via 127.0.0.1:{closed} failed" in failed.details["error"]


runner = CliRunner()


def test_command_lists_then_sends(
    session: Session, addressed: SurveyRound, smtp_sink: SmtpSink, db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command_env(monkeypatch, db_url, tmp_path, smtp_sink.port)
    addressed.deadline = at("2099-12-31").date()
    addressed.interim_deadline = None
    session.commit()
    dry = runner.invoke(cli, ["round", "remind", "test-2024", "--site", "https://nara.example.se/",
                              "--dry-run"])
    assert dry.exit_code == 0, dry.stdout
    lines = [line for line in dry.stdout.splitlines() if "Region" in line]
    assert "would be sent" in lines[0] and "Region Halland (13)" in lines[0]
    assert "2099-12-31" in lines[0] and "no_address" in lines[1]
    assert "test-2024: 2 organisations owe a report" in dry.stdout
    assert smtp_sink.messages == [] and events(session, "survey.reminder") == []
    sent = runner.invoke(cli, ["round", "remind", "test-2024", "--site",
                               "https://nara.example.se/", "--lang", "en"])
    assert sent.exit_code == 0, sent.stdout
    assert "test-2024: 2 organisations owe a report; 1 reminded by e-mail" in sent.stdout
    message = smtp_sink.messages[0]
    assert message["Subject"] == "Reminder: Test questionnaire for regions, last day 2099-12-31"
    assert "https://nara.example.se/surveys/responses/" in message.get_content()
    assert [e.actor for e in events(session, "survey.round.remind")] == ["cli"]
    bad = runner.invoke(cli, ["round", "remind", "test-2024", "--site", "x", "--lang", "de"])
    assert bad.exit_code == 1 and "--lang must be sv or en" in bad.stderr


def test_one_connection_for_the_whole_reminder_and_a_refusal_reaches_the_others(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_env(monkeypatch, smtp_sink.port)
    make_round(session, ("13", "20", "17", "14"), code="many-2024")
    session.scalars(select(User).where(User.username == "foreign")).one().email = \
        "dalarna@example.se"
    for org, address in (("17", "varmland@example.se"), ("14", "vg@example.se")):
        users_repo.create_user(session, f"user{org}", "a-password-1234567", Role.RESPONDENT, org,
                               email=address)
    session.commit()
    smtp_sink.refused = {"varmland@example.se"}
    many = session.scalars(select(SurveyRound).where(SurveyRound.code == "many-2024")).one()
    client_as("analyst").post(f"/surveys/rounds/{many.id}/remind", data={"csrf_token": CSRF})
    assert [m["To"] for m in smtp_sink.messages] == [
        "helena@example.se, second@example.se", "vg@example.se", "dalarna@example.se"]
    assert len(set(smtp_sink.peers)) == 2  # one connection, opened again after the refusal
    outcomes = {e.organisation_code: e.details["outcome"] for e in events(
        session, "survey.reminder")}
    assert outcomes == {"13": "sent", "14": "sent", "17": "failed", "20": "sent"}


def final_report_in(session: Session, r: SurveyRound, clock: Clock) -> SurveyResponse:
    """Halland submits its final report on 2024-11-02; the clock moves to the day after."""
    halland = response(session, r, "13")
    repo.save_answers(session, halland, COMPLETE, actor="respondent", now=at("2024-11-02"))
    repo.submit(session, halland, actor="respondent", actor_name="R", now=at("2024-11-02"),
                confirmed=(), render_receipt=fake_receipt)
    session.commit()
    clock.now = at("2024-11-03")
    return halland


def test_a_respondent_reopened_after_submitting_is_reminded_of_the_new_version(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_env(monkeypatch, smtp_sink.port)
    halland = final_report_in(session, addressed, clock)
    assert [r.organisation_code for r in reminders_due(session, addressed, clock.now)] == ["20"]
    repo.reopen(session, addressed, "13", reason="Fråga 3 ska gälla hela länet",
                deadline=at("2024-12-15").date(), actor="analyst", now=clock.now)
    session.commit()
    client_as("analyst").post(f"/surveys/rounds/{addressed.id}/remind", data={"csrf_token": CSRF})
    body = smtp_sink.messages[0].get_content().replace("\r\n", "\n")
    assert body.startswith(
        "Testenkät för regioner (omgång test-2024) har öppnats igen för Region Halland: Fråga 3 "
        "ska gälla hela länet. Lämna in de ändrade svaren som en ny version.\n\nSista dagen är "
        "2024-12-15 (till midnatt, svensk tid).")
    # a new version ends it
    clock.now = at("2024-11-04")
    repo.submit(session, halland, actor="respondent", actor_name="R", now=clock.now,
                confirmed=(), render_receipt=fake_receipt)
    session.commit()
    session.expire_all()  # as a new request would read it
    assert [r.organisation_code for r in reminders_due(session, addressed, clock.now)] == ["20"]


def test_reopening_can_tell_the_respondents(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path,
) -> None:
    smtp_env(monkeypatch, smtp_sink.port)
    final_report_in(session, addressed, clock)
    analyst = client_as("analyst")
    form = analyst.get(f"/surveys/rounds/{addressed.id}").text
    assert 'name="notify" value="yes" checked' in form  # on unless unticked
    sent = analyst.post(f"/surveys/rounds/{addressed.id}/reopen", data={
        "csrf_token": CSRF, "organisation": "13", "reason": "Komplettera fråga 3",
        "deadline": "2024-12-15", "notify": "yes"})
    assert sent.status_code == 303
    assert [m["To"] for m in smtp_sink.messages] == ["helena@example.se, second@example.se"]
    assert ("har öppnats igen för Region Halland: Komplettera fråga 3. Lämna in de ändrade "
            "svaren som en ny version.") in smtp_sink.messages[0].get_content()
    # without the box ticked nobody is written to (Dalarna has no address anyway)
    analyst.post(f"/surveys/rounds/{addressed.id}/reopen", data={
        "csrf_token": CSRF, "organisation": "13", "reason": "Igen", "deadline": "2024-12-20"})
    assert len(smtp_sink.messages) == 1
    # the command's --notify
    monkeypatch.setenv("NARAVARD_DATABASE_URL", db_url)
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(cli, ["round", "reopen", "test-2024", "--org", "13", "--reason",
                                 "Tredje gången", "--deadline", "2099-12-31", "--notify",
                                 "https://nara.example.se"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == ("13 may change its answers to test-2024 until 2099-12-31. "
                                     "E-mail to its respondents: sent.")
    assert "Tredje gången" in smtp_sink.messages[1].get_content()


def test_command_without_a_round_reminds_those_due_soon(
    session: Session, addressed: SurveyRound, smtp_sink: SmtpSink, db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command_env(monkeypatch, db_url, tmp_path, smtp_sink.port)
    make_round(session, ("13",), code="later-2024", interim=False)  # due 2025-03-31
    session.commit()

    def run_at(moment: str, *extra: str) -> str:
        monkeypatch.setattr("naravard.cli.surveys._now", lambda: at(moment))
        result = runner.invoke(cli, ["round", "remind", "--site", "https://nara.example.se",
                                     *extra])
        assert result.exit_code == 0, result.stdout
        return result.stdout

    # 2024-09-25: the interim report of test-2024 is due in 5 days, later-2024 in half a year
    out = run_at("2024-09-25")
    assert "test-2024: 2 organisations owe a report; 1 reminded by e-mail" in out
    assert "later-2024" not in out
    assert [m["Subject"] for m in smtp_sink.messages] == [
        "Påminnelse: Testenkät för regioner, sista dag 2024-09-30"]
    # the next day: reminded a day ago, so not again
    assert "nothing to send" in run_at("2024-09-26")
    # once the interim deadline has passed nothing is due within a week
    assert "nothing to send" in run_at("2024-10-03")
    # looking half a year ahead, both rounds (test-2024 last reminded eight days ago)
    wide = run_at("2024-10-03", "--due-within", "200", "--dry-run")
    assert "test-2024: 2 organisations owe a report" in wide
    assert "later-2024: 1 organisation owes a report" in wide
    assert len(smtp_sink.messages) == 1


def test_opening_a_round_can_invite_the_respondents(
    client_as: Client, clock: Clock, session: Session, addressed: SurveyRound,
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path,
) -> None:
    smtp_env(monkeypatch, smtp_sink.port)
    planned = make_round(session, ("13", "20"), code="planned-2024", open_it=False)
    quiet = make_round(session, ("13",), code="quiet-2024", open_it=False)
    session.commit()
    analyst = client_as("analyst")
    page = analyst.get(f"/surveys/rounds/{planned.id}").text
    assert 'name="notify" value="yes" checked' in page
    opened = analyst.post(f"/surveys/rounds/{planned.id}/open",
                          data={"csrf_token": CSRF, "notify": "yes"})
    assert opened.status_code == 303
    assert [m["To"] for m in smtp_sink.messages] == ["helena@example.se, second@example.se"]
    message = smtp_sink.messages[0]
    assert message["Subject"] == "Enkät att besvara: Testenkät för regioner, sista dag 2024-09-30"
    assert message.get_content().replace("\r\n", "\n").startswith(
        "Region Halland ombeds besvara Testenkät för regioner (omgång planned-2024), öppen för "
        "svar från 2024-01-15.\n\nSista dagen är 2024-09-30 (till midnatt, svensk tid).")
    shown = text_of(analyst.get(f"/surveys/rounds/{planned.id}").text)
    assert ("Inbjudan när omgången öppnades 2024-02-01 10:00 av analyst, till 2 organisationer: "
            "1 skickade, 1 utan e-postadress") in shown
    assert "Senaste påminnelsen" not in shown  # an invitation is not a reminder
    assert [e.details["kind"] for e in events(session, "survey.reminder")] == [
        "invitation", "invitation"]
    # without the box ticked, nobody is written to
    analyst.post(f"/surveys/rounds/{quiet.id}/open", data={"csrf_token": CSRF})
    assert len(smtp_sink.messages) == 1
    # the command's --notify
    session.expire_all()  # the page opened it
    repo.close_round(session, quiet, "analyst", DURING)
    session.commit()
    command_env(monkeypatch, db_url, tmp_path, smtp_sink.port)
    result = runner.invoke(cli, ["round", "open", "quiet-2024", "--notify",
                                 "https://nara.example.se"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == ("Round quiet-2024 is open. Invitations e-mailed to 1 of 1 "
                                     "organisations.")
    assert "https://nara.example.se/surveys/responses/" in smtp_sink.messages[1].get_content()
