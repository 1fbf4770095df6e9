"""A form sent after the sign-in expired is kept through sign-in and saved afterwards."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from naravard.storage.models import User, WebSession
from tests.conftest import USERS
from tests.web.conftest import CSRF


def hidden(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(n), html.unescape(v)) for n, v in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)]


def test_expired_session_keeps_the_form_through_sign_in(
    client_as: Callable[[str | None], TestClient], session: Session
) -> None:
    admin = client_as("admin")
    session.execute(delete(WebSession))  # the sign-in runs out
    session.commit()
    typed = {"username": "ny.användare", "display_name": 'Ny "Användare" <b>', "role": "analyst",
             "email": "ny@example.se"}
    expired = admin.post("/admin/users", data={**typed, "csrf_token": CSRF})
    assert expired.status_code == 401
    assert "Din inloggning har gått ut" in expired.text
    fields = dict(hidden(expired.text))
    assert fields["carry_action"] == "/admin/users"
    assert ["display_name", typed["display_name"]] in json.loads(fields["carry"])
    assert session.scalar(select(User).where(User.username == "ny.användare")) is None

    signed_in = admin.post("/login", data={
        "username": "admin", "password": USERS["admin"].password, "csrf_token": CSRF,
        "carry": fields["carry"], "carry_action": fields["carry_action"]})
    assert signed_in.status_code == 200
    assert 'action="/admin/users"' in signed_in.text
    resent = [(n, v) for n, v in hidden(signed_in.text) if n not in ("next",)]
    assert dict(resent)["display_name"] == typed["display_name"]
    saved = admin.post("/admin/users", data=dict(resent))  # what resume.js posts
    assert saved.status_code == 200
    user = session.scalar(select(User).where(User.username == "ny.användare"))
    assert user is not None and user.display_name == typed["display_name"]


def test_a_forged_post_is_never_carried(
    client_as: Callable[[str | None], TestClient], session: Session
) -> None:
    anonymous = client_as(None)
    forged = anonymous.post("/admin/users", data={"username": "evil", "role": "admin",
                                                  "csrf_token": "not-the-cookie"})
    assert forged.status_code == 403
    assert "carry" not in forged.text


def test_carry_is_refused_for_foreign_paths(client_as: Callable[[str | None], TestClient]) -> None:
    c = client_as(None)
    response = c.post("/login", data={
        "username": "admin", "password": USERS["admin"].password, "csrf_token": CSRF,
        "carry": '[["a", "b"]]', "carry_action": "//evil.example/steal"})
    assert response.status_code == 303 and response.headers["location"] == "/"
