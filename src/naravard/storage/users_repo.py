"""Users, sign-in, sessions and login rate limiting."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from naravard.accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from naravard.accounts.roles import Principal, Role, check_binding
from naravard.storage import audit
from naravard.storage.models import LoginAttempt, Organisation, User, WebSession, utcnow


class UserError(ValueError):
    """A user operation that cannot be done; the message says why."""


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    organisation_code: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    actor: str = "system",
) -> User:
    """Add a user; respondents must name an existing organisation."""
    username = username.strip().lower()
    if not username:
        raise UserError("user name is empty")
    check_binding(role, organisation_code)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise UserError(f"user {username} already exists")
    org = None
    if organisation_code:
        org = session.scalar(select(Organisation).where(Organisation.code == organisation_code))
        if org is None:
            raise UserError(f"no organisation with code {organisation_code}")
    user = User(username=username, display_name=display_name or username, email=email,
                password_hash=hash_password(password), role=role.value,
                organisation_id=org.id if org else None, is_active=True)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", username,
                 organisation_code, role=role.value)
    return user


def get_user(session: Session, username: str) -> User | None:
    """The user called ``username``."""
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users(session: Session, organisation_code: str | None = None) -> list[User]:
    """Users ordered by name, optionally only those of one organisation."""
    query = select(User).order_by(User.username)
    if organisation_code is not None:
        query = query.join(Organisation, User.organisation_id == Organisation.id).where(
            Organisation.code == organisation_code
        )
    return list(session.scalars(query))


def set_active(session: Session, username: str, active: bool, actor: str = "system") -> User:
    """Disable (or enable) a user; disabling ends every session of theirs."""
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username}")
    user.is_active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, actor, "user.enable" if active else "user.disable", "user",
                 user.username, _org_code(user))
    return user


def set_password(session: Session, username: str, password: str, actor: str = "system") -> User:
    """Replace a user's password and end their sessions."""
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username}")
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, actor, "user.set_password", "user", user.username, _org_code(user))
    return user


#: What an e-mail address must look like (one @, a dot in the domain, no spaces).
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def set_email(session: Session, username: str, email: str | None, actor: str) -> User:
    """Set (or, with an empty value, remove) a user's e-mail address, where receipts and
    reminders go; audited without the address itself."""
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username}")
    address = (email or "").strip()
    if address and (len(address) > 254 or not EMAIL.match(address)):
        raise UserError("Give an e-mail address such as namn@region.se, or leave it empty.")
    user.email = address or None
    audit.record(session, actor, "user.set_email", "user", user.username, _org_code(user),
                 has_address=bool(address))
    return user


def change_own_password(session: Session, user: User, current: str, new: str, token: str,
                        client: str, max_failures: int = 5,
                        window: dt.timedelta = dt.timedelta(minutes=15)) -> None:
    """Replace a signed-in user's password after checking the current one (a wrong one counts
    as a failed sign-in, and is refused while throttled); the user's other sessions end, the
    one with ``token`` stays. Raises :class:`UserError` or ``WeakPasswordError``."""
    if is_throttled(session, user.username, client, max_failures, window):
        audit.record(session, user.username, "login.throttled", "user", user.username,
                     client=client)
        raise UserError("Too many wrong passwords; try again later.")
    if not verify_password(user.password_hash, current):
        session.add(LoginAttempt(username=user.username, client=client))
        audit.record(session, user.username, "user.change_password.failed", "user",
                     user.username, _org_code(user), client=client)
        raise UserError("The current password is wrong.")
    user.password_hash = hash_password(new)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id,
                                             WebSession.token_hash != _token_hash(token)))
    audit.record(session, user.username, "user.change_password", "user", user.username,
                 _org_code(user))


def _org_code(user: User) -> str | None:
    return user.organisation.code if user.organisation else None


def principal_of(user: User) -> Principal:
    """The policy's view of ``user``."""
    org = user.organisation
    return Principal(user.id, user.username, user.display_name, Role(user.role),
                     org.code if org else None, org.name if org else None)


@dataclass(frozen=True)
class LoginOutcome:
    """Result of a sign-in attempt; ``token`` is set only on success."""

    ok: bool
    token: str | None = None
    user: User | None = None
    throttled: bool = False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_throttled(
    session: Session, username: str, client: str, max_failures: int, window: dt.timedelta
) -> bool:
    """Too many recent failures for this user name, or four times as many from this client."""
    since = utcnow() - window
    by_name = session.scalar(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.at >= since)
    ) or 0
    by_client = session.scalar(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.client == client, LoginAttempt.at >= since)
    ) or 0
    return by_name >= max_failures or by_client >= 4 * max_failures


def login(
    session: Session,
    username: str,
    password: str,
    client: str,
    session_hours: int,
    max_failures: int = 5,
    window: dt.timedelta = dt.timedelta(minutes=15),
) -> LoginOutcome:
    """Check credentials with rate limiting; on success open a session and return its token."""
    name = username.strip().lower()[:100]
    if is_throttled(session, name, client, max_failures, window):
        audit.record(session, name or "-", "login.throttled", "user", name or "-", client=client)
        return LoginOutcome(False, throttled=True)
    user = get_user(session, name) if name else None
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not ok or not user.is_active:
        session.add(LoginAttempt(username=name, client=client))
        audit.record(session, name or "-", "login.failed", "user", name or "-", client=client)
        return LoginOutcome(False)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == name))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(WebSession(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                           expires_at=now + dt.timedelta(hours=session_hours)))
    user.last_login_at = now
    audit.record(session, user.username, "login", "user", user.username, _org_code(user))
    return LoginOutcome(True, token=token, user=user)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user whose unexpired session has ``token``."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _token_hash(token)))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires <= utcnow() or not row.user.is_active:
        return None
    return row.user


def logout(session: Session, token: str) -> None:
    """End the session with ``token`` (and any expired ones)."""
    session.execute(
        delete(WebSession).where(
            or_(WebSession.token_hash == _token_hash(token), WebSession.expires_at <= utcnow())
        )
    )
