"""The web fixtures (app, signed-in clients) for the funding web tests."""

from __future__ import annotations

from tests.web.conftest import app, client, client_as  # noqa: F401
