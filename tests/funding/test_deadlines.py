"""Deadlines in Europe/Stockholm: the whole deadline day counts; weekends do not move it."""

from __future__ import annotations

import datetime as dt

import pytest

from naravard.funding.agreement_files import find_agreement, shipped_agreements
from naravard.funding.agreements import DutyKind, Party, WeekendRule
from naravard.funding.deadlines import (
    STOCKHOLM,
    Deadline,
    NaiveTimeError,
    days_late,
    duties_of,
    duty_deadline,
    is_on_time,
    is_overdue,
)

UTC = dt.UTC
REQUISITION = Deadline(dt.date(2020, 12, 1))  # a Tuesday, winter time (UTC+1)
REPORT = Deadline(dt.date(2021, 3, 31))  # a Wednesday, summer time (UTC+2)


def sthlm(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def test_arrival_on_the_deadline_day_is_on_time_until_midnight() -> None:
    assert is_on_time(sthlm(2020, 12, 1, 0, 0), REQUISITION)
    assert is_on_time(sthlm(2020, 12, 1, 23, 59, 59), REQUISITION)
    assert is_on_time(sthlm(2020, 12, 1, 23, 59, 59, 999999), REQUISITION)
    assert not is_on_time(sthlm(2020, 12, 2, 0, 0), REQUISITION)
    assert is_on_time(sthlm(2020, 11, 2, 9, 0), REQUISITION)


def test_arrival_time_is_judged_in_stockholm_time() -> None:
    # 22:59:59 UTC is 23:59:59 in Stockholm in December; 23:00 UTC is already the next day
    assert is_on_time(dt.datetime(2020, 12, 1, 22, 59, 59, tzinfo=UTC), REQUISITION)
    assert not is_on_time(dt.datetime(2020, 12, 1, 23, 0, tzinfo=UTC), REQUISITION)
    # summer time: UTC+2
    assert is_on_time(dt.datetime(2021, 3, 31, 21, 59, 59, tzinfo=UTC), REPORT)
    assert not is_on_time(dt.datetime(2021, 3, 31, 22, 0, tzinfo=UTC), REPORT)


def test_closing_instant() -> None:
    assert REQUISITION.closes_at == sthlm(2020, 12, 2, 0, 0)
    assert REQUISITION.closes_at.astimezone(UTC) == dt.datetime(2020, 12, 1, 23, 0, tzinfo=UTC)


def test_naive_times_are_refused() -> None:
    with pytest.raises(NaiveTimeError, match="no time zone"):
        is_on_time(dt.datetime(2020, 12, 1, 12, 0), REQUISITION)


def test_a_weekend_deadline_stays_unless_the_agreement_moves_it() -> None:
    sunday = dt.date(2020, 5, 31)
    stays = Deadline(sunday)
    assert stays.effective_day == sunday
    assert not is_on_time(sthlm(2020, 6, 1, 8, 0), stays)
    moves = Deadline(sunday, WeekendRule.NEXT_WEEKDAY)
    assert moves.effective_day == dt.date(2020, 6, 1)
    assert is_on_time(sthlm(2020, 6, 1, 23, 59, 59), moves)
    assert not is_on_time(sthlm(2020, 6, 2, 0, 0), moves)
    saturday = Deadline(dt.date(2020, 10, 3), WeekendRule.NEXT_WEEKDAY)
    assert saturday.effective_day == dt.date(2020, 10, 5)
    weekday = Deadline(dt.date(2020, 12, 1), WeekendRule.NEXT_WEEKDAY)
    assert weekday.effective_day == dt.date(2020, 12, 1)


def test_days_late_and_overdue() -> None:
    assert days_late(sthlm(2020, 12, 1, 23, 0), REQUISITION) == 0
    assert days_late(sthlm(2020, 12, 2, 0, 0), REQUISITION) == 1
    assert days_late(sthlm(2020, 12, 11, 12, 0), REQUISITION) == 10
    assert not is_overdue(sthlm(2020, 12, 1, 23, 59, 59), REQUISITION)
    assert is_overdue(sthlm(2020, 12, 2, 0, 0), REQUISITION)


def test_2020_deadlines_do_not_fall_on_weekends_and_do_not_move() -> None:
    a = find_agreement(shipped_agreements(), "gonv-2020")
    for duty in a.duties:
        assert duty.weekend_rule is WeekendRule.STAYS
    deadline = duty_deadline(a.duty("rekvisition"))
    assert deadline == REQUISITION
    assert duty_deadline(a.duty("rakenskaper-pa-begaran")) is None


def test_duties_of_a_party_in_deadline_order() -> None:
    a = find_agreement(shipped_agreements(), "gonv-2020")
    rss = [(d.id, d.deadline.isoformat() if d.deadline else None) for d in duties_of(a, Party.RSS)]
    assert rss == [
        ("delredovisning-rss", "2020-09-30"),
        ("rekvisition-rss", "2020-12-01"),
        ("aterbetalning", "2021-03-31"),
        ("ekonomisk-redovisning", "2021-03-31"),
        ("slutredovisning-rss", "2021-03-31"),
        ("rakenskaper-pa-begaran", None),
    ]
    assert [d.id for d in duties_of(a, Party.REGIONS, DutyKind.REQUISITION)] == ["rekvisition"]
