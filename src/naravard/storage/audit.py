"""Append-only audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.storage.models import AuditEvent


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    organisation_code: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the change)."""
    event = AuditEvent(actor=actor, action=action, object_type=object_type,
                       object_id=str(object_id), organisation_code=organisation_code,
                       details=details)
    session.add(event)
    return event


def recent(session: Session, limit: int = 200) -> list[AuditEvent]:
    """Newest events first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
