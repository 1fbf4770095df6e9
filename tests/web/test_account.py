"""A user's own account: the e-mail address (checked, audited without the address) and the
password (the current one checked and throttled like a sign-in; the other sessions end)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from naravard.storage import users_repo
from naravard.storage.models import AuditEvent, LoginAttempt, User
from naravard.web.security import CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import USERS, open_session_token
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]
OLD = USERS["respondent"].password
NEW = "ett-nytt-langt-losenord"


def text_of(html: str) -> str:
    main = html[html.find("<main"):html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def user(session: Session, name: str = "respondent") -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.username == name)).one()


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_page_and_its_link(client_as: Client) -> None:
    c = client_as("respondent")
    page = c.get("/account")
    assert page.status_code == 200
    assert ("Ditt konto Namn Respondent Användarnamn respondent Roll uppgiftslämnare "
            "Organisation Region Halland (13) Senaste inloggning –") in text_of(page.text)
    assert 'href="/account"' in c.get("/").text  # the name in the header
    assert client_as(None).get("/account").status_code == 303  # to sign-in


def test_email_is_checked_and_kept(client_as: Client, session: Session) -> None:
    c = client_as("respondent")
    bad = c.post("/account/email", data={"csrf_token": CSRF, "email": "helena at region"})
    assert bad.status_code == 422
    assert ("Ange en e-postadress som namn@region.se, eller lämna fältet tomt."
            in text_of(bad.text))
    assert 'value="helena at region"' in bad.text  # what was typed stays
    assert user(session).email is None
    ok = c.post("/account/email", data={"csrf_token": CSRF, "email": " helena@regionhalland.se "})
    assert (ok.status_code, ok.headers["location"]) == (303, "/account?notice=email")
    assert user(session).email == "helena@regionhalland.se"
    page = c.get("/account?notice=email").text
    assert "Din e-postadress är sparad." in text_of(page)
    assert 'value="helena@regionhalland.se"' in page
    c.post("/account/email", data={"csrf_token": CSRF, "email": ""})
    assert user(session).email is None
    audited = events(session, "user.set_email")
    assert [(e.actor, e.details) for e in audited] == [
        ("respondent", {"has_address": True}), ("respondent", {"has_address": False})]
    assert c.post("/account/email", data={"email": "x@y.se"}).status_code == 403  # no CSRF


def test_password_change_checks_and_ends_other_sessions(
    app: FastAPI, engine: Engine, session: Session
) -> None:
    this = open_session_token(engine, "respondent")
    other = open_session_token(engine, "respondent")
    c = TestClient(app, follow_redirects=False)
    c.cookies.set(CSRF_COOKIE, CSRF)
    c.cookies.set(SESSION_COOKIE, this)

    def change(current: str, new: str, repeat: str | None = None) -> tuple[int, str]:
        r = c.post("/account/password", data={"csrf_token": CSRF, "current": current,
                                              "new": new, "repeat": repeat or new})
        return r.status_code, text_of(r.text) if r.status_code != 303 else r.headers["location"]

    code, text = change(OLD, NEW, NEW + "x")
    assert code == 422 and "Det nya lösenordet och upprepningen skiljer sig åt." in text
    code, text = change(OLD, "kort")
    assert code == 422 and "Det nya lösenordet måste ha minst 12 tecken." in text
    code, text = change("fel-losenord-123", NEW)
    assert code == 422 and "Det nuvarande lösenordet är fel." in text
    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 1
    assert change(OLD, NEW) == (303, "/account?notice=password")
    assert "Ditt lösenord är bytt; dina andra inloggningar har avslutats." in text_of(
        c.get("/account?notice=password").text)
    # this session goes on, the other one has ended; the new password signs in, the old not
    assert c.get("/").status_code == 200
    elsewhere = TestClient(app, follow_redirects=False)
    elsewhere.cookies.set(SESSION_COOKIE, other)
    assert elsewhere.get("/").status_code == 303
    assert users_repo.login(session, "respondent", NEW, "test", 1).ok
    assert not users_repo.login(session, "respondent", OLD, "test", 1).ok
    session.rollback()
    assert [e.action for e in session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("user.change_password%")).order_by(AuditEvent.id))] == [
        "user.change_password.failed", "user.change_password"]


def test_wrong_current_passwords_are_throttled(client_as: Client, session: Session) -> None:
    c = client_as("respondent")
    for _ in range(5):
        c.post("/account/password", data={"csrf_token": CSRF, "current": "fel-losenord-123",
                                          "new": NEW, "repeat": NEW})
    refused = c.post("/account/password", data={"csrf_token": CSRF, "current": OLD,
                                                "new": NEW, "repeat": NEW})
    assert refused.status_code == 422
    assert "För många felaktiga lösenord; försök igen senare." in text_of(refused.text)
    assert users_repo.login(session, "respondent", OLD, "test", 1).throttled  # sign-in too
