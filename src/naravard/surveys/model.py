"""Questionnaire definitions as data, in XLSForm's vocabulary plus Nära's extensions.

A :class:`Questionnaire` is its :class:`Settings`, a tree of :class:`Group`, :class:`Table` and
:class:`Question` nodes, and the choice lists those refer to. Definitions are immutable; they are
read and written by :mod:`naravard.surveys.xlsform` and checked by
:mod:`naravard.surveys.definition`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from naravard.surveys.expressions import CANNOT_ESTIMATE, Expression

__all__ = [
    "CANNOT_ESTIMATE",
    "Choice",
    "ChoiceList",
    "Group",
    "LocalText",
    "Node",
    "Question",
    "QuestionType",
    "Questionnaire",
    "RespondentType",
    "RoundKind",
    "Settings",
    "Table",
]


class QuestionType(StrEnum):
    """Answerable (and display-only) question types."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENTAGE = "percentage"
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    DATE = "date"
    YEAR_MONTH = "year_month"
    NOTE = "note"

    @property
    def is_numeric(self) -> bool:
        """Integer, decimal or percentage."""
        return self in (QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.PERCENTAGE)

    @property
    def is_select(self) -> bool:
        """select_one or select_multiple."""
        return self in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)


class RespondentType(StrEnum):
    """Who answers a questionnaire (or a question)."""

    REGION = "region"
    RSS = "rss"
    MUNICIPALITY = "municipality"


class RoundKind(StrEnum):
    """Which report a question is asked in: the interim report, the final report, or both."""

    INTERIM = "interim"
    FINAL = "final"
    BOTH = "both"

    def asked_in(self, round_kind: RoundKind) -> bool:
        """Whether a question of this kind is asked in a round of kind ``round_kind``."""
        return self is RoundKind.BOTH or round_kind is RoundKind.BOTH or self is round_kind


@dataclass(frozen=True)
class LocalText:
    """A text in Swedish and (optionally) English."""

    sv: str = ""
    en: str = ""

    def get(self, lang: str = "sv") -> str:
        """The text in ``lang``, falling back to Swedish."""
        return (self.en or self.sv) if lang == "en" else self.sv

    def __bool__(self) -> bool:
        return bool(self.sv or self.en)


@dataclass(frozen=True)
class Choice:
    """One option of a choice list (or one row of a table)."""

    name: str
    label: LocalText
    exclusive: bool = False
    extras: tuple[tuple[str, str], ...] = ()

    def extra(self, column: str) -> str:
        """Value of an extra column of the choices sheet (used by ``choice_filter``)."""
        return dict(self.extras).get(column, "")


@dataclass(frozen=True)
class ChoiceList:
    """A named list of options (the ``list_name`` of the choices sheet)."""

    name: str
    choices: tuple[Choice, ...]

    def get(self, name: str) -> Choice | None:
        """The option called ``name``."""
        return next((c for c in self.choices if c.name == name), None)

    def names(self) -> tuple[str, ...]:
        """Option names in order."""
        return tuple(c.name for c in self.choices)


@dataclass(frozen=True)
class Question:
    """One question (or one column of a :class:`Table`)."""

    type: QuestionType
    name: str
    key: str
    label: LocalText
    number: str = ""
    hint: LocalText = LocalText()
    list_name: str | None = None
    required: bool = False
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: LocalText = LocalText()
    choice_filter: Expression | None = None
    minimum: Expression | None = None
    maximum: Expression | None = None
    decimals: int | None = None
    max_chars: int | None = None
    max_selections: int | None = None
    cannot_estimate: LocalText = LocalText()
    warning: Expression | None = None
    warning_message: LocalText = LocalText()
    respondent: RespondentType | None = None
    round: RoundKind = RoundKind.BOTH
    aggregate: str | None = None

    @property
    def answerable(self) -> bool:
        """Whether the question takes an answer (notes do not)."""
        return self.type is not QuestionType.NOTE

    @property
    def allows_cannot_estimate(self) -> bool:
        """Whether "… kan inte uppskattas" is offered."""
        return bool(self.cannot_estimate)


@dataclass(frozen=True)
class Table:
    """A fixed-row table: one row per option of ``rows_list``, one column per question."""

    name: str
    key: str
    label: LocalText
    rows_list: str
    columns: tuple[Question, ...]
    number: str = ""
    hint: LocalText = LocalText()
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: LocalText = LocalText()
    warning: Expression | None = None
    warning_message: LocalText = LocalText()
    respondent: RespondentType | None = None
    round: RoundKind = RoundKind.BOTH
    aggregate: str | None = None

    @property
    def required(self) -> bool:
        """Whether any cell is required."""
        return any(c.required for c in self.columns)

    def column(self, name: str) -> Question | None:
        """The column called ``name``."""
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Group:
    """A section (``begin group`` … ``end group``); the web form shows one top group per page."""

    name: str
    label: LocalText
    children: tuple[Node, ...]
    number: str = ""
    hint: LocalText = LocalText()
    relevant: Expression | None = None
    respondent: RespondentType | None = None
    round: RoundKind = RoundKind.BOTH


Node = Question | Table | Group


@dataclass(frozen=True)
class Settings:
    """The settings sheet: identity, version, respondent type and report deadlines."""

    form_id: str
    version: str
    title: LocalText
    respondent: RespondentType
    default_language: str = "sv"
    reporting_year: int | None = None
    rounds: tuple[RoundKind, ...] = (RoundKind.FINAL,)
    interim_deadline: dt.date | None = None
    final_deadline: dt.date | None = None
    aggregates_form: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Questionnaire:
    """A complete questionnaire definition."""

    settings: Settings
    body: tuple[Node, ...]
    choice_lists: tuple[ChoiceList, ...] = field(default=())

    @property
    def form_id(self) -> str:
        """Identifier shared by all versions of the form."""
        return self.settings.form_id

    @property
    def version(self) -> str:
        """Version string."""
        return self.settings.version

    def choice_list(self, name: str) -> ChoiceList | None:
        """The choice list called ``name``."""
        return next((c for c in self.choice_lists if c.name == name), None)

    def walk(self) -> Iterator[tuple[Node, tuple[Group, ...]]]:
        """Every node in document order with its enclosing groups (outermost first)."""

        def visit(
            nodes: tuple[Node, ...], parents: tuple[Group, ...]
        ) -> Iterator[tuple[Node, tuple[Group, ...]]]:
            for node in nodes:
                yield node, parents
                if isinstance(node, Group):
                    yield from visit(node.children, (*parents, node))

        return visit(self.body, ())

    def items(self) -> list[Question | Table]:
        """Answerable questions and tables in document order (notes and groups left out)."""
        out: list[Question | Table] = []
        for node, _ in self.walk():
            if isinstance(node, Table) or (isinstance(node, Question) and node.answerable):
                out.append(node)
        return out

    def item(self, name: str) -> Question | Table | None:
        """The answerable question or table called ``name``."""
        return next((i for i in self.items() if i.name == name), None)

    def by_key(self, key: str) -> Question | Table | None:
        """The answerable item with stable key ``key``."""
        return next((i for i in self.items() if i.key == key), None)

    def question_count(self) -> int:
        """Number of answerable items (a table counts once)."""
        return len(self.items())

    def options(self, item: Question | Table) -> tuple[Choice, ...]:
        """Options of a select question, or rows of a table."""
        name = item.rows_list if isinstance(item, Table) else item.list_name
        found = self.choice_list(name) if name else None
        return found.choices if found else ()
