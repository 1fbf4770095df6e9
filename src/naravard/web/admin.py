"""Administration: users and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.passwords import WeakPasswordError, generate_password
from naravard.accounts.roles import Permission, Principal, Role, RoleError
from naravard.storage import audit, reference_repo, users_repo
from naravard.web.rendering import render
from naravard.web.security import get_db, guard

router = APIRouter(prefix="/admin", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]


def _users_page(request: Request, db: Session, **extra: Any) -> Response:
    orgs = [o for kind in ("region", "rss", "municipality")
            for o in reference_repo.organisations(db, kind)]
    return render(request, "admin_users.html", users=users_repo.list_users(db), orgs=orgs,
                  roles=list(Role), **extra)


@router.get("/users", response_class=HTMLResponse, dependencies=[guard(Permission.MANAGE_USERS)])
def users(request: Request, db: Db) -> Response:
    """All users, and a form to add one."""
    return _users_page(request, db, error=None, created=None, form={})


@router.post("/users")
def add_user(
    request: Request,
    db: Db,
    principal: Principal = guard(Permission.MANAGE_USERS),
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
) -> Response:
    """Add a user with a generated password shown once."""
    form = {"username": username, "display_name": display_name, "email": email, "role": role,
            "organisation": organisation}
    password = generate_password()
    try:
        users_repo.create_user(db, username, password, Role(role), organisation or None,
                               display_name or None, email or None, actor=principal.username)
    except (users_repo.UserError, RoleError, WeakPasswordError, ValueError) as exc:
        db.rollback()
        return _users_page(request, db, error=str(exc), created=None, form=form)
    db.commit()
    return _users_page(request, db, error=None, created=(username.strip().lower(), password),
                       form={})


@router.post("/users/{username}/active")
def toggle_user(
    request: Request,
    db: Db,
    username: str,
    principal: Principal = guard(Permission.MANAGE_USERS),
    active: Annotated[str, Form()] = "0",
) -> Response:
    """Disable or enable a user."""
    try:
        users_repo.set_active(db, username, active == "1", actor=principal.username)
    except users_repo.UserError:
        return render(request, "error.html", status_code=404, code=404)
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{username}/password")
def new_password(
    request: Request,
    db: Db,
    username: str,
    principal: Principal = guard(Permission.MANAGE_USERS),
) -> Response:
    """Give a user a new generated password, shown once (their sessions end; audited)."""
    password = generate_password()
    try:
        user = users_repo.set_password(db, username, password, actor=principal.username)
    except users_repo.UserError:
        return render(request, "error.html", status_code=404, code=404)
    db.commit()
    return _users_page(request, db, error=None, created=None, form={},
                       new_password=(user.username, password))


@router.get("/audit", response_class=HTMLResponse, dependencies=[guard(Permission.VIEW_AUDIT)])
def audit_log(request: Request, db: Db) -> Response:
    """The newest audit events."""
    return render(request, "audit.html", events=audit.recent(db))
