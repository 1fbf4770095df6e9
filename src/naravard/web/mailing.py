"""Messages to an organisation's respondents: their addresses and one message's outcome.

Used by the questionnaire reminders and the stimulus funds' reminders; each records the
outcome in the audit log itself.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard import mail
from naravard.accounts.roles import Role
from naravard.storage import audit
from naravard.storage.models import AuditEvent, Organisation, User

__all__ = ["FAILED", "NO_ADDRESS", "NO_SERVER", "SENT", "body_of", "deliver", "last_sent",
           "record_batch", "respondent_addresses"]

#: Outcomes of one organisation's message.
SENT, NO_ADDRESS, NO_SERVER, FAILED = "sent", "no_address", "no_server", "failed"


def respondent_addresses(session: Session, codes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Organisation code → the e-mail addresses of its active respondent users."""
    rows = session.execute(
        select(Organisation.code, User.email).join(User, User.organisation_id == Organisation.id)
        .where(Organisation.code.in_(list(codes)), User.role == Role.RESPONDENT.value,
               User.is_active.is_(True))
        .order_by(Organisation.code, User.username)
    )  # fmt: skip
    found: dict[str, list[str]] = {}
    for code, address in rows:
        if address and address.strip() and address.strip() not in found.get(code, []):
            found.setdefault(code, []).append(address.strip())
    return {code: tuple(found.get(code, ())) for code in codes}


def deliver(sender: mail.Sender, addresses: Sequence[str], subject: str,
            body: str) -> tuple[str, str]:  # fmt: skip
    """Send one plain-text message to ``addresses`` over the batch's connection: (outcome,
    the server's error or "")."""
    settings = sender.settings
    if not addresses:
        return NO_ADDRESS, ""
    if not settings.enabled:
        return NO_SERVER, ""
    try:
        sender.send(mail.build_message(settings, list(addresses), " ".join(subject.split()),
                                       body))
    except mail.MailError as exc:
        return FAILED, str(exc)
    return SENT, ""


def last_sent(session: Session, action: str, object_type: str, object_id: str
              ) -> dict[str, Any] | None:  # fmt: skip
    """The details of the latest audit event ``action`` on the object (a reminder as a whole:
    its time as ``at``, its counts), with its actor; ``None`` when there is none."""
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == action,
                                 AuditEvent.object_type == object_type,
                                 AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id.desc()).limit(1)
    ).first()  # fmt: skip
    if event is None:
        return None
    details = dict(event.details or {})
    details["actor"] = event.actor
    details["at"] = dt.datetime.fromisoformat(details["at"])
    return details


def body_of(*paragraphs: str) -> str:
    """A plain-text body: the paragraphs separated by a blank line, ending with a newline."""
    return "\n\n".join(paragraphs) + "\n"


def record_batch(session: Session, actor: str, action: str, object_type: str,
                 object_id: str | int, now: dt.datetime,
                 outcomes: Sequence[tuple[str, str]], **details: Any) -> None:
    """Record a batch of messages as a whole (``outcomes``: organisation code and outcome of
    each): its time as ``at``, how many organisations, the count of each outcome and the
    organisations not reached — what :func:`last_sent` reads back."""
    counts = Counter(outcome for _, outcome in outcomes)
    audit.record(session, actor, action, object_type, object_id, None, **details,
                 at=now.astimezone(dt.UTC).isoformat(), organisations=len(outcomes),
                 **{k: counts.get(k, 0) for k in (SENT, NO_ADDRESS, NO_SERVER, FAILED)},
                 not_reached=[code for code, outcome in outcomes if outcome != SENT])
