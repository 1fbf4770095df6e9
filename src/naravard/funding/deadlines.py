"""Deadlines: a day in Europe/Stockholm; arrival any time on that day is on time.

A deadline ``2020-12-01`` closes at ``2020-12-02 00:00`` Stockholm time: ``23:59:59`` on the
first is on time, midnight is late. Arrival times must carry a time zone. A deadline that falls on
a Saturday or Sunday stays put unless the agreement says it moves (``WeekendRule.NEXT_WEEKDAY``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from naravard.funding.agreements import Agreement, Duty, DutyKind, Party, WeekendRule

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class NaiveTimeError(ValueError):
    """A time of arrival without a time zone."""


@dataclass(frozen=True)
class Deadline:
    """Last day for something to arrive, and whether a weekend moves it."""

    day: dt.date
    weekend_rule: WeekendRule = WeekendRule.STAYS

    @property
    def effective_day(self) -> dt.date:
        """The last day after the weekend rule (Saturday/Sunday → Monday if it moves)."""
        if self.weekend_rule is WeekendRule.NEXT_WEEKDAY and self.day.weekday() >= 5:
            return self.day + dt.timedelta(days=7 - self.day.weekday())
        return self.day

    @property
    def closes_at(self) -> dt.datetime:
        """First instant that is late: midnight after the effective day, Stockholm time."""
        next_day = self.effective_day + dt.timedelta(days=1)
        return dt.datetime.combine(next_day, dt.time(0), tzinfo=STOCKHOLM)


def local_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` in Stockholm time; :class:`NaiveTimeError` if it has no time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveTimeError(f"time {moment.isoformat()} has no time zone")
    return moment.astimezone(STOCKHOLM)


def is_on_time(arrived_at: dt.datetime, deadline: Deadline) -> bool:
    """Whether something that arrived at ``arrived_at`` met ``deadline``."""
    return local_time(arrived_at).date() <= deadline.effective_day


def days_late(arrived_at: dt.datetime, deadline: Deadline) -> int:
    """Calendar days after the effective deadline day (0 when on time)."""
    return max(0, (local_time(arrived_at).date() - deadline.effective_day).days)


def is_overdue(now: dt.datetime, deadline: Deadline) -> bool:
    """Whether, at ``now``, the deadline has passed."""
    return local_time(now) >= deadline.closes_at


def duty_deadline(duty: Duty) -> Deadline | None:
    """The deadline of a duty (``None`` if the agreement gives none)."""
    return None if duty.deadline is None else Deadline(duty.deadline, duty.weekend_rule)


def duties_of(agreement: Agreement, party: Party, kind: DutyKind | None = None) -> list[Duty]:
    """The duties ``party`` owes under ``agreement`` (optionally of one kind), by deadline."""
    found = [d for d in agreement.duties if party in d.who and (kind is None or d.kind is kind)]
    return sorted(found, key=lambda d: (d.deadline is None, d.deadline or dt.date.max, d.id))


def format_local(moment: dt.datetime) -> str:
    """``2020-12-01 23:59:59`` in Stockholm time, for messages."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M:%S")
