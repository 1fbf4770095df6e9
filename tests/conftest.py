"""Shared fixtures: a fresh database per test on SQLite always and PostgreSQL when configured.

``NARAVARD_TEST_DATABASE_URL`` (a PostgreSQL URL) adds the PostgreSQL run. Every database test gets
the base state: schema at head, shipped reference data, and one user per role (see ``USERS``).
SQLite tests copy a template file; PostgreSQL tests truncate and re-seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from naravard.accounts.passwords import hash_password
from naravard.accounts.roles import Role
from naravard.config import Settings
from naravard.storage import indicator_repo, reference_repo
from naravard.storage.db import make_engine, session_factory
from naravard.storage.migrate import upgrade
from naravard.storage.models import Base, Organisation, User, WebSession, utcnow
from tests.smtp import SmtpSink

PG_URL = os.environ.get("NARAVARD_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@dataclass(frozen=True)
class TestUser:
    """A user of the base state."""

    username: str
    role: Role
    org: str | None
    password: str


USERS = {
    "admin": TestUser("admin", Role.ADMIN, None, "admin-password-123"),
    "analyst": TestUser("analyst", Role.ANALYST, None, "analyst-password-123"),
    "grant_officer": TestUser("grant_officer", Role.GRANT_OFFICER, None, "grant-password-123"),
    "respondent": TestUser("respondent", Role.RESPONDENT, "13", "halland-password-123"),
    "foreign": TestUser("foreign", Role.RESPONDENT, "20", "dalarna-password-123"),
    "rss": TestUser("rss", Role.RESPONDENT, "RSS13", "rss-halland-password-1"),
    "municipality": TestUser("municipality", Role.RESPONDENT, "1384", "kungsbacka-password-1"),
}


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """Argon2 hashes of the test users' passwords, computed once."""
    return {name: hash_password(u.password) for name, u in USERS.items()}


def seed_base(engine: Engine, hashes: dict[str, str]) -> None:
    """Reference data and the test users."""
    with session_factory(engine)() as session, session.begin():
        reference_repo.load_reference(session)
        ids = {o.code: o.id for o in session.query(Organisation)}
        for name, u in USERS.items():
            session.add(User(username=u.username, display_name=u.username.title(), email=None,
                             password_hash=hashes[name], role=u.role.value,
                             organisation_id=ids[u.org] if u.org else None, is_active=True))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, password_hashes: dict[str, str]
                    ) -> Path:
    """A migrated, seeded SQLite file copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_base(engine, password_hashes)
    engine.dispose()
    return path


def reset_postgres(engine: Engine, hashes: dict[str, str]) -> None:
    """Empty every table (audit triggers bypassed for the test reset only) and re-seed."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    seed_base(engine, hashes)


@pytest.fixture(scope="session")
def postgres_engine(password_hashes: dict[str, str]) -> Iterator[Engine | None]:
    """A PostgreSQL database of this test run's own, created next to the configured one, migrated
    once and dropped at the end (so concurrent runs never share tables)."""
    if not PG_URL:
        yield None
        return
    base = make_url(PG_URL)
    name = f"{base.database}_run_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_engine: Engine | None,
    password_hashes: dict[str, str],
) -> str:
    """URL of a database in the base state, fresh for this test."""
    if request.param == "sqlite":
        target = tmp_path / "naravard.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    assert postgres_engine is not None
    reset_postgres(postgres_engine, password_hashes)
    return postgres_engine.url.render_as_string(hide_password=False)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Engine on the test database (with no results cached from another test's)."""
    indicator_repo.clear_caches()
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database (the test commits what it wants to keep)."""
    with session_factory(engine)() as s:
        yield s


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings of the app under test."""
    return Settings(database_url=db_url, data_dir=tmp_path / "var", session_hours=8,
                    secure_cookies="auto", default_language="sv", login_max_failures=5,
                    login_window_minutes=15)


def open_session_token(engine: Engine, username: str) -> str:
    """Open a web session for ``username`` directly (tests that are not about signing in)."""
    token = secrets.token_urlsafe(32)
    with session_factory(engine)() as s, s.begin():
        user = s.query(User).filter_by(username=username).one()
        s.add(WebSession(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                         created_at=utcnow(), expires_at=utcnow() + dt.timedelta(hours=1)))
    return token


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A local SMTP server; its received messages are in ``.messages``."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
