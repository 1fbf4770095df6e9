"""Eligibility for next year's money: a condition met by a submission before a deadline."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from naravard.funding.deadlines import Deadline, is_on_time, is_overdue


class Eligibility(StrEnum):
    """Whether a condition such as "interim report by 30 September" is met."""

    MET = "met"
    NOT_MET = "not_met"
    PENDING = "pending"


def condition_status(
    deadline: Deadline, submitted_at: dt.datetime | None, now: dt.datetime
) -> Eligibility:
    """Met if submitted on time; pending while the deadline is open; otherwise not met."""
    if submitted_at is not None:
        return Eligibility.MET if is_on_time(submitted_at, deadline) else Eligibility.NOT_MET
    return Eligibility.NOT_MET if is_overdue(now, deadline) else Eligibility.PENDING
