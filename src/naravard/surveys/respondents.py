"""Facts about a respondent that expressions may use (``respondent('municipality_count')``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from naravard.reference.organisations import (
    OrgKind,
    rss_code,
    shipped_memberships,
    shipped_organisation,
)
from naravard.surveys.model import RespondentType

_KINDS = {
    OrgKind.REGION: RespondentType.REGION,
    OrgKind.RSS: RespondentType.RSS,
    OrgKind.MUNICIPALITY: RespondentType.MUNICIPALITY,
}


@dataclass(frozen=True)
class RespondentFacts:
    """Who is answering: kind, organisation code, county and the county's municipality count."""

    kind: RespondentType
    code: str
    county_code: str | None = None
    municipality_count: int | None = None
    name: str = ""

    def as_mapping(self) -> dict[str, object]:
        """The facts by the names ``respondent('…')`` uses."""
        return {
            "kind": self.kind.value,
            "code": self.code,
            "county_code": self.county_code,
            "municipality_count": self.municipality_count,
        }


def county_municipalities(county_code: str, on: dt.date | None = None) -> tuple[str, ...]:
    """Codes of the municipalities in a county's RSS on ``on`` (default: today), in code order."""
    day = on or dt.date.today()
    parent = rss_code(county_code)
    return tuple(
        sorted(m.child_code for m in shipped_memberships() if m.parent_code == parent
               and m.valid_on(day))
    )  # fmt: skip


def facts_for_organisation(code: str, on: dt.date | None = None) -> RespondentFacts:
    """Facts for a region, RSS or municipality from the shipped reference data."""
    org = shipped_organisation(code)
    if org is None or org.kind not in _KINDS:
        raise KeyError(f"no region, RSS or municipality with code {code!r}")
    count = len(county_municipalities(org.county_code, on)) if org.county_code else None
    return RespondentFacts(_KINDS[org.kind], org.code, org.county_code, count, org.name)
