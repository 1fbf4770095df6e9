"""Reference data in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naravard.reference.population import parse_population_csv
from naravard.storage import reference_repo
from naravard.storage.models import Membership, Organisation, PopulationCount

D2020 = dt.date(2020, 12, 31)
D2023 = dt.date(2023, 12, 31)


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Organisation)) or 0,
        session.scalar(select(func.count()).select_from(Membership)) or 0,
        session.scalar(select(func.count()).select_from(PopulationCount)) or 0,
    )


def test_load_is_idempotent(session: Session) -> None:
    before = counts(session)
    assert before[0] == 333
    assert before[1] == 21 + 21 + 2 * 290
    result = reference_repo.load_reference(session)
    session.commit()
    assert (result.organisations, result.memberships, result.population_rows) == (0, 0, 0)
    assert counts(session) == before


def test_region_rows_sum_to_national_total(session: Session) -> None:
    for day, national in ((D2020, 10_379_295), (D2023, 10_551_707)):
        rows = reference_repo.organisations(session, "region", day)
        assert len(rows) == 21
        assert sum(r.total or 0 for r in rows) == national
        assert reference_repo.national_total(session, day) == national
        rss = reference_repo.population_of_rss(session, day)
        assert sum(r.total or 0 for r in rss) == national


def test_members_respect_validity(session: Session) -> None:
    halland = [o.code for o in reference_repo.members(session, "RSS13", D2023)]
    assert halland == ["1315", "1380", "1381", "1382", "1383", "1384"]
    # Kungsbacka leaves RSS Halland on 2024-01-01: history before stays, after it is gone.
    rss = reference_repo.organisation_by_code(session, "RSS13")
    kba = reference_repo.organisation_by_code(session, "1384")
    assert rss is not None and kba is not None
    row = session.scalar(select(Membership).where(Membership.parent_id == rss.id,
                                                  Membership.child_id == kba.id))
    assert row is not None
    row.valid_to = dt.date(2024, 1, 1)
    session.commit()
    assert "1384" in [o.code for o in reference_repo.members(session, "RSS13", D2023)]
    assert "1384" not in [o.code for o in reference_repo.members(session, "RSS13",
                                                                   dt.date(2024, 6, 1))]


def test_store_population_for_a_new_date(session: Session) -> None:
    day = dt.date(2019, 11, 1)
    text = "code,name,level,total,men,women\n00,Riket,riket,100,60,40\n13,Hallands län,lan,7,,\n"
    added = reference_repo.store_population(session, parse_population_csv(text, day), "test")
    session.commit()
    assert added == 4
    assert day in reference_repo.population_dates(session)
    halland = [r for r in reference_repo.organisations(session, "region", day) if r.code == "13"]
    assert halland[0].total == 7
    assert reference_repo.store_population(session, parse_population_csv(text, day), "x") == 0


def test_store_population_unknown_code(session: Session) -> None:
    text = "code,name,level,total,men,women\n99,Nowhere,lan,7,,\n"
    with pytest.raises(LookupError, match="unknown organisation code 99"):
        reference_repo.store_population(session, parse_population_csv(text, dt.date(2019, 1, 1)),
                                        "x")
