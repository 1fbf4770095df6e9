"""A signed-in user's own account: the e-mail address receipts and reminders go to, and the
password (the current one checked, the other sessions ended)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from naravard.accounts.passwords import MIN_LENGTH, WeakPasswordError
from naravard.accounts.roles import Permission, Principal
from naravard.storage import users_repo
from naravard.web.i18n import gettext_for
from naravard.web.rendering import render
from naravard.web.security import SESSION_COOKIE, get_db, guard
from naravard.web.surveys_receipt import stockholm_time

router = APIRouter(prefix="/account", include_in_schema=False)
Db = Annotated[Session, Depends(get_db)]


def _page(request: Request, db: Session, principal: Principal, status_code: int = 200,
          **extra: Any) -> Response:  # fmt: skip
    user = users_repo.get_user(db, principal.username)
    context = {"email_error": None, "password_error": None, "email_value": None, **extra}
    return render(request, "account.html", status_code=status_code, user=user,
                  local_time=stockholm_time,
                  notice=request.query_params.get("notice"), min_length=MIN_LENGTH, **context)


@router.get("", response_class=HTMLResponse)
def account(request: Request, db: Db,
            principal: Principal = guard(Permission.SIGNED_IN)) -> Response:  # fmt: skip
    """The user's name, role and organisation; forms for the e-mail address and password."""
    return _page(request, db, principal)


@router.post("/email")
def set_email(request: Request, db: Db, principal: Principal = guard(Permission.SIGNED_IN),
              email: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Set or remove the user's own e-mail address (audited)."""
    try:
        users_repo.set_email(db, principal.username, email, actor=principal.username)
    except users_repo.UserError as exc:
        db.rollback()
        _ = gettext_for(request.state.lang)
        return _page(request, db, principal, 422, email_error=_(str(exc)), email_value=email)
    db.commit()
    return RedirectResponse("/account?notice=email", status_code=303)


@router.post("/password")
def change_password(
    request: Request, db: Db, principal: Principal = guard(Permission.SIGNED_IN),
    current: Annotated[str, Form()] = "", new: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "",
) -> Response:
    """Change the user's own password; a wrong current password counts as a failed sign-in."""
    _ = gettext_for(request.state.lang)
    user = users_repo.get_user(db, principal.username)
    assert user is not None  # the guard found the user
    if new != repeat:
        return _page(request, db, principal, 422,
                     password_error=_("The new password and its repetition differ."))
    settings = request.app.state.settings
    try:
        users_repo.change_own_password(
            db, user, current, new, request.cookies.get(SESSION_COOKIE, ""),
            request.client.host if request.client else "unknown",
            settings.login_max_failures, dt.timedelta(minutes=settings.login_window_minutes))
    except WeakPasswordError:
        db.rollback()
        return _page(request, db, principal, 422, password_error=_(
            "The new password must have at least %(n)s characters.", n=MIN_LENGTH))
    except users_repo.UserError as exc:
        db.commit()  # the failed attempt is kept: it counts towards the pause
        return _page(request, db, principal, 422, password_error=_(str(exc)))
    db.commit()
    return RedirectResponse("/account?notice=password", status_code=303)
