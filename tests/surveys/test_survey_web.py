"""Answering in the web form: nothing typed is lost, deadlines lock, submission with receipt and
e-mail, the personal-data guard, versions, access and the analyst's views (both engines)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.models import AuditEvent, User, WebSession, utcnow
from naravard.storage.survey_tables import SurveyResponse, SurveySubmission
from tests.conftest import USERS
from tests.smtp import SmtpSink
from tests.surveys.conftest import Clock
from tests.surveys.rounds import AFTER, COMPLETE, at, make_round, response
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]


def text_of(html: str) -> str:
    """The visible text of ``<main>``, whitespace collapsed."""
    main = html[html.find("<main"):html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def post_page(c: TestClient, rid: int, page: int, fields: dict[str, object],
              action: str = "save") -> httpx.Response:
    data: dict[str, object] = {"csrf_token": CSRF, "action": action, **fields}
    listed = {k.split(".")[1] for k in fields if k.startswith(("q.", "t.", "ce."))}
    data["fields"] = sorted(listed)
    return c.post(f"/surveys/responses/{rid}/pages/{page}", data=data)


def fresh(session: Session, rid: int) -> SurveyResponse:
    session.expire_all()
    found = session.get(SurveyResponse, rid)
    assert found is not None
    return found


@pytest.fixture
def halland(session: Session) -> int:
    """The open test round (no interim report); returns Region Halland's response id."""
    r = make_round(session, interim=False)
    rid = response(session, r).id
    session.commit()
    return rid


# --- answering: nothing is lost ----------------------------------------------------------------


def test_invalid_field_keeps_every_other_answer(client_as: Client, clock: Clock,
                                                session: Session, halland: int) -> None:
    c = client_as("respondent")
    sent = post_page(c, halland, 2, {"q.plan": "ja", "q.staff": "tolv"}, action="next")
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/surveys/responses/{halland}/pages/2?notice=errors"
    assert fresh(session, halland).draft == {"plan": "ja", "staff": "tolv"}
    page = c.get(f"/surveys/responses/{halland}/pages/2").text
    assert 'value="tolv" aria-invalid="true" aria-describedby="err-f-staff"' in page
    assert '<a href="#f-staff">2. Hur många medarbetare arbetar med omställningen?: Ange ett ' \
           'heltal, till exempel 12.</a>' in page
    assert 'id="f-plan-ja" name="q.plan" type="radio" value="ja" checked' in page
    # the follow-up appeared because plan = ja
    assert 'name="q.plan_text"' in page
    assert "Det finns 1 fel på sidan" in text_of(page)


def test_next_stays_when_new_questions_appear_and_moves_on_otherwise(
        client_as: Client, clock: Clock, halland: int) -> None:
    c = client_as("respondent")
    sent = post_page(c, halland, 2, {"q.plan": "ja", "q.staff": "12"}, action="next")
    assert sent.headers["location"].endswith("/pages/2?notice=new_questions")
    sent = post_page(c, halland, 2, {"q.plan": "ja", "q.plan_text": "Plan", "q.staff": "12"},
                     action="next")
    assert sent.headers["location"] == f"/surveys/responses/{halland}/pages/3"
    sent = post_page(c, halland, 3, {"q.share": "5"}, action="prev")
    assert sent.headers["location"] == f"/surveys/responses/{halland}/pages/2"
    sent = post_page(c, halland, 3, {"q.share": "5"}, action="goto:1")
    assert sent.headers["location"] == f"/surveys/responses/{halland}/pages/1"
    sent = post_page(c, halland, 3, {"q.share": "5"}, action="summary")
    assert sent.headers["location"] == f"/surveys/responses/{halland}/summary"


def test_irrelevant_answer_is_hidden_but_kept(client_as: Client, clock: Clock, session: Session,
                                              halland: int) -> None:
    c = client_as("respondent")
    post_page(c, halland, 2, {"q.plan": "ja", "q.plan_text": "Vår plan", "q.staff": "3"})
    post_page(c, halland, 2, {"q.plan": "nej", "q.plan_text": "Vår plan", "q.staff": "3"})
    page = c.get(f"/surveys/responses/{halland}/pages/2").text
    assert 'name="q.plan_text"' not in page
    assert fresh(session, halland).draft["plan_text"] == "Vår plan"
    # a page that does not show the question never touches its answer
    post_page(c, halland, 2, {"q.plan": "nej", "q.staff": "4"})
    assert fresh(session, halland).draft["plan_text"] == "Vår plan"


def test_session_expiry_returns_to_the_page_with_the_draft(
        client_as: Client, clock: Clock, session: Session, halland: int) -> None:
    c = client_as("respondent")
    post_page(c, halland, 3, {"q.areas": ["o1", "o2"], "q.comment": "Utkast"}, action="save")
    # the session expires; what is sent next is kept through sign-in and then saved
    session.execute(update(WebSession).values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    session.commit()
    target = f"/surveys/responses/{halland}/pages/3"
    kept = post_page(c, halland, 3, {"q.areas": ["o1", "o2"],
                                     "q.comment": "Skrivet efter utgången inloggning"})
    assert kept.status_code == 401 and 'data-reason="expired"' in kept.text
    assert fresh(session, halland).draft["comment"] == "Utkast"  # not saved while signed out
    carried = dict(re.findall(r'<input type="hidden" name="(carry(?:_action)?)" value="([^"]*)">',
                              kept.text))
    assert carried["carry_action"] == target
    signed = c.post("/login", data={"csrf_token": CSRF, "username": "respondent",
                                    "password": USERS["respondent"].password, "next": target,
                                    "carry": html.unescape(carried["carry"]),
                                    "carry_action": target})
    assert signed.status_code == 200 and f'action="{target}"' in signed.text
    resent = [(html.unescape(n), html.unescape(v)) for n, v in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', signed.text) if n != "next"]
    form: dict[str, list[str]] = {}
    for name, value in resent:
        form.setdefault(name, []).append(value)
    saved = c.post(target, data=form)  # what the resume page posts
    assert saved.status_code == 303
    page = c.get(target).text
    assert 'id="f-areas-o1" name="q.areas" type="checkbox" value="o1" checked' in page
    assert 'id="f-areas-o2" name="q.areas" type="checkbox" value="o2" checked' in page
    assert ">Skrivet efter utgången inloggning</textarea>" in page


def test_a_crash_during_a_save_leaves_the_last_saved_state(
        client_as: Client, clock: Clock, session: Session, halland: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    c = client_as("respondent")
    post_page(c, halland, 3, {"q.comment": "Sparat", "q.share": "5"})

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the server stopped mid-save")

    monkeypatch.setattr(repo.audit, "record", crash)
    with pytest.raises(RuntimeError):
        post_page(c, halland, 3, {"q.comment": "Halvvägs", "q.share": "6"})
    stored = fresh(session, halland)
    assert stored.draft == {"comment": "Sparat", "share": "5"}
    assert [(h.name, h.new_value) for h in repo.history(session, stored)] \
        == [("share", "5"), ("comment", "Sparat")]


def test_autosave_and_character_counter(client_as: Client, clock: Clock, session: Session,
                                        halland: int) -> None:
    c = client_as("respondent")
    sent = post_page(c, halland, 3, {"q.comment": "Rad ett\r\nrad två"}, action="autosave")
    assert sent.status_code == 204
    assert fresh(session, halland).draft == {"comment": "Rad ett\nrad två"}
    page = c.get(f"/surveys/responses/{halland}/pages/3").text
    assert '<p class="counter" id="count-f-comment">15 av 1\u202f000 tecken</p>' in page


def test_cannot_estimate_and_table_cells(client_as: Client, clock: Clock, session: Session,
                                         halland: int) -> None:
    c = client_as("respondent")
    post_page(c, halland, 2, {"q.staff": "12", "ce.staff": "1"})
    post_page(c, halland, 3, {"t.grid.r01.count": "3", "t.grid.r02.count": "x"})
    draft = fresh(session, halland).draft
    assert draft == {"staff": "cannot_estimate", "grid": {"r01": {"count": "3"},
                                                          "r02": {"count": "x"}}}
    page = c.get(f"/surveys/responses/{halland}/pages/3").text
    assert 'id="f-grid-r02-count" name="t.grid.r02.count" type="text" inputmode="numeric" ' \
           'autocomplete="off" value="x" aria-labelledby="row-grid-r02 col-grid-count" ' \
           'aria-invalid="true" aria-describedby="err-f-grid-r02-count"' in page
    assert '<a href="#f-grid-r02-count">5. Antal enheter per kategori: Mobila team, Antal: ' \
           'Ange ett heltal, till exempel 12.</a>' in page


# --- deadlines ---------------------------------------------------------------------------------


def test_answers_lock_after_the_deadline_and_reopen(client_as: Client, clock: Clock,
                                                    session: Session, halland: int) -> None:
    c = client_as("respondent")
    post_page(c, halland, 3, {"q.comment": "Före"})
    clock.now = AFTER
    refused = post_page(c, halland, 3, {"q.comment": "Efter"})
    assert refused.status_code == 409
    body = text_of(refused.text)
    assert "Sista dagen 2025-03-31 har passerat; svaren är låsta." in body
    assert "Efter" in body  # what was typed is shown to copy
    assert fresh(session, halland).draft == {"comment": "Före"}
    page = c.get(f"/surveys/responses/{halland}/pages/3").text
    assert 'name="q.comment"' not in page and "Före" in page
    # the analyst gives Halland a new deadline
    analyst = client_as("analyst")
    r = fresh(session, halland).round
    sent = analyst.post(f"/surveys/rounds/{r.id}/reopen",
                        data={"csrf_token": CSRF, "organisation": "13",
                              "reason": "Sjukdom", "deadline": "2025-04-10"})
    assert sent.status_code == 303
    assert post_page(c, halland, 3, {"q.comment": "Efter"}).status_code == 303
    assert fresh(session, halland).draft == {"comment": "Efter"}
    refused = analyst.post(f"/surveys/rounds/{r.id}/reopen",
                           data={"csrf_token": CSRF, "organisation": "20", "reason": "",
                                 "deadline": "2025-04-10"})
    assert refused.status_code == 422
    assert "Ange skälet till att svaren återöppnas." in text_of(refused.text)


# --- submission --------------------------------------------------------------------------------


def fill_complete(c: TestClient, rid: int, comment: str = "") -> None:
    post_page(c, rid, 2, {"q.plan": "ja", "q.plan_text": COMPLETE["plan_text"],
                          "q.staff": "12"})
    post_page(c, rid, 3, {"q.areas": ["o1", "o3"], "q.share": "58,4", "t.grid.r01.count": "3",
                          "t.grid.r02.count": "0", "q.final_only": "Fler mobila team.",
                          "q.comment": comment})


def test_summary_lists_what_is_missing_and_submit_is_refused(
        client_as: Client, clock: Clock, session: Session, halland: int) -> None:
    c = client_as("respondent")
    post_page(c, halland, 2, {"q.plan": "ja", "q.staff": "600"})
    summary = c.get(f"/surveys/responses/{halland}/summary").text
    assert f'<a href="/surveys/responses/{halland}/pages/2#q-plan_text">1a. Beskriv planen.</a>' \
        in summary
    assert f'<a href="/surveys/responses/{halland}/pages/3#q-grid">5. Antal enheter per ' \
           'kategori</a>' in summary
    assert "Värdet får inte vara större än 500." in text_of(summary)
    assert "Lämna in svaren" not in summary
    refused = c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    assert refused.status_code == 409
    assert "Svaren lämnades inte in" in text_of(refused.text)
    assert session.scalar(select(SurveySubmission.id)) is None


def test_submit_stores_receipt_and_mails_it(client_as: Client, clock: Clock, session: Session,
                                            halland: int, smtp_sink: SmtpSink,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARAVARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NARAVARD_SMTP_PORT", str(smtp_sink.port))
    session.scalars(select(User).where(User.username == "respondent")).one().email = \
        "helena@example.se"
    session.commit()
    c = client_as("respondent")
    fill_complete(c, halland)
    summary = c.get(f"/surveys/responses/{halland}/summary").text
    assert "Alla obligatoriska frågor är besvarade" in text_of(summary)
    sent = c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    assert sent.status_code == 303
    assert sent.headers["location"] == \
        f"/surveys/responses/{halland}/submissions/1?notice=submitted"
    page = text_of(c.get(sent.headers["location"]).text)
    assert "Tack. Svaren är inlämnade som version 1." in page
    assert "Kvittot har skickats med e-post till helena@example.se." in page
    assert "58,4 %" in page.replace("\u202f", " ")
    pdf = c.get(f"/surveys/responses/{halland}/submissions/1/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == \
        'attachment; filename="kvitto-test-2024-13-v1.pdf"'
    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert message["To"] == "helena@example.se"
    assert message["Subject"] == "Kvitto: Testenkät för regioner, version 1"
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["kvitto-test-2024-13-v1.pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    stored = session.scalars(select(SurveySubmission)).one()
    assert (stored.mail_status, stored.answered, stored.required) == ("sent", 6, 6)


def test_mail_failure_keeps_the_submission(client_as: Client, clock: Clock, session: Session,
                                           halland: int, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:  # fmt: skip
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    monkeypatch.setenv("NARAVARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NARAVARD_SMTP_PORT", str(closed_port))
    session.scalars(select(User).where(User.username == "respondent")).one().email = \
        "helena@example.se"
    session.commit()
    c = client_as("respondent")
    fill_complete(c, halland)
    sent = c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    page = c.get(sent.headers["location"])
    assert "Kvittot kunde inte skickas med e-post till helena@example.se; inlämningen är ändå " \
           "mottagen." in text_of(page.text)
    assert 'role="alert"' in page.text
    stored = session.scalars(select(SurveySubmission)).one()
    assert stored.mail_status == "failed" and "failed" in stored.mail_detail


def test_no_address_or_no_server_is_noted(client_as: Client, clock: Clock, session: Session,
                                          halland: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NARAVARD_SMTP_HOST", raising=False)
    c = client_as("respondent")
    fill_complete(c, halland)
    sent = c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    assert "ditt konto har ingen e-postadress" in text_of(c.get(sent.headers["location"]).text)
    session.scalars(select(User).where(User.username == "respondent")).one().email = "h@x.se"
    session.commit()
    post_page(c, halland, 3, {"q.comment": "Ny version"})
    sent = c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    assert sent.headers["location"].endswith("/submissions/2?notice=submitted")
    assert "ingen e-postserver är inställd" in text_of(c.get(sent.headers["location"]).text)


def test_personal_data_must_be_removed_or_confirmed(client_as: Client, clock: Clock,
                                                    session: Session, halland: int) -> None:
    c = client_as("respondent")
    fill_complete(c, halland, comment="Kontakt: 19121212-1212 eller registrator@region.se")
    summary = c.get(f"/surveys/responses/{halland}/summary").text
    assert "Möjliga personuppgifter (2)" in summary
    assert "Kontakt: <mark>19121212-1212</mark> eller registrator@region.se" in summary
    office = "comment|||email|registrator@region.se"
    refused = c.post(f"/surveys/responses/{halland}/submit",
                     data={"csrf_token": CSRF, "confirm": [office]})
    assert refused.status_code == 409
    assert 'value="comment|||email|registrator@region.se" checked' in refused.text
    # the identity number is removed, the office address confirmed
    post_page(c, halland, 3, {"q.comment": "Kontakt: registrator@region.se"})
    sent = c.post(f"/surveys/responses/{halland}/submit",
                  data={"csrf_token": CSRF, "confirm": [office]})
    assert sent.status_code == 303
    stored = session.scalars(select(SurveySubmission)).one()
    assert stored.pii_confirmations == [{"name": "comment", "row": None, "column": None,
                                         "kind": "email", "text": "registrator@region.se"}]
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "survey.pii.confirm")).one()
    assert (event.actor, event.details["version"]) == ("respondent", 1)


def test_every_version_is_kept_and_viewable(client_as: Client, clock: Clock, session: Session,
                                            halland: int) -> None:
    c = client_as("respondent")
    fill_complete(c, halland)
    c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    clock.now = at("2024-03-01")
    post_page(c, halland, 2, {"q.plan": "ja", "q.plan_text": "Ny plan", "q.staff": "14"})
    overview = text_of(c.get(f"/surveys/responses/{halland}").text)
    assert "ändrad sedan senaste inlämningen" in overview
    c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    first = text_of(c.get(f"/surveys/responses/{halland}/submissions/1").text)
    second = text_of(c.get(f"/surveys/responses/{halland}/submissions/2").text)
    assert "En plan för 2024." in first and "Ny plan" not in first
    assert "Ny plan" in second and "14" in second
    history = text_of(c.get(f"/surveys/responses/{halland}/history?name=plan_text").text)
    assert "En plan för 2024. Ny plan 2" in history
    assert [s.version for s in fresh(session, halland).submissions] == [1, 2]


# --- access ------------------------------------------------------------------------------------


def test_foreign_respondent_is_refused_everywhere(client_as: Client, clock: Clock,
                                                  halland: int) -> None:
    c = client_as("foreign")
    for path in ("", "/pages/1", "/summary", "/history", "/submissions/1",
                 "/submissions/1/receipt.pdf"):
        assert c.get(f"/surveys/responses/{halland}{path}").status_code == 403, path
    assert post_page(c, halland, 2, {"q.plan": "ja"}).status_code == 403
    assert c.post(f"/surveys/responses/{halland}/submit",
                  data={"csrf_token": CSRF}).status_code == 403


def test_post_without_csrf_token_is_refused(client_as: Client, clock: Clock, session: Session,
                                            halland: int) -> None:
    c = client_as("respondent")
    sent = c.post(f"/surveys/responses/{halland}/pages/2", data={"q.plan": "ja",
                                                                 "fields": "plan"})
    assert sent.status_code == 403
    assert fresh(session, halland).draft == {}


def test_staff_read_but_do_not_edit(client_as: Client, clock: Clock, halland: int) -> None:
    c = client_as("respondent")
    post_page(c, halland, 3, {"q.comment": "Läsbar"})
    page = client_as("analyst").get(f"/surveys/responses/{halland}/pages/3").text
    assert 'name="q.comment"' not in page and "Läsbar" in page
    assert "bara organisationens uppgiftslämnare kan ändra dem" in text_of(page)
    assert post_page(client_as("analyst"), halland, 3, {"q.comment": "x"}).status_code == 403


# --- analysts ----------------------------------------------------------------------------------


def test_analyst_creates_opens_and_follows_a_round(client_as: Client, clock: Clock,
                                                   session: Session) -> None:
    a = client_as("analyst")
    bad = a.post("/surveys/rounds", data={
        "csrf_token": CSRF, "form": "municipal-survey-2019@1", "code": "k-2019",
        "opens_on": "2019-12-16", "deadline": "2020-01-27", "respondents": "listed",
        "codes": "1384, 13"})
    assert bad.status_code == 422
    assert "Enkäten municipal-survey-2019 besvaras av municipality, inte av 13." \
        in text_of(bad.text)
    sent = a.post("/surveys/rounds", data={
        "csrf_token": CSRF, "form": "municipal-survey-2019@1", "code": "k-2019",
        "title": "Kommunenkät 2019", "opens_on": "2019-12-16", "deadline": "2020-01-27",
        "respondents": "all"})
    assert sent.status_code == 303
    r = repo.get_round(session, "k-2019")
    assert r is not None and len(r.responses) == 290 and r.status == "planned"
    assert a.post(f"/surveys/rounds/{r.id}/open", data={"csrf_token": CSRF}).status_code == 303
    page = text_of(a.get(f"/surveys/rounds/{r.id}").text)
    assert "Svar har inkommit från 0 av 290 kommuner (0,0 %)" in page.replace("\u202f", " ")
    assert a.post(f"/surveys/rounds/{r.id}/close", data={"csrf_token": CSRF}).status_code == 303
    again = a.post(f"/surveys/rounds/{r.id}/close", data={"csrf_token": CSRF})
    assert again.status_code == 409 and "Omgången k-2019 är inte öppen." in text_of(again.text)
    assert client_as("grant_officer").post(f"/surveys/rounds/{r.id}/open",
                                           data={"csrf_token": CSRF}).status_code == 403


def test_completeness_results_and_export(client_as: Client, clock: Clock, session: Session,
                                         halland: int) -> None:
    c = client_as("respondent")
    fill_complete(c, halland, comment="=HYPERLINK(\"x\")")
    c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    a = client_as("analyst")
    rid = fresh(session, halland).round_id
    page = text_of(a.get(f"/surveys/rounds/{rid}").text).replace("\u202f", " ")
    assert "Svar har inkommit från 1 av 2 regioner (50,0 %)" in page
    assert "Region Halland 13 Inlämnad" in page
    assert "6 av 6 (100,0 %)" in page
    results = text_of(a.get(f"/surveys/rounds/{rid}/results").text).replace("\u202f", " ")
    assert "Besvarad av n = 1 av 1." in results
    assert "Äldre 1 100,0 %" in results
    export = a.get(f"/surveys/rounds/{rid}/answers.csv")
    lines = export.text.splitlines()
    assert lines[0].endswith("grid.r01.count,grid.r02.count,final_only,comment")
    assert lines[1].endswith(',3,0,Fler mobila team.,"\'=HYPERLINK(""x"")"')
    status = a.get(f"/surveys/rounds/{rid}/status.csv").text.splitlines()
    assert status[1].startswith("13,Region Halland,submitted,1,")
    assert status[2].startswith("20,Region Dalarna,not_started,0,,,0,")


def test_audit_trail_of_a_round(client_as: Client, clock: Clock, session: Session,
                                halland: int) -> None:
    c = client_as("respondent")
    fill_complete(c, halland)
    c.post(f"/surveys/responses/{halland}/submit", data={"csrf_token": CSRF})
    actions = [(e.action, e.actor) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("survey.%")).order_by(AuditEvent.id))]
    assert actions == [
        ("survey.round.create", "analyst"), ("survey.round.open", "analyst"),
        ("survey.answers.save", "respondent"), ("survey.answers.save", "respondent"),
        ("survey.submit", "respondent"), ("survey.receipt.mail", "respondent"),
    ]
