"""Questionnaire pages for the web form: which items a page shows, how posted fields become raw
answers, and how answers are displayed (Swedish formatting, option labels).

HTML field names: ``q.<name>`` for a question, ``ce.<name>`` for its "cannot be estimated" box,
``t.<table>.<row>.<column>`` for a table cell; ``fields`` lists the items a page showed, so that
a save never touches an answer the page did not show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from naravard.surveys.expressions import EvaluationError, SimpleContext, evaluate, truthy
from naravard.surveys.model import (
    CANNOT_ESTIMATE,
    Choice,
    Group,
    LocalText,
    Node,
    Question,
    Questionnaire,
    QuestionType,
    RoundKind,
    Table,
)
from naravard.surveys.validation import FieldError, ValidationResult, format_number, is_empty

_DOM_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def dom_id(*parts: str) -> str:
    """An HTML id from names (``.`` and other characters become ``_``)."""
    return "-".join(_DOM_UNSAFE.sub("_", p) for p in parts)


@dataclass(frozen=True)
class Page:
    """One page of the web form: a top-level group, or the loose items between groups."""

    number: int
    title: LocalText
    hint: LocalText
    nodes: tuple[Node, ...]

    def items(self) -> list[Question | Table]:
        """The answerable items on the page, in order."""
        out: list[Question | Table] = []

        def visit(nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                if isinstance(node, Group):
                    visit(node.children)
                elif isinstance(node, Table) or node.answerable:
                    out.append(node)

        visit(self.nodes)
        return out


def pages(form: Questionnaire) -> list[Page]:
    """The pages of ``form``: one per top-level group; loose items between groups share one."""
    out: list[Page] = []
    loose: list[Node] = []

    def flush() -> None:
        if loose:
            out.append(Page(len(out) + 1, form.settings.title, LocalText(), tuple(loose)))
            loose.clear()

    for node in form.body:
        if isinstance(node, Group):
            flush()
            out.append(Page(len(out) + 1, node.label, node.hint, node.children))
        else:
            loose.append(node)
    flush()
    return out


def page_of(form: Questionnaire) -> dict[str, int]:
    """Item name → number of the page it is on."""
    return {item.name: page.number for page in pages(form) for item in page.items()}


@dataclass(frozen=True)
class Visibility:
    """Which nodes of a page are shown for the current answers."""

    result: ValidationResult
    facts: Mapping[str, object]
    round_kind: RoundKind

    def shown(self, node: Node) -> bool:
        """Whether ``node`` is shown (irrelevant questions are hidden, their answers kept)."""
        if isinstance(node, Question | Table) and (isinstance(node, Table) or node.answerable):
            return node.name in self.result.relevant
        if not node.round.asked_in(self.round_kind):
            return False
        kind = self.facts.get("kind")
        if kind and node.respondent and node.respondent.value != kind:
            return False
        if isinstance(node, Group):
            inner = [n for n in node.children if not _is_note(n)]
            if inner:
                return any(self.shown(n) for n in inner)
        if node.relevant is None:
            return True
        context = SimpleContext(values=self.result.submission_values(), facts=self.facts)
        try:
            return truthy(evaluate(node.relevant, context))
        except EvaluationError:
            return False


def _is_note(node: Node) -> bool:
    return isinstance(node, Question) and not node.answerable


# --- posted fields → raw answers ---------------------------------------------------------------


class FormData:
    """What a page posted: ``get`` the first value, ``getlist`` all values of a field."""

    def __init__(self, data: Mapping[str, Sequence[str]]) -> None:
        self.data = data

    def get(self, name: str) -> str:
        values = self.data.get(name) or []
        return values[0] if values else ""

    def getlist(self, name: str) -> list[str]:
        return list(self.data.get(name) or [])

    def names(self) -> list[str]:
        return list(self.data)


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _single(q: Question, data: FormData, field: str, box: str | None) -> object:
    if q.type is QuestionType.SELECT_MULTIPLE:
        return data.getlist(field)
    if q.type.is_numeric and box is not None and q.allows_cannot_estimate and data.get(box):
        return CANNOT_ESTIMATE
    return _text(data.get(field))


def posted_answers(form: Questionnaire, page: Page, data: FormData) -> dict[str, object]:
    """Raw answers for the items of ``page`` that the page showed (listed in ``fields``)."""
    listed = set(data.getlist("fields"))
    out: dict[str, object] = {}
    for item in page.items():
        if item.name not in listed:
            continue
        if isinstance(item, Table):
            cells: dict[str, dict[str, object]] = {}
            for row in form.options(item):
                for column in item.columns:
                    field = f"t.{item.name}.{row.name}.{column.name}"
                    cells.setdefault(row.name, {})[column.name] = _single(column, data, field,
                                                                          None)
            out[item.name] = cells
        else:
            out[item.name] = _single(item, data, f"q.{item.name}", f"ce.{item.name}")
    return out


# --- raw values for the form inputs ------------------------------------------------------------


def raw_text(value: object) -> str:
    """A draft value as text for an input (numbers as typed, lists joined)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def char_count(value: object) -> int:
    """Characters as the limit counts them: code points, a line break (also CRLF) is one."""
    return len(_text(value)) if isinstance(value, str) else 0


def chosen(value: object) -> list[str]:
    """Option names in a raw or stored select answer."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def cell(value: object, row: str, column: str) -> object:
    """One cell of a raw or stored table answer."""
    cells = value.get(row) if isinstance(value, Mapping) else None
    return cells.get(column) if isinstance(cells, Mapping) else None


def errors_of(result: ValidationResult, name: str, lang: str,
              row: str | None = None, column: str | None = None) -> list[str]:  # fmt: skip
    """Messages for an item (``row``/``column``: for one table cell; without: item-level)."""
    return [e.text(lang) for e in result.errors
            if e.name == name and e.row == row and e.column == column]


def table_errors(result: ValidationResult, name: str, lang: str) -> list[FieldError]:
    """Every error of a table, cells included."""
    return [e for e in result.errors if e.name == name]


# --- display -----------------------------------------------------------------------------------


def decimal_of(value: object) -> Decimal | None:
    """A stored or typed number as a decimal (decimal comma or point); ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            return None
    return None


def display(form: Questionnaire, q: Question, value: object, lang: str = "sv") -> str:
    """A stored (valid) answer as a person reads it."""
    if is_empty(value):
        return ""
    if q.type.is_select:
        labels = {c.name: c.label.get(lang) for c in form.options(q)}
        return "; ".join(labels.get(name, name) for name in chosen(value))
    if q.type.is_numeric:
        if value == CANNOT_ESTIMATE:
            return q.cannot_estimate.get(lang) or value
        number = decimal_of(value)
        if number is None:
            return str(value)
        text = format_number(number, lang)
        return f"{text}\u202f%" if q.type is QuestionType.PERCENTAGE else text
    return str(value)


def summary_number(value: object, lang: str = "sv") -> str:
    """A summary figure of answers (a count or a decimal) in the language's form; ``..``
    where there is none."""
    if value is None:
        return ".."
    assert isinstance(value, int | Decimal)
    return format_number(value, lang)


def options(form: Questionnaire, q: Question | Table) -> tuple[Choice, ...]:
    """Options of a select question or rows of a table."""
    return form.options(q)


def label_of(item: Question | Table | Group, lang: str) -> str:
    """``7a. Question text`` (number and label)."""
    text = item.label.get(lang)
    return f"{item.number}. {text}" if item.number else text


def changed_value_text(form: Questionnaire, item: Question | Table | None, value: Any,
                       lang: str) -> str:  # fmt: skip
    """A value from the answer history, as typed (tables as ``row: value`` lines)."""
    if value is None:
        return ""
    if isinstance(item, Table) and isinstance(value, Mapping):
        rows = {c.name: c.label.get(lang) for c in form.options(item)}
        lines = []
        for row, cells in value.items():
            inner = ", ".join(f"{v}" for v in cells.values()) if isinstance(cells, Mapping) \
                else str(cells)
            lines.append(f"{rows.get(row, row)}: {inner}")
        return "\n".join(lines)
    if isinstance(item, Question) and item.type.is_select:
        labels = {c.name: c.label.get(lang) for c in form.options(item)}
        return "; ".join(labels.get(n, n) for n in chosen(value))
    if value == CANNOT_ESTIMATE and isinstance(item, Question):
        return item.cannot_estimate.get(lang) or value
    return raw_text(value)


def submitted_text(form: Questionnaire, item: Question | Table | None, value: Any,
                   lang: str) -> str:  # fmt: skip
    """A submitted answer as the page shows it (Swedish numbers; tables as ``row: cells``
    lines, only the rows answered); empty when unanswered."""
    if value is None or item is None:
        return ""
    if isinstance(item, Table):
        lines = []
        for row in form.options(item):
            cells = [display(form, c, cell(value, row.name, c.name), lang) for c in item.columns]
            if any(cells):
                lines.append(f"{row.label.get(lang)}: {', '.join(cells)}")
        return "\n".join(lines)
    return display(form, item, value, lang)
