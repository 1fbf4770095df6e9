"""Pages as a user meets them: signing in, CSRF, language, escaping, headers."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.formatting import THIN
from naravard.storage import users_repo
from naravard.storage.models import AuditEvent, User
from naravard.web.security import SESSION_COOKIE
from tests.conftest import USERS
from tests.web.conftest import CSRF, csrf_of


def sign_in(client: TestClient, username: str, password: str, next_path: str = "/") -> str:
    page = client.get(f"/login?next={next_path}")
    token = csrf_of(page.text)
    client.cookies.set("naravard_csrf", token)
    response = client.post("/login", data={"username": username, "password": password,
                                           "next": next_path, "csrf_token": token})
    return str(response.headers.get("location", response.status_code))


def test_sign_in_returns_to_the_page_asked_for(client: TestClient) -> None:
    first = client.get("/organisations/13?date=2020-12-31")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/organisations/13%3Fdate%3D2020-12-31"
    where = sign_in(client, "respondent", USERS["respondent"].password,
                    "/organisations/13?date=2020-12-31")
    assert where == "/organisations/13?date=2020-12-31"
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    page = client.get(where)
    assert page.status_code == 200
    assert "Region Halland" in page.text
    assert f"336{THIN}748" in page.text  # Hallands län 2020-12-31 (SCB)


def test_session_cookie_flags(client: TestClient) -> None:
    page = client.get("/login")
    token = csrf_of(page.text)
    response = client.post("/login", data={"username": "admin", "password": USERS["admin"].password,
                                           "next": "/", "csrf_token": token})
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    assert "secure" not in set_cookie  # plain http in tests
    secure = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    token = csrf_of(secure.get("/login").text)
    response = secure.post("/login", data={"username": "admin", "password":
                                           USERS["admin"].password, "csrf_token": token})
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_keeps_user_name_and_says_why(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "analyst", "password": "nope-nope-nope",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord." in response.text
    assert 'value="analyst"' in response.text


def test_open_redirect_refused(client: TestClient) -> None:
    where = sign_in(client, "admin", USERS["admin"].password, "//evil.example/")
    assert where == "/"


def test_post_without_csrf_is_refused_and_changes_nothing(
    client_as: Callable[[str | None], TestClient], session: Session
) -> None:
    admin = client_as("admin")
    response = admin.post("/admin/users", data={"username": "sneaky", "role": "analyst",
                                                "csrf_token": "forged"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.text
    assert session.scalar(select(User).where(User.username == "sneaky")) is None
    ok = admin.post("/admin/users", data={"username": "welcome", "role": "analyst",
                                          "csrf_token": CSRF})
    assert ok.status_code == 200 and "welcome" in ok.text
    assert session.scalar(select(User).where(User.username == "welcome")) is not None


def test_admin_creates_respondent_and_output_is_escaped(
    client_as: Callable[[str | None], TestClient], session: Session
) -> None:
    admin = client_as("admin")
    response = admin.post("/admin/users", data={
        "username": "ny", "display_name": "<script>alert(1)</script>", "role": "respondent",
        "organisation": "1380", "csrf_token": CSRF})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "Lösenordet visas bara nu" in response.text
    bad = admin.post("/admin/users", data={"username": "ny2", "role": "respondent",
                                           "csrf_token": CSRF})
    assert "a respondent must be bound to an organisation" in bad.text
    assert 'value="ny2"' in bad.text  # what was typed is kept
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "admin")).all()
    assert actions == ["user.create"]


def test_language_switch(client_as: Callable[[str | None], TestClient]) -> None:
    c = client_as("analyst")
    assert "Organisationer" in c.get("/").text
    response = c.post("/language", data={"lang": "en", "back": "/organisations",
                                         "csrf_token": CSRF})
    assert response.headers["location"] == "/organisations"
    c.cookies.set("lang", "en")
    page = c.get("/organisations")
    assert '<html lang="en">' in page.text
    assert "Regions and population" in page.text
    # the switch returns to the same view: the query string is kept
    asked = c.get("/organisations?date=2023-12-31").text
    assert 'name="back" value="/organisations?date=2023-12-31"' in asked


def test_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_api(client_as: Callable[[str | None], TestClient]) -> None:
    c = client_as("respondent")
    assert c.get("/api/v1/me").json() == {"username": "respondent", "display_name": "Respondent",
                                          "role": "respondent", "organisation_code": "13"}
    regions = c.get("/api/v1/organisations?date=2021-12-31").json()
    assert len(regions) == 21 and sum(r["total"] for r in regions) == 10_452_326
    assert c.get("/api/v1/organisations?date=2019-11-01").status_code == 404
    assert c.get("/api/v1/organisations/1384").json()["name"] == "Kungsbacka"
    assert c.get("/api/v1/openapi.json").json()["info"]["title"] == "Nära API"


def test_api_docs_are_served_from_the_app(client_as: Callable[[str | None], TestClient]) -> None:
    c = client_as(None)
    page = c.get("/api/v1/docs")
    assert page.status_code == 200
    assert 'data-openapi="/api/v1/openapi.json"' in page.text
    assert "http" not in page.text  # no CDN: every asset from this origin
    assert page.headers["content-security-policy"].startswith(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self';")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(assets) == 4
    for asset in assets:
        got = c.get(asset)
        assert got.status_code == 200 and len(got.content) > 100, asset
    assert "SwaggerUIBundle" in c.get("/static/swagger-ui/swagger-ui-bundle.js").text


def test_disabled_user_loses_access(client_as: Callable[[str | None], TestClient]) -> None:
    analyst = client_as("analyst")
    assert analyst.get("/").status_code == 200
    admin = client_as("admin")
    assert admin.post("/admin/users/analyst/active",
                      data={"active": "0", "csrf_token": CSRF}).status_code == 303
    assert analyst.get("/").status_code == 303
    assert admin.post("/admin/users/ghost/active",
                      data={"active": "0", "csrf_token": CSRF}).status_code == 404


def test_unknown_page_is_a_readable_404(client_as: Callable[[str | None], TestClient]) -> None:
    c = client_as("analyst")
    page = c.get("/no/such/page")
    assert page.status_code == 404 and "Sidan finns inte" in page.text
    # the header is the signed-in one, though no route's guard read the session
    assert "Logga ut" in page.text and 'class="sign-in"' not in page.text
    bad = c.get("/surveys/responses/not-a-number")
    assert bad.status_code == 400 and "Logga ut" in bad.text
    visitor = client_as(None).get("/no/such/page")
    assert visitor.status_code == 404 and "Logga ut" not in visitor.text
    assert '<a class="sign-in" href="/login?next=/no/such/page">Logga in</a>' in visitor.text
    api = c.get("/api/v1/organisations/9999")
    assert api.status_code == 404 and api.json() == {"detail": "no organisation 9999"}


def test_admin_gives_a_new_password_shown_once(
    client_as: Callable[[str | None], TestClient], session: Session
) -> None:
    analyst = client_as("analyst")
    assert analyst.get("/").status_code == 200
    admin = client_as("admin")
    page = admin.post("/admin/users/analyst/password", data={"csrf_token": CSRF})
    assert page.status_code == 200
    found = re.search(r"Användaren analyst har ett nytt lösenord, som visas bara nu: "
                      r"<code>([^<]+)</code> Användarens inloggningar har avslutats.", page.text)
    assert found is not None
    assert analyst.get("/").status_code == 303  # the old session has ended
    assert users_repo.login(session, "analyst", found.group(1), "test", 1).ok
    assert not users_repo.login(session, "analyst", USERS["analyst"].password, "test", 1).ok
    session.rollback()
    assert found.group(1) not in admin.get("/admin/users").text  # shown once
    assert admin.post("/admin/users/ghost/password", data={"csrf_token": CSRF}).status_code == 404
    assert client_as("analyst").post("/admin/users/analyst/password",
                                     data={"csrf_token": CSRF}).status_code == 403
    assert session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "user.set_password")).all() == ["user.set_password"]


def test_site_icon_is_linked_and_served(client: TestClient) -> None:
    """Every page names the icon, and a browser asking for /favicon.ico without reading a page
    gets the same drawing (no 404 in its console)."""
    page = client.get("/login")
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page.text
    linked = client.get("/static/favicon.svg")
    asked = client.get("/favicon.ico")
    assert linked.status_code == asked.status_code == 200
    assert asked.headers["content-type"] == "image/svg+xml"
    assert asked.content == linked.content
    assert asked.content.startswith(b"<svg ") and b"<title>N\xc3\xa4ra</title>" in asked.content


def test_visitors_find_the_open_figures_and_the_way_to_sign_in(
        client_as: Callable[[str | None], TestClient]) -> None:
    """Without signing in, every page's header leads to the published indicators, the open
    data API and the sign-in (back to the page read); the sign-in page says what is open."""
    anonymous = client_as(None)
    login = anonymous.get("/login").text
    assert '<h2 id="public-heading">Öppet för alla utan inloggning</h2>' in login
    assert '<a href="/indicators">De publicerade indikatorerna</a>' in login
    assert '<a href="/api/v1/docs">Öppna data via API</a>' in login
    assert 'class="sign-in"' not in login  # already on the sign-in page
    listing = anonymous.get("/indicators?lang=x&b=1").text
    assert '<a href="/indicators" aria-current="page">Indikatorer</a>' in listing
    assert '<a href="/api/v1/docs">Öppna data (API)</a>' in listing
    assert ('<a class="sign-in" href="/login?next=/indicators%3Flang%3Dx%26b%3D1">Logga in</a>'
            in listing)
    signed = client_as("analyst").get("/indicators").text
    assert 'class="sign-in"' not in signed and "Öppna data (API)" not in signed
    assert "Logga ut" in signed
