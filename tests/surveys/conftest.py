"""Web fixtures for the surveys tests (the app, signed-in clients) and a settable clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from naravard.web.surveys import surveys_clock
from tests.surveys.rounds import DURING
from tests.web.conftest import app, client, client_as  # noqa: F401 (fixtures)


@dataclass
class Clock:
    """The time the app sees; tests move it instead of sleeping."""

    now: dt.datetime


@pytest.fixture
def clock(app: FastAPI) -> Iterator[Clock]:  # noqa: F811
    """The app's clock, starting at ``DURING`` (2024-02-01 10:00 Swedish time)."""
    c = Clock(DURING)
    app.dependency_overrides[surveys_clock] = lambda: c.now
    yield c
    app.dependency_overrides.pop(surveys_clock, None)
