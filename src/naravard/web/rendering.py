"""Template rendering with the request's language, principal, CSRF token and Swedish formatting."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from naravard import __version__, formatting
from naravard.web.i18n import LANGUAGE_NAMES, gettext_for
from naravard.web.security import CSRF_FIELD, csrf_token, current_principal

templates = Jinja2Templates(directory=str(files("naravard.web").joinpath("templates")))
templates.env.filters.update(
    int=formatting.fmt_int,
    decimal=formatting.fmt_decimal,
    percent=formatting.fmt_percent,
    sek=formatting.fmt_sek,
    isodate=formatting.fmt_date,
)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``name`` for this request, its header as the session's."""
    lang = request.state.lang
    ctx = {
        "_": gettext_for(lang),
        "lang": lang,
        "languages": LANGUAGE_NAMES,
        "principal": _principal(request),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "version": __version__,
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def _principal(request: Request) -> Any:
    """The session's principal, read here where no route's guard has read it (an unknown page,
    a request refused before its route ran)."""
    if not hasattr(request.state, "principal"):
        with request.app.state.sessions() as db:
            current_principal(request, db)
    return request.state.principal
