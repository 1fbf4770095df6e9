"""Web fixtures: the app on the test database and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from naravard.config import Settings
from naravard.web.app import create_app
from naravard.web.security import CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import open_session_token

CSRF = "test-csrf-token-0123456789"


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The app under test."""
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """An anonymous browser with a CSRF cookie."""
    c = TestClient(app, follow_redirects=False)
    c.cookies.set(CSRF_COOKIE, CSRF)
    return c


@pytest.fixture
def client_as(app: FastAPI, engine: Engine) -> Callable[[str | None], TestClient]:
    """A browser signed in as one of the test users (``None``: anonymous)."""

    def make(username: str | None) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        c.cookies.set(CSRF_COOKIE, CSRF)
        if username:
            c.cookies.set(SESSION_COOKIE, open_session_token(engine, username))
        return c

    return make


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)
