"""Sign-in state, CSRF and the route guard: every route declares one permission, checked here."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, Principal, is_allowed
from naravard.storage.users_repo import principal_of, user_for_token

SESSION_COOKIE = "naravard_session"
CSRF_COOKIE = "naravard_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Framework routes that carry no data: the OpenAPI description and its viewer.
FRAMEWORK_PATHS = frozenset(
    {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/oauth2-redirect"}
)


class NotSignedIn(Exception):
    """The route needs a signed-in user."""


class Forbidden(Exception):
    """The signed-in user may not do this."""


class CsrfError(Exception):
    """A state-changing request without a valid CSRF token."""


def get_db(request: Request) -> Any:
    """One database session per request; handlers commit what they change."""
    with request.app.state.sessions() as session:
        yield session


def current_principal(request: Request, db: Session) -> Principal | None:
    """The principal of the session cookie, loaded once per request."""
    if hasattr(request.state, "principal"):
        return request.state.principal  # type: ignore[no-any-return]
    token = request.cookies.get(SESSION_COOKIE)
    user = user_for_token(db, token) if token else None
    principal = principal_of(user) if user else None
    request.state.principal = principal
    return principal


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (from its cookie, or a new one the response will set)."""
    token = getattr(request.state, "csrf", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request whose form field or header does not match the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = str((await request.form()).get(CSRF_FIELD) or "")
    if not cookie or not sent or not secrets.compare_digest(cookie, sent):
        raise CsrfError


#: Finds the organisation a request is about, from its path parameters and the database.
ScopeResolver = Callable[[dict[str, Any], Session], str | None]


def guard(permission: Permission, scope: str | ScopeResolver | None = None) -> Any:
    """Dependency declaring a route's permission.

    ``scope`` says which organisation the permission applies to: the name of a path parameter
    holding an organisation code, or a function of the path parameters and the database session
    that returns the code of the organisation owning the object (``None`` when there is no such
    object: the request is then refused for scoped permissions, and the handler's 404 is never
    reached by someone who may not know whether it exists).
    """

    async def dependency(request: Request, db: Session = Depends(get_db)) -> Principal | None:
        principal = current_principal(request, db)
        if request.method not in SAFE_METHODS:
            await check_csrf(request)
        if scope is None:
            org = None
        elif isinstance(scope, str):
            org = request.path_params.get(scope)
        else:
            org = scope(dict(request.path_params), db)
        if not is_allowed(principal, permission, org):
            raise NotSignedIn if principal is None else Forbidden
        return principal

    dependency.naravard_permission = permission  # type: ignore[attr-defined]
    dependency.naravard_scope = scope  # type: ignore[attr-defined]
    return Depends(dependency)


def route_guard(route: APIRoute) -> tuple[Permission, str | ScopeResolver | None] | None:
    """The permission and scope a route declares, or ``None`` when it declares none."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call: Callable[..., Awaitable[Any]] | None = dep.call
        if call is not None and hasattr(call, "naravard_permission"):
            return call.naravard_permission, call.naravard_scope  # type: ignore[attr-defined]
        stack.extend(dep.dependencies)
    return None


def unguarded_routes(routes: list[Any]) -> list[str]:
    """Paths of API routes that declare no permission (the app refuses to start with any)."""
    return [
        f"{sorted(r.methods or ())} {r.path}"
        for r in routes
        if isinstance(r, APIRoute) and r.path not in FRAMEWORK_PATHS and route_guard(r) is None
    ]
