"""The agreement model: an agreement, its areas, funding lines, keys, duties and conditions.

Plain frozen dataclasses. Loading and saving (YAML, Excel) live in :mod:`naravard.funding.io`;
the checks that run on load live in :mod:`naravard.funding.validation`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pydantic import ConfigDict, with_config

from naravard.funding.keys import Level

_STRICT = ConfigDict(extra="forbid")


class RecipientClass(StrEnum):
    """Who receives a funding line's money (the §8 *Mottagare* column of the 2020 agreement)."""

    REGIONS = "regions"
    MUNICIPALITIES_VIA_RSS = "municipalities_via_rss"
    SKR = "skr"
    REGIONS_TO_SKR = "regions_to_skr"

    @property
    def level(self) -> Level | None:
        """The level a key for this class pays (``None`` for SKR, a single recipient)."""
        if self in (RecipientClass.REGIONS, RecipientClass.REGIONS_TO_SKR):
            return Level.REGION
        if self is RecipientClass.MUNICIPALITIES_VIA_RSS:
            return Level.RSS
        return None


class MethodKind(StrEnum):
    """How a line is divided among its recipients."""

    POPULATION_SHARE = "population_share"
    MUNICIPAL_KEY = "municipal_key"
    IMPORTED_KEY = "imported_key"
    FIXED_AMOUNTS = "fixed_amounts"


class Party(StrEnum):
    """Who owes a duty."""

    REGIONS = "regions"
    RSS = "rss"
    SKR = "skr"
    GOVERNMENT = "government"


class DutyKind(StrEnum):
    """Kinds of duty with a deadline."""

    TEMPLATE = "template"
    ACTION_PLAN = "action_plan"
    INTERIM_REPORT = "interim_report"
    FINAL_REPORT = "final_report"
    REQUISITION = "requisition"
    FINANCIAL_REPORT = "financial_report"
    REPAYMENT = "repayment"
    ACTIVITY_REPORT = "activity_report"
    RECORDS_ON_REQUEST = "records_on_request"


class Consequence(StrEnum):
    """What follows from missing a duty's deadline."""

    NONE = "none"
    CONDITION_FOR_FUNDS = "condition_for_funds"
    CONDITION_FOR_NEXT_YEAR = "condition_for_next_year"
    RIGHT_LAPSES = "right_lapses"
    MAY_RECLAIM = "may_reclaim"


class WeekendRule(StrEnum):
    """Whether a deadline on a Saturday or Sunday moves."""

    STAYS = "stays"
    NEXT_WEEKDAY = "next_weekday"


@with_config(_STRICT)
@dataclass(frozen=True)
class FixedAmount:
    """A fixed amount to one named recipient."""

    code: str
    name: str
    amount_sek: int


@with_config(_STRICT)
@dataclass(frozen=True)
class AllocationMethod:
    """How one line is allocated; the fields used depend on ``kind``.

    ``population_share``: ``population_date``. ``municipal_key``: ``key_id`` (care-recipient
    counts per county) and ``population_date``. ``imported_key``: ``key_id``.
    ``fixed_amounts``: ``fixed``.
    """

    kind: MethodKind
    population_date: dt.date | None = None
    key_id: str | None = None
    fixed: tuple[FixedAmount, ...] = ()
    note: str = ""


@with_config(_STRICT)
@dataclass(frozen=True)
class KeyEntry:
    """One row of an imported key; ``weight`` is ``None`` where the figure is not known."""

    code: str
    name: str
    weight: int | Decimal | None


@with_config(_STRICT)
@dataclass(frozen=True)
class ImportedKey:
    """A key imported from outside (a register count, a published table) with its source.

    Entry codes are county codes; ``level`` says whether the money goes to the region or the RSS.
    """

    id: str
    name: str
    level: Level
    unit: str
    source: str
    reference_period: str
    entries: tuple[KeyEntry, ...]
    missing: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        """Whether every entry has a weight, so the key can be used."""
        return bool(self.entries) and all(e.weight is not None for e in self.entries)


@with_config(_STRICT)
@dataclass(frozen=True)
class Area:
    """A development area (*utvecklingsområde*) of the agreement."""

    id: str
    section: str
    name: str
    name_en: str = ""
    summary: str = ""


@with_config(_STRICT)
@dataclass(frozen=True)
class FundingLine:
    """One row of the allocation table: an amount, who gets it and how it is divided.

    ``amount_sek``, ``recipient`` and ``method`` are ``None`` where the source does not give them;
    ``missing`` says what is not known.
    """

    id: str
    section: str
    label: str
    amount_sek: int | None
    recipient: RecipientClass | None
    method: AllocationMethod | None
    source: str
    area: str | None = None
    budget_item: str | None = None
    missing: tuple[str, ...] = ()
    note: str = ""


@with_config(_STRICT)
@dataclass(frozen=True)
class StatedSubtotal:
    """A subtotal the agreement states, checked against its lines (e.g. all money to regions)."""

    label: str
    recipients: tuple[RecipientClass, ...]
    amount_sek: int
    source: str


@with_config(_STRICT)
@dataclass(frozen=True)
class Duty:
    """Something a party must deliver by a deadline (``None``: not stated)."""

    id: str
    kind: DutyKind
    who: tuple[Party, ...]
    to: str
    deadline: dt.date | None
    consequence: Consequence
    section: str
    description: str
    weekend_rule: WeekendRule = WeekendRule.STAYS
    assumed: bool = False
    note: str = ""


@with_config(_STRICT)
@dataclass(frozen=True)
class Condition:
    """A condition of the agreement, verbatim with a gloss; ``duty`` links to a duty if any."""

    id: str
    section: str
    text_sv: str
    text_en: str
    applies_to: tuple[Party, ...] = ()
    duty: str | None = None


@with_config(_STRICT)
@dataclass(frozen=True)
class Signatory:
    """A signature of the agreement."""

    party: str
    name: str
    title: str
    place: str
    signed_on: dt.date | None
    note: str = ""


@with_config(_STRICT)
@dataclass(frozen=True)
class CaseNumbers:
    """Government Offices reference numbers (*diarienummer*); ``None`` where not known."""

    agreement: str | None
    payment_decision: str | None
    related: tuple[str, ...] = ()


@with_config(_STRICT)
@dataclass(frozen=True)
class Budget:
    """The budget item charged: expenditure area, appropriation and its items."""

    expenditure_area: str
    appropriation: str
    items: tuple[str, ...]
    mapped_to_lines: bool = False


@with_config(_STRICT)
@dataclass(frozen=True)
class Agreement:
    """One year's agreement between the state and SKR."""

    id: str
    year: int
    name: str
    parties: tuple[str, ...]
    case_numbers: CaseNumbers
    signatories: tuple[Signatory, ...]
    total_sek: int | None
    areas: tuple[Area, ...]
    lines: tuple[FundingLine, ...]
    sources: tuple[str, ...]
    complete: bool
    subtotals: tuple[StatedSubtotal, ...] = ()
    keys: tuple[ImportedKey, ...] = ()
    duties: tuple[Duty, ...] = ()
    conditions: tuple[Condition, ...] = ()
    budget: Budget | None = None
    missing: tuple[str, ...] = ()

    def line(self, line_id: str) -> FundingLine:
        """The line with ``line_id``; :class:`KeyError` naming the known ids if absent."""
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(f"no line {line_id!r}; lines are {', '.join(li.id for li in self.lines)}")

    def key(self, key_id: str) -> ImportedKey:
        """The imported key with ``key_id``."""
        for key in self.keys:
            if key.id == key_id:
                return key
        raise KeyError(f"no key {key_id!r} in agreement {self.id}")

    def duty(self, duty_id: str) -> Duty:
        """The duty with ``duty_id``."""
        for duty in self.duties:
            if duty.id == duty_id:
                return duty
        raise KeyError(f"no duty {duty_id!r} in agreement {self.id}")

    def amount_to(self, recipients: tuple[RecipientClass, ...]) -> int:
        """Sum of the known line amounts to any of ``recipients``."""
        return sum(
            li.amount_sek or 0 for li in self.lines if li.recipient in recipients
        )
