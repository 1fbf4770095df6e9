"""The demo's funding step: what it adds, and that a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naravard.funding.deadlines import STOCKHOLM
from naravard.storage import funding_overview as overview
from naravard.storage.funding_demo import add_funding_demo
from naravard.storage.funding_tables import StoredRequisition
from naravard.storage.models import AuditEvent
from tests.funding.seeding import DALARNA_NARA_VARD, HALLAND_NARA_VARD


def test_demo_funding_step_is_idempotent(session: Session) -> None:
    first = add_funding_demo(session)
    assert "7 frozen lines; 3 requisitions" in first
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    second = add_funding_demo(session)
    assert "already present" in second
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    reqs = list(session.scalars(select(StoredRequisition).order_by(StoredRequisition.id)))
    assert [(r.recipient_code, r.amount_sek, r.status) for r in reqs] == [
        ("13", HALLAND_NARA_VARD, "paid"), ("13", 10_000_000, "paid"),
        ("20", DALARNA_NARA_VARD, "submitted")]
    now = dt.datetime(2021, 4, 15, 9, 0, tzinfo=STOCKHOLM)
    halland = next(s for s in overview.recipient_summaries(session, "gonv-2020", now)
                   if s.code == "13")
    assert halland.report is not None and halland.obligation is not None
    # Received 95 223 749 + 10 000 000 = 105 223 749 kr; costs 61 400 000 + 18 250 000 +
    # 9 800 000 = 89 450 000 kr; unspent 15 773 749 kr to repay by 2021-03-31.
    assert (halland.report.received_sek, halland.report.total_costs_sek) == (
        105_223_749, 89_450_000)
    assert halland.obligation.amount_sek == 15_773_749
    assert halland.reclaim is not None
    assert (halland.reclaim.days_late, halland.reclaim.status) == (9, "to_decide")
    statuses = {e.organisation_code: e.status.value
                for e in overview.eligibility(session, "gonv-2020", now)}
    assert (statuses["13"], statuses["20"], statuses["01"]) == ("met", "not_met", "not_met")
