"""The migration chain: upgrade from empty, down to nothing and up again; audit is append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from naravard.storage import audit, reference_repo
from naravard.storage.db import make_engine, session_factory
from naravard.storage.migrate import current_revision, downgrade, head_revision, upgrade
from naravard.storage.models import Base


def test_upgrade_from_empty_sqlite(tmp_path: pytest.TempPathFactory) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_down_to_base_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert "organisations" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    with session_factory(engine)() as s, s.begin():
        result = reference_repo.load_reference(s)
    assert result.organisations == 333


def test_audit_log_refuses_update_and_delete(session: Session) -> None:
    audit.record(session, "tester", "test.event", "thing", 1, "13", note="x")
    session.commit()
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1
