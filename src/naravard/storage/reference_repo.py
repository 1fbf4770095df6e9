"""Load shipped reference data into the database (idempotently) and query it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from naravard.reference import organisations as ref_orgs
from naravard.reference import population as ref_pop
from naravard.storage.models import Membership, Organisation, PopulationCount

SHIPPED_SOURCE = "SCB (BE0101Y), shipped with Nära"


@dataclass(frozen=True)
class LoadResult:
    """What a load added (zero everywhere when the data was already there)."""

    organisations: int
    memberships: int
    population_rows: int


def load_reference(session: Session) -> LoadResult:
    """Insert every shipped organisation, membership and population count that is missing."""
    existing = {o.code: o for o in session.scalars(select(Organisation))}
    new_orgs = 0
    for org in ref_orgs.shipped_organisations():
        row = existing.get(org.code)
        if row is None:
            row = Organisation(code=org.code)
            session.add(row)
            existing[org.code] = row
            new_orgs += 1
        row.kind, row.name, row.short_name = org.kind.value, org.name, org.short_name
        row.county_code = org.county_code
    session.flush()
    ids = {code: o.id for code, o in existing.items()}
    have = {
        (m.parent_id, m.child_id, m.valid_from) for m in session.scalars(select(Membership))
    }
    new_members = 0
    for m in ref_orgs.shipped_memberships():
        key = (ids[m.parent_code], ids[m.child_code], m.valid_from)
        if key not in have:
            session.add(Membership(parent_id=key[0], child_id=key[1], valid_from=m.valid_from,
                                   valid_to=m.valid_to))
            have.add(key)
            new_members += 1
    new_pop = store_population(session, ref_pop.shipped_population(), SHIPPED_SOURCE)
    session.flush()
    return LoadResult(new_orgs, new_members, new_pop)


def store_population(
    session: Session, counts: Iterable[ref_pop.PopulationCount], source: str
) -> int:
    """Insert population counts for dates not yet loaded; refuses to overwrite a loaded date.

    Returns the number of rows added. Unknown organisation codes raise ``LookupError``.
    """
    ids = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    loaded = set(session.scalars(select(PopulationCount.ref_date).distinct()))
    added = 0
    rows = []
    for c in counts:
        if c.ref_date in loaded:
            continue
        if c.org_code not in ids:
            raise LookupError(f"population for unknown organisation code {c.org_code}")
        rows.append(PopulationCount(ref_date=c.ref_date, organisation_id=ids[c.org_code],
                                    sex=c.sex, count=c.count, source=source))
        added += 1
    session.add_all(rows)
    session.flush()
    return added


def population_dates(session: Session) -> list[dt.date]:
    """Loaded reference dates, oldest first."""
    return sorted(session.scalars(select(PopulationCount.ref_date).distinct()))


@dataclass(frozen=True)
class OrgRow:
    """An organisation with its population on a date (``None`` where not known)."""

    code: str
    kind: str
    name: str
    short_name: str
    county_code: str | None
    total: int | None
    women: int | None
    men: int | None


def organisations(
    session: Session, kind: str, on: dt.date | None = None, county: str | None = None
) -> list[OrgRow]:
    """Organisations of ``kind`` in code order, with population on ``on`` when given."""
    query = select(Organisation).where(Organisation.kind == kind).order_by(Organisation.code)
    if county is not None:
        query = query.where(Organisation.county_code == county)
    orgs = list(session.scalars(query))
    pop: dict[tuple[int, str], int] = {}
    if on is not None:
        for org_id, sex, count in session.execute(
            select(PopulationCount.organisation_id, PopulationCount.sex, PopulationCount.count)
            .where(PopulationCount.ref_date == on)
        ):
            pop[(org_id, sex)] = count
    return [
        OrgRow(o.code, o.kind, o.name, o.short_name, o.county_code, pop.get((o.id, "T")),
               pop.get((o.id, "K")), pop.get((o.id, "M")))
        for o in orgs
    ]


def population_of_rss(session: Session, on: dt.date) -> list[OrgRow]:
    """Each RSS with the summed population of its member municipalities on ``on``."""
    child = aliased(Organisation)
    parent = aliased(Organisation)
    totals: dict[str, int] = {}
    rows = session.execute(
        select(parent.code, PopulationCount.count)
        .join(Membership, Membership.parent_id == parent.id)
        .join(child, Membership.child_id == child.id)
        .join(PopulationCount, PopulationCount.organisation_id == child.id)
        .where(parent.kind == "rss", PopulationCount.ref_date == on, PopulationCount.sex == "T")
        .where(Membership.valid_from <= on)
        .where((Membership.valid_to.is_(None)) | (Membership.valid_to > on))
    )
    for code, count in rows:
        totals[code] = totals.get(code, 0) + count
    return [
        OrgRow(r.code, r.kind, r.name, r.short_name, r.county_code, totals.get(r.code), None, None)
        for r in organisations(session, "rss")
    ]


def members(session: Session, parent_code: str, on: dt.date) -> list[Organisation]:
    """Organisations that belong to ``parent_code`` on ``on``, in code order."""
    parent = aliased(Organisation)
    child = aliased(Organisation)
    return list(
        session.scalars(
            select(child)
            .join(Membership, Membership.child_id == child.id)
            .join(parent, Membership.parent_id == parent.id)
            .where(parent.code == parent_code, Membership.valid_from <= on)
            .where((Membership.valid_to.is_(None)) | (Membership.valid_to > on))
            .order_by(child.code)
        )
    )


def organisation_by_code(session: Session, code: str) -> Organisation | None:
    """The organisation with ``code``."""
    return session.scalar(select(Organisation).where(Organisation.code == code))


def national_total(session: Session, on: dt.date) -> int | None:
    """Riket's total population on ``on``."""
    rows: Sequence[OrgRow] = organisations(session, "nation", on)
    return rows[0].total if rows else None
