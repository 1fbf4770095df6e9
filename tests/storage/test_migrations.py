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


def test_results_stored_before_intervals_keep_their_values(engine: Engine) -> None:
    """0007 adds each result's interval: rows stored before keep every value, without one."""
    downgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO indicator_snapshots (id, checksum, label, source, created_at, "
            "created_by, stored_at, stored_by, revision, engine, years, definitions, files, "
            "disclosed_input, demo) VALUES (1, 'c', 'old', 's', :t, 'a', :t, 'a', 1, 'duckdb', "
            "'[2023]', '{}', '{}', :f, :f)"), {"t": "2024-01-01 00:00:00+00:00", "f": False})
        conn.execute(text(
            "INSERT INTO indicator_results (snapshot_id, indicator, version, variant, period, "
            "area_level, area_code, sex, numerator, denominator, value, status) VALUES "
            "(1, 'ed_visits_80plus', '1.1', 'visits', '2023', 'nation', '00', 'T', 4, 70, "
            ":v, 'ok')"), {"v": 4000 / 70})
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT numerator, denominator, value, status, ci_low, ci_high "
            "FROM indicator_results")).one()
    assert tuple(row) == (4.0, 70.0, pytest.approx(4000 / 70), "ok", None, None)
    downgrade(engine, "base")
    upgrade(engine)
