"""``naravard serve`` starts the server and loads the chart libraries beside it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from typer.testing import CliRunner

from naravard.cli import serve as serve_module
from naravard.cli.main import app
from naravard.indicators import charts


def test_serve_warms_the_charts_while_the_server_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    warmed = threading.Event()
    started: dict[str, Any] = {}
    monkeypatch.setattr(charts, "warm", warmed.set)
    monkeypatch.setattr(serve_module.uvicorn, "run",
                        lambda target, **kw: started.update(target=target, **kw))
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123" in result.output
    assert started["target"] == "naravard.web.app:create_app" and started["factory"] is True
    assert started["port"] == 8123
    assert warmed.wait(10)
