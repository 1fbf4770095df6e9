"""Eligibility for next year's money by an interim report before its deadline."""

from __future__ import annotations

import datetime as dt

from naravard.funding.deadlines import STOCKHOLM, Deadline
from naravard.funding.eligibility import Eligibility, condition_status

INTERIM = Deadline(dt.date(2020, 9, 30))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def test_condition_status() -> None:
    now = at(2020, 10, 15, 12, 0)
    assert condition_status(INTERIM, at(2020, 9, 30, 23, 59, 59), now) is Eligibility.MET
    assert condition_status(INTERIM, at(2020, 10, 1, 0, 0), now) is Eligibility.NOT_MET
    assert condition_status(INTERIM, None, now) is Eligibility.NOT_MET
    assert condition_status(INTERIM, None, at(2020, 9, 30, 12, 0)) is Eligibility.PENDING
