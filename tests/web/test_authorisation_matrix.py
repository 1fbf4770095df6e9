"""Every route × every kind of caller: anonymous, each role, own and foreign respondents.

The table below is written by hand; a route missing from it fails
``test_matrix_covers_every_route``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.web.app import app_routes
from naravard.web.security import route_guard, unguarded_routes
from tests.web import matrix_funding, matrix_indicators, matrix_surveys
from tests.web.conftest import CSRF
from tests.web.matrix_common import ADMIN, CALLERS, EVERYONE, HALLAND, SIGNED

#: (method, path template) → callers allowed; concrete paths use Region Halland and user "rss".
FOUNDATION: dict[tuple[str, str], frozenset[str | None]] = {
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/favicon.ico"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("POST", "/language"): EVERYONE,
    ("GET", "/"): SIGNED,
    ("GET", "/account"): SIGNED,
    ("POST", "/account/email"): SIGNED,
    ("POST", "/account/password"): SIGNED,  # 422 here: the current password is wrong
    ("GET", "/organisations"): SIGNED,
    ("GET", "/organisations/{code}"): SIGNED,
    ("GET", "/organisations/{code}/users"): HALLAND,
    ("GET", "/admin/users"): ADMIN,
    ("POST", "/admin/users"): ADMIN,
    ("POST", "/admin/users/{username}/active"): ADMIN,
    ("POST", "/admin/users/{username}/password"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    ("GET", "/api/v1/me"): SIGNED,
    ("GET", "/api/v1/organisations"): SIGNED,
    ("GET", "/api/v1/population/dates"): SIGNED,
    ("GET", "/api/v1/organisations/{code}"): SIGNED,
    ("GET", "/api/v1/organisations/{code}/users"): HALLAND,
}
MATRIX = {**FOUNDATION, **matrix_funding.MATRIX, **matrix_surveys.MATRIX,
          **matrix_indicators.MATRIX}
FOUNDATION_FORMS: dict[str, dict[str, str]] = {
    "/login": {"username": "nobody", "password": "wrong-password-123"},
    "/language": {"lang": "en"},
    "/account/email": {"email": "matrix@example.se"},
    "/admin/users": {"username": "matrix-user", "role": "analyst"},
    "/admin/users/{username}/active": {"active": "1"},
}


FORMS = {**FOUNDATION_FORMS, **matrix_funding.FORMS, **matrix_surveys.FORMS,
         **matrix_indicators.FORMS}


def concrete(path: str, params: dict[str, str]) -> str:
    for name, value in {"code": "13", "username": "rss", **params}.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no value for a parameter of {path}"
    return path


def test_matrix_covers_every_route() -> None:
    declared = {(method, r.path) for r in app_routes() for method in r.methods}
    assert declared == set(MATRIX)


def test_every_route_declares_a_permission() -> None:
    assert [r.path for r in app_routes() if route_guard(r) is None] == []


def test_app_refuses_an_unguarded_route() -> None:
    router = APIRouter()

    @router.get("/open")
    def open_route() -> str:
        return "x"

    assert unguarded_routes(list(router.routes)) == ["['GET'] /open"]


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_route_access(
    client_as: Callable[[str | None], TestClient], session: Session, method: str, path: str
) -> None:
    params = {**matrix_funding.seed(session), **matrix_surveys.seed(session),
              **matrix_indicators.seed(session)}
    session.commit()
    allowed = MATRIX[(method, path)]
    for caller in CALLERS:
        client = client_as(caller)
        url = concrete(path, params)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**FORMS.get(path, {}), "csrf_token": CSRF})
        location = response.headers.get("location", "")
        denied_anonymously = (
            (url.startswith("/api/") and response.status_code == 401)
            or location.startswith("/login?next=")
            or (response.status_code == 401 and 'data-reason="expired"' in response.text)
        )
        who = caller or "anonymous"
        if caller in allowed:
            assert response.status_code != 403 and not denied_anonymously, (
                f"{who} should reach {method} {url}: {response.status_code} {location}"
            )
            assert response.status_code < 500
        elif caller is None:
            assert denied_anonymously, f"anonymous reached {method} {url}: {response.status_code}"
        else:
            assert response.status_code == 403, (
                f"{who} reached {method} {url}: {response.status_code}"
            )


@pytest.mark.parametrize(
    "path", ["/organisations/{code}/users", "/api/v1/organisations/{code}/users"]
)
def test_respondents_reach_only_their_own_organisation(
    client_as: Callable[[str | None], TestClient], path: str
) -> None:
    own = {"respondent": "13", "foreign": "20", "rss": "RSS13", "municipality": "1384"}
    for caller, code in own.items():
        client = client_as(caller)
        for other in own.values():
            status = client.get(path.replace("{code}", other)).status_code
            assert status == (200 if other == code else 403), (caller, other, status)
