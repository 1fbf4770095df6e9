"""The cache of published rows is shared by the server's threads: reads that fill it, find in
it and push out of it at the same time must each get their rows and never fail."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.disclosure import shipped_rule
from naravard.storage import indicator_repo
from tests.indicators.helpers import race
from tests.indicators.test_indicator_store import ND, named_doctor_rows, store


def test_reads_from_many_threads_while_the_cache_pushes_out(session: Session) -> None:
    store(session, named_doctor_rows("2023"))
    session.commit()
    cat, rule = shipped_catalogue(), shipped_rule()
    snapshots = indicator_repo.current_snapshots(session)

    def rows_of(*args: Any) -> list[dict[str, Any]]:
        # a read that costs nothing, so that the threads spend their time in the cache
        return [{"indicator": ND, "variant": "all", "period": p, "area_level": "nation",
                 "area_code": "00", "sex": "T"} for p in args[4]]

    def work(seed: int) -> None:
        for i in range(3000):
            period = str(2000 + (seed * 7 + i) % 5)
            found = indicator_repo.published(session, ND, cat, rule, periods=[period])
            assert found is not None and [r["period"] for r in found.rows] == [period]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(indicator_repo, "_CACHE_ROWS", 2)  # a third entry pushes the oldest out
        mp.setattr(indicator_repo, "current_snapshots", lambda s: snapshots)
        mp.setattr(indicator_repo, "care_units_of_snapshot", lambda s, i: [])
        mp.setattr(indicator_repo, "_published_plain", rows_of)
        failures = race(work)
    assert failures == [], failures[:3]
