"""JSON API under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission, Principal
from naravard.storage import reference_repo, users_repo
from naravard.web.security import get_db, guard

router = APIRouter(prefix="/api/v1", tags=["v1"])
Db = Annotated[Session, Depends(get_db)]


class OrganisationOut(BaseModel):
    """An organisation with its population on the requested date (null where unknown)."""

    code: str
    kind: str
    name: str
    short_name: str
    county_code: str | None
    population_date: dt.date | None
    total: int | None
    women: int | None
    men: int | None


class UserOut(BaseModel):
    """A user as others may see them."""

    username: str
    display_name: str
    role: str
    organisation_code: str | None
    is_active: bool


class MeOut(BaseModel):
    """The signed-in user."""

    username: str
    display_name: str
    role: str
    organisation_code: str | None


def _date(db: Session, date: dt.date | None) -> dt.date | None:
    dates = reference_repo.population_dates(db)
    if date is None:
        return dates[-1] if dates else None
    if date not in dates:
        raise HTTPException(404, f"no population loaded for {date}; loaded: "
                            + ", ".join(d.isoformat() for d in dates))
    return date


@router.get("/me", response_model=MeOut)
def me(principal: Principal = guard(Permission.SIGNED_IN)) -> MeOut:
    """Who is signed in."""
    return MeOut(username=principal.username, display_name=principal.display_name,
                 role=principal.role.value, organisation_code=principal.organisation_code)


@router.get("/organisations", response_model=list[OrganisationOut],
            dependencies=[guard(Permission.VIEW_REFERENCE)])
def organisations(
    db: Db,
    kind: Annotated[str, Query(pattern="^(nation|region|municipality|rss)$")] = "region",
    date: dt.date | None = None,
) -> list[OrganisationOut]:
    """Organisations of one kind in code order, with population on ``date`` (default newest)."""
    day = _date(db, date)
    rows = (reference_repo.population_of_rss(db, day) if kind == "rss" and day
            else reference_repo.organisations(db, kind, day))
    return [OrganisationOut(population_date=day, **r.__dict__) for r in rows]


@router.get("/population/dates", response_model=list[dt.date],
            dependencies=[guard(Permission.VIEW_REFERENCE)])
def population_dates(db: Db) -> list[dt.date]:
    """Loaded population reference dates."""
    return reference_repo.population_dates(db)


@router.get("/organisations/{code}", response_model=OrganisationOut,
            dependencies=[guard(Permission.VIEW_REFERENCE)])
def organisation(db: Db, code: str, date: dt.date | None = None) -> OrganisationOut:
    """One organisation."""
    org = reference_repo.organisation_by_code(db, code)
    if org is None:
        raise HTTPException(404, f"no organisation {code}")
    day = _date(db, date)
    row = next(r for r in reference_repo.organisations(db, org.kind, day) if r.code == code)
    return OrganisationOut(population_date=day, **row.__dict__)


@router.get("/organisations/{code}/users", response_model=list[UserOut],
            dependencies=[guard(Permission.VIEW_ORG_DATA, scope="code")])
def organisation_users(db: Db, code: str) -> list[UserOut]:
    """Users bound to an organisation (that organisation's own users and the authority only)."""
    return [
        UserOut(username=u.username, display_name=u.display_name, role=u.role,
                organisation_code=code, is_active=u.is_active)
        for u in users_repo.list_users(db, code)
    ]
