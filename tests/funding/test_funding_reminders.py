"""Reminders of financial reports: the recipients paid under an agreement without a report
get one message each through a real SMTP server, before and after the deadline; every outcome
audited; the agreement's page says who cannot be reached (both engines)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.storage import funding_repo as repo
from naravard.storage.models import AuditEvent, User
from naravard.web.funding import funding_clock
from tests.funding import seeding
from tests.funding.seeding import AGREEMENT, DALARNA_NARA_VARD, HALLAND_NARA_VARD, STOCKHOLM
from tests.funding.test_funding_web import FORM_URL, requisition_form
from tests.smtp import SmtpSink
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]
PAGE = f"/funding/agreements/{AGREEMENT}"
NAME = ("God och nära vård 2020 – överenskommelse mellan staten och Sveriges Kommuner och "
        "Regioner")
NNBSP = "\u202f"


def text_of(html: str) -> str:
    main = html[html.find("<main"):html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


@pytest.fixture
def paid(session: Session, app: FastAPI, smtp_sink: SmtpSink,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dt.datetime], None]]:
    """Halland (with an address) and Dalarna (without) paid in November 2020; returns the
    setter of the funds' clock."""
    seeding.agreement_2020(session)
    seeding.paid(session, seeding.requisition("13", HALLAND_NARA_VARD))
    seeding.paid(session, seeding.requisition("20", DALARNA_NARA_VARD))
    session.scalars(select(User).where(User.username == "respondent")).one().email = \
        "helena@example.se"
    session.commit()
    monkeypatch.setenv("NARAVARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NARAVARD_SMTP_PORT", str(smtp_sink.port))

    def set_clock(moment: dt.datetime) -> None:
        app.dependency_overrides[funding_clock] = lambda: moment

    yield set_clock
    app.dependency_overrides.pop(funding_clock, None)


def events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def test_recipients_without_a_report_are_reminded(
    client_as: Client, session: Session, paid: Callable[[dt.datetime], None],
    smtp_sink: SmtpSink,
) -> None:
    paid(dt.datetime(2021, 2, 1, 9, 0, tzinfo=STOCKHOLM))
    officer = client_as("grant_officer")
    page = text_of(officer.get(PAGE).text)
    assert ("2 mottagare har fått utbetalningar och har inte lämnat sin ekonomiska redovisning. "
            "Ingen av deras uppgiftslämnare har en e-postadress, så en påminnelse når dem inte: "
            "Region Dalarna.") in page
    sent = officer.post(f"{PAGE}/remind-reports", data={"csrf_token": CSRF})
    assert (sent.status_code, sent.headers["location"]) == (
        303, f"{PAGE}?notice=reminded#report-reminders")
    assert [m["To"] for m in smtp_sink.messages] == ["helena@example.se"]
    message = smtp_sink.messages[0]
    assert message["Subject"] == ("Påminnelse: den ekonomiska redovisningen för " + NAME
                                  + ", sista dag 2021-03-31")
    amount = f"{HALLAND_NARA_VARD:,}".replace(",", NNBSP)
    assert message.get_content().replace("\r\n", "\n") == (
        f"Region Halland har fått {amount} kr utbetalt enligt {NAME} och ska lämna en "
        "ekonomisk redovisning av hur pengarna har använts.\n\n"
        "Sista dagen är 2021-03-31 (till midnatt, svensk tid).\n\n"
        f"Lämna den här: http://testserver/funding/org/13/agreements/{AGREEMENT}/report\n\n"
        "Påminnelsen skickades av Nära till uppgiftslämnarna för Region Halland. Har "
        "redovisningen lämnats in sedan dess behövs inget mer.\n")
    shown = text_of(officer.get(f"{PAGE}?notice=reminded").text)
    assert "Påminnelserna är skickade; utfallet står nedan." in shown
    assert ("Senaste påminnelsen 2021-02-01 09:00 av grant_officer till 2 organisationer: 1 "
            "skickade, 1 utan e-postadress, 0 inte skickade eftersom ingen e-postserver är "
            "inställd, 0 misslyckades. Nåddes inte: 20.") in shown
    assert [(e.organisation_code, e.details["outcome"]) for e in
            events(session, "funding.reminder")] == [("13", "sent"), ("20", "no_address")]
    assert "example.se" not in str([e.details for e in events(session, "funding.reminder")])
    # after the deadline the message says so
    paid(dt.datetime(2021, 4, 2, 9, 0, tzinfo=STOCKHOLM))
    officer.post(f"{PAGE}/remind-reports", data={"csrf_token": CSRF})
    late = smtp_sink.messages[1]
    assert late["Subject"] == ("Försenad: den ekonomiska redovisningen för " + NAME
                               + ", sista dagen var 2021-03-31")
    assert ("Sista dagen var 2021-03-31. När redovisningen kommer in för sent kan staten "
            "återkräva bidraget.") in late.get_content().replace("\r\n", "\n")


def test_a_report_ends_the_reminders_and_access_is_checked(
    client_as: Client, session: Session, paid: Callable[[dt.datetime], None],
    smtp_sink: SmtpSink,
) -> None:
    arrived = dt.datetime(2021, 3, 1, 10, 0, tzinfo=STOCKHOLM)
    paid(arrived)

    def report_in(code: str, amount: int) -> None:
        grant = repo.grant_figures(session, AGREEMENT, code).grant_sek
        seeding.reported(session, seeding.report(code, grant, amount, (amount,), arrived))
        session.commit()

    report_in("13", HALLAND_NARA_VARD)
    officer = client_as("grant_officer")
    page = text_of(officer.get(PAGE).text)
    assert "1 mottagare har fått utbetalningar och har inte lämnat" in page
    assert client_as("respondent").post(f"{PAGE}/remind-reports",
                                        data={"csrf_token": CSRF}).status_code == 403
    assert officer.post(f"{PAGE}/remind-reports", data={}).status_code == 403  # no CSRF
    assert officer.post("/funding/agreements/nope/remind-reports",
                        data={"csrf_token": CSRF}).status_code == 404
    assert events(session, "funding.agreement.remind") == []
    # Dalarna's report in too: nothing is due, nothing sent or recorded
    report_in("20", DALARNA_NARA_VARD)
    done = officer.post(f"{PAGE}/remind-reports", data={"csrf_token": CSRF})
    assert done.headers["location"] == f"{PAGE}?notice=nothing-due#report-reminders"
    assert "Ingen ekonomisk redovisning väntas från en mottagare som har fått utbetalningar; " \
           "ingen påminnelse skickades." in text_of(officer.get(done.headers["location"]).text)
    assert smtp_sink.messages == [] and events(session, "funding.agreement.remind") == []


def mail_ready(session: Session, app: FastAPI, smtp_sink: SmtpSink,
               monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    """The 2020 agreement frozen, Halland's respondent with an address, the mail server and
    the funds' clock at ``moment`` (the caller's test removes the clock)."""
    seeding.agreement_2020(session)
    session.scalars(select(User).where(User.username == "respondent")).one().email = \
        "helena@example.se"
    session.commit()
    monkeypatch.setenv("NARAVARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NARAVARD_SMTP_PORT", str(smtp_sink.port))
    app.dependency_overrides[funding_clock] = lambda: moment


def test_a_requisitions_decision_and_payment_are_told(
    client_as: Client, session: Session, app: FastAPI, smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mail_ready(session, app, smtp_sink, monkeypatch, dt.datetime(2020, 11, 3, 9, 0,
                                                                 tzinfo=STOCKHOLM))
    halland = seeding.submitted(session, seeding.requisition("13", HALLAND_NARA_VARD))
    dalarna = seeding.submitted(session, seeding.requisition("20", DALARNA_NARA_VARD))
    session.commit()
    officer = client_as("grant_officer")
    url = f"/funding/requisitions/{halland.id}"
    assert officer.post(f"{url}/decision", data={"csrf_token": CSRF, "decision": "approve"}
                        ).status_code == 303
    approved = smtp_sink.messages[0]
    assert approved["To"] == "helena@example.se, anna@example.org"  # and the contact person
    assert approved["Subject"] == f"Rekvisition nr {halland.id} är godkänd"
    amount = f"{HALLAND_NARA_VARD:,}".replace(",", NNBSP)
    assert approved.get_content().replace("\r\n", "\n").startswith(
        f"Rekvisition nr {halland.id} från Organisation 13, {amount} kr enligt God och nära vård "
        "2020 (Utveckling av den nära vården med fokus på primärvård), är godkänd; "
        f"utbetalningen följer.\n\nSe den här: http://testserver{url}\n\n")
    assert ("Mottagaren underrättad 2020-11-03 09:00: Godkänd – e-post till 2 adresser"
            in text_of(officer.get(url).text))
    officer.post(f"{url}/payment", data={"csrf_token": CSRF, "paid_on": "2020-11-20",
                                         "payout_reference": "KAMK-77"})
    assert smtp_sink.messages[1]["Subject"] == f"Rekvisition nr {halland.id} är utbetald"
    assert "betalades ut 2020-11-20 (referens KAMK-77)." in smtp_sink.messages[1].get_content()
    officer.post(f"/funding/requisitions/{dalarna.id}/decision",
                 data={"csrf_token": CSRF, "decision": "reject", "note": "Fel bankgiro"})
    rejected = smtp_sink.messages[2]
    assert rejected["To"] == "anna@example.org"  # Dalarna's respondent has no address
    assert "är avslagen: Fel bankgiro. Pengarna kan rekvireras på nytt" in \
        rejected.get_content().replace("\r\n", "\n").replace("\n", " ")
    assert [e.details["status"] for e in events(session, "funding.requisition.notice")] == [
        "approved", "paid", "rejected"]
    app.dependency_overrides.pop(funding_clock, None)


def test_a_requisition_sent_from_the_form_gets_a_receipt_by_e_mail(
    client_as: Client, session: Session, app: FastAPI, smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mail_ready(session, app, smtp_sink, monkeypatch, dt.datetime(2020, 11, 2, 9, 15,
                                                                 tzinfo=STOCKHOLM))
    sent = client_as("respondent").post(FORM_URL, data=requisition_form())
    assert sent.status_code == 303
    receipt = smtp_sink.messages[0]
    assert receipt["To"] == "helena@example.se, anna.andersson@regionhalland.se"
    number = sent.headers["location"].split("/")[-1].split("?")[0]
    assert receipt["Subject"] == f"Rekvisition nr {number} har kommit in"
    assert ("kom in 2020-11-02 09:15 svensk tid och väntar på handläggarens beslut."
            in receipt.get_content().replace("\r\n", "\n").replace("\n", " "))
    # a refused form sends nothing
    client_as("respondent").post(FORM_URL, data=requisition_form(amount_sek="-1"))
    assert len(smtp_sink.messages) == 1
    app.dependency_overrides.pop(funding_clock, None)
