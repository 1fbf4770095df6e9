"""Users, sign-in, rate limiting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.accounts.passwords import WeakPasswordError
from naravard.accounts.roles import Role, RoleError
from naravard.storage import users_repo
from naravard.storage.models import AuditEvent, User
from tests.conftest import USERS


def test_create_and_login(session: Session) -> None:
    users_repo.create_user(session, "New.User", "a-long-password-1", Role.RESPONDENT, "1384",
                           "Ny Användare")
    session.commit()
    user = users_repo.get_user(session, "new.user")
    assert user is not None and user.organisation is not None
    assert user.organisation.code == "1384"
    assert user.password_hash.startswith("$argon2id$")
    ok = users_repo.login(session, "NEW.USER ", "a-long-password-1", "1.2.3.4", 8)
    assert ok.ok and ok.token
    assert users_repo.user_for_token(session, ok.token) is not None
    users_repo.logout(session, ok.token)
    assert users_repo.user_for_token(session, ok.token) is None


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("x", "short", Role.ANALYST, None), WeakPasswordError),
        (("x", "long-enough-password", Role.RESPONDENT, None), RoleError),
        (("x", "long-enough-password", Role.ANALYST, "13"), RoleError),
        (("x", "long-enough-password", Role.RESPONDENT, "99"), users_repo.UserError),
        (("admin", "long-enough-password", Role.ANALYST, None), users_repo.UserError),
    ],
)
def test_create_refused(session: Session, args: tuple, error: type[Exception]) -> None:
    with pytest.raises(error):
        users_repo.create_user(session, *args)


def test_throttling_after_failures(session: Session) -> None:
    u = USERS["analyst"]
    for _ in range(5):
        assert not users_repo.login(session, u.username, "wrong", "9.9.9.9", 8).ok
    session.commit()
    outcome = users_repo.login(session, u.username, u.password, "9.9.9.9", 8)
    assert outcome.throttled and not outcome.ok
    # Another user from elsewhere is not affected.
    assert users_repo.login(session, "admin", USERS["admin"].password, "8.8.8.8", 8).ok
    # Failures older than the window no longer count.
    assert users_repo.login(session, u.username, u.password, "9.9.9.9", 8,
                            window=dt.timedelta(seconds=0)).ok
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("login.failed") == 5 and "login.throttled" in actions


def test_disable_ends_sessions(session: Session) -> None:
    outcome = users_repo.login(session, "analyst", USERS["analyst"].password, "1.1.1.1", 8)
    assert outcome.token
    users_repo.set_active(session, "analyst", False)
    session.commit()
    assert users_repo.user_for_token(session, outcome.token) is None
    assert not users_repo.login(session, "analyst", USERS["analyst"].password, "1.1.1.1", 8).ok


def test_set_password(session: Session) -> None:
    users_repo.set_password(session, "rss", "a-brand-new-password")
    session.commit()
    assert users_repo.login(session, "rss", "a-brand-new-password", "1.1.1.1", 8).ok
    assert not users_repo.login(session, "rss", USERS["rss"].password, "1.1.1.2", 8).ok


def test_expired_session(session: Session) -> None:
    outcome = users_repo.login(session, "admin", USERS["admin"].password, "1.1.1.1", 0)
    assert outcome.token and users_repo.user_for_token(session, outcome.token) is None
    assert session.scalar(select(User).where(User.username == "admin")) is not None
