"""The organisations Nära knows: Riket, the 21 regions, the 290 municipalities and the 21 RSS."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

NATION_CODE = "00"
MEMBERSHIP_START = dt.date(2020, 1, 1)


class OrgKind(StrEnum):
    """Kinds of organisation."""

    NATION = "nation"
    REGION = "region"
    MUNICIPALITY = "municipality"
    RSS = "rss"


@dataclass(frozen=True)
class Organisation:
    """One organisation as shipped in the reference data."""

    code: str
    kind: OrgKind
    name: str
    short_name: str
    county_code: str | None


@dataclass(frozen=True)
class Membership:
    """``child`` belongs to ``parent`` from ``valid_from`` up to, not including, ``valid_to``."""

    parent_code: str
    child_code: str
    valid_from: dt.date
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        """Whether the membership holds on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def rss_code(county_code: str) -> str:
    """Code of the RSS of a county: ``RSS`` followed by the county code (``RSS13``)."""
    return f"RSS{county_code}"


def data_path(name: str) -> str:
    """Text of a shipped reference file."""
    return files("naravard.reference").joinpath("data", name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(data_path(name).splitlines()))


@cache
def county_names() -> dict[str, str]:
    """County code → the county's name (``13`` → ``Hallands län``)."""
    return {row["code"]: row["county_name"] for row in _rows("regions.csv")}


@cache
def shipped_organisations() -> tuple[Organisation, ...]:
    """All organisations in official order: Riket, regions by code, RSS by code, municipalities."""
    orgs: list[Organisation] = [
        Organisation(NATION_CODE, OrgKind.NATION, "Riket", "Riket", None)
    ]
    regions = _rows("regions.csv")
    for row in regions:
        orgs.append(
            Organisation(row["code"], OrgKind.REGION, row["name"], row["short_name"], row["code"])
        )
    for row in regions:
        orgs.append(
            Organisation(
                rss_code(row["code"]), OrgKind.RSS, row["rss_name"], row["rss_name"], row["code"]
            )
        )
    latest = _latest_population_file()
    for row in _rows(latest):
        if row["level"] == "kommun":
            orgs.append(
                Organisation(row["code"], OrgKind.MUNICIPALITY, row["name"], row["name"],
                             row["code"][:2])
            )
    return tuple(orgs)


@cache
def _by_code() -> dict[str, Organisation]:
    return {o.code: o for o in shipped_organisations()}


def shipped_organisation(code: str | None) -> Organisation | None:
    """The shipped organisation with ``code``, if there is one."""
    return None if code is None else _by_code().get(code)


@cache
def shipped_memberships() -> tuple[Membership, ...]:
    """Region in Riket, municipality in its county's region and in its county's RSS."""
    out: list[Membership] = []
    for org in shipped_organisations():
        if org.kind is OrgKind.REGION or org.kind is OrgKind.RSS:
            out.append(Membership(NATION_CODE, org.code, MEMBERSHIP_START))
        elif org.kind is OrgKind.MUNICIPALITY:
            assert org.county_code is not None
            out.append(Membership(org.county_code, org.code, MEMBERSHIP_START))
            out.append(Membership(rss_code(org.county_code), org.code, MEMBERSHIP_START))
    return tuple(out)


def population_files() -> list[str]:
    """Names of the shipped population files, oldest first."""
    names = [
        p.name
        for p in files("naravard.reference").joinpath("data").iterdir()
        if p.name.startswith("population_") and p.name.endswith(".csv")
    ]
    return sorted(names)


def _latest_population_file() -> str:
    return population_files()[-1]
