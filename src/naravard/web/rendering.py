"""Template rendering with the request's language, principal, CSRF token and Swedish formatting."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from naravard import __version__, formatting
from naravard.web.i18n import LANGUAGE_NAMES, gettext_for
from naravard.web.security import CSRF_FIELD, csrf_token

templates = Jinja2Templates(directory=str(files("naravard.web").joinpath("templates")))
templates.env.filters.update(
    int=formatting.fmt_int,
    decimal=formatting.fmt_decimal,
    percent=formatting.fmt_percent,
    sek=formatting.fmt_sek,
    isodate=formatting.fmt_date,
)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``name`` for this request."""
    lang = request.state.lang
    ctx = {
        "_": gettext_for(lang),
        "lang": lang,
        "languages": LANGUAGE_NAMES,
        "principal": getattr(request.state, "principal", None),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "version": __version__,
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
