"""The FastAPI app factory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from naravard import __version__
from naravard.config import Settings, load_settings
from naravard.storage.db import make_engine, session_factory
from naravard.web import (
    account,
    admin,
    api,
    funding,
    indicators,
    indicators_api,
    pages,
    reports,
    surveys,
    surveys_across,
    surveys_admin,
    surveys_return,
)
from naravard.web.api_docs import DOCS_CSP, DOCS_PATH, add_docs
from naravard.web.carry import sign_in_keeping_form
from naravard.web.i18n import pick_language
from naravard.web.rendering import render
from naravard.web.security import (
    CSRF_COOKIE,
    CsrfError,
    Forbidden,
    NotSignedIn,
    unguarded_routes,
)

#: Every router of the app; each of their routes must declare a permission.
ROUTERS = (pages.router, account.router, admin.router, api.router, funding.router, surveys.router,
           surveys_admin.router, surveys_return.router, surveys_across.router, indicators.router,
           indicators_api.router, reports.router)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
}


def app_routes() -> list[APIRoute]:
    """Every API route of the app, with its full path."""
    return [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def secure_cookie(request: Request, settings: Settings) -> bool:
    """Whether cookies get the Secure flag: always, never, or when the request came over https."""
    if settings.secure_cookies == "always":
        return True
    if settings.secure_cookies == "never":
        return False
    return request.url.scheme == "https"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment)."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    app = FastAPI(
        title="Nära API",
        version=__version__,
        description="Open data and follow-up API of Nära (God och nära vård).",
        docs_url=None,  # served from the package by api_docs (no CDN)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    add_docs(app)
    app.mount("/static", StaticFiles(directory=str(files("naravard.web").joinpath("static"))),
              name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.middleware("http")
    async def language_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.lang = pick_language(
            request.cookies.get("lang"), request.headers.get("accept-language"),
            settings.default_language,
        )
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            if key == "Content-Security-Policy" and request.url.path == DOCS_PATH:
                value = DOCS_CSP
            response.headers.setdefault(key, value)
        token = getattr(request.state, "csrf", None)
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                                secure=secure_cookie(request, settings), path="/")
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "not signed in"}, status_code=401)
        if request.method == "POST":
            return await sign_in_keeping_form(request)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "forbidden"}, status_code=403)
        return render(request, "error.html", status_code=403, code=403)

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, _exc: CsrfError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, status_code=403)
        return render(request, "error.html", status_code=403, code="csrf")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return await request_validation_exception_handler(request, exc)
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        return render(request, "error.html", status_code=400, code=400, fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request) or exc.status_code != 404:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render(request, "error.html", status_code=404, code=404)

    missing = unguarded_routes(app_routes())
    if missing:
        raise RuntimeError(f"routes without a declared permission: {missing}")
    return app
