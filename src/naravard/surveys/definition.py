"""Build a :class:`Questionnaire` from XLSForm sheet rows (and back), checking it on the way.

The ``.xlsx`` and YAML readers both hand over rows of cells; every problem found is collected as a
:class:`DefinitionIssue` naming the sheet, row and column, and all of them are raised together in
one :class:`DefinitionError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from naravard.surveys.expressions import Expression, ExpressionError, parse_expression
from naravard.surveys.model import (
    Choice,
    ChoiceList,
    Group,
    LocalText,
    Node,
    Question,
    Questionnaire,
    QuestionType,
    RespondentType,
    RoundKind,
    Settings,
    Table,
)

_E = TypeVar("_E", RespondentType, RoundKind)
_N = TypeVar("_N", Question, Table, Group)

SURVEY = "survey"
CHOICES = "choices"
SETTINGS = "settings"

#: Columns of the survey sheet, in the order they are written.
SURVEY_COLUMNS: tuple[str, ...] = (
    "type", "name", "key", "number", "label::sv", "label::en", "hint::sv", "hint::en",
    "required", "relevant", "constraint", "constraint_message::sv", "constraint_message::en",
    "choice_filter", "min", "max", "decimals", "max_chars", "max_selections",
    "cannot_estimate::sv", "cannot_estimate::en", "warning", "warning_message::sv",
    "warning_message::en", "respondent", "round", "aggregate",
)  # fmt: skip
#: Fixed columns of the choices sheet; further columns are kept as choice attributes.
CHOICE_COLUMNS: tuple[str, ...] = ("list_name", "name", "label::sv", "label::en", "exclusive")
#: Columns of the settings sheet.
SETTINGS_COLUMNS: tuple[str, ...] = (
    "form_id", "version", "form_title::sv", "form_title::en", "default_language", "respondent",
    "reporting_year", "rounds", "interim_deadline", "final_deadline", "aggregates_form", "source",
)  # fmt: skip

_TRANSLATABLE = (
    "label", "hint", "constraint_message", "cannot_estimate", "warning_message", "form_title",
)  # fmt: skip
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_FORM_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_LANG_RE = re.compile(r"(?P<base>[a-z_]+)::(?:(?P<code>[a-z]{2})|.*\((?P<paren>[a-z]{2})\))\Z")
_YES = frozenset({"yes", "true", "1", "ja"})
_NO = frozenset({"", "no", "false", "0", "nej"})
_SIMPLE_TYPES = {t.value: t for t in QuestionType if not t.is_select}
_TYPE_ALIASES = {"year-month": QuestionType.YEAR_MONTH, "month-year": QuestionType.YEAR_MONTH}
_GROUP_COLUMNS = frozenset(
    {"type", "name", "number", "label::sv", "label::en", "hint::sv", "hint::en", "relevant",
     "respondent", "round"}
)  # fmt: skip
_CURRENT_COLUMNS = ("constraint", "min", "max", "warning")


@dataclass(frozen=True)
class DefinitionIssue:
    """One problem in a definition: where it is and what is wrong."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class DefinitionError(ValueError):
    """A definition that cannot be loaded; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: Sequence[DefinitionIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"{source}: {len(self.issues)} problem(s) in the definition:\n{lines}")


@dataclass(frozen=True)
class SheetRow:
    """The cells of one sheet row, by canonical column name, and its row number."""

    row: int
    cells: Mapping[str, str]

    def get(self, column: str) -> str:
        """Cell text ('' when absent)."""
        return self.cells.get(column, "")


def canonical_column(header: str) -> str:
    """Map an XLSForm header to Nära's canonical name (``label`` → ``label::sv``)."""
    text = header.strip()
    if text in _TRANSLATABLE:
        return f"{text}::sv"
    match = _LANG_RE.match(text)
    if match and match.group("base") in _TRANSLATABLE:
        code = match.group("code") or match.group("paren")
        return f"{match.group('base')}::{code}"
    return text


def cell_text(value: object) -> str:
    """A cell value as text: numbers without a spurious ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- reading


@dataclass
class _Open:
    kind: str  # "group" or "table"
    row: SheetRow
    children: list[Node] = field(default_factory=list)
    rows_list: str = ""


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[DefinitionIssue] = []
        self.rows: dict[int, int] = {}  # id(node) -> sheet row

    def issue(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.issues.append(DefinitionIssue(sheet, row, column, message))

    # -- cells

    def text(self, row: SheetRow, base: str) -> LocalText:
        return LocalText(row.get(f"{base}::sv"), row.get(f"{base}::en"))

    def flag(self, sheet: str, row: SheetRow, column: str) -> bool:
        value = row.get(column).strip().lower()
        if value in _YES:
            return True
        if value not in _NO:
            self.issue(sheet, row.row, column, f"expected yes or no, got {row.get(column)!r}")
        return False

    def integer(self, row: SheetRow, column: str, minimum: int) -> int | None:
        value = row.get(column).strip()
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.issue(SURVEY, row.row, column, f"expected a whole number, got {value!r}")
            return None
        if number < minimum:
            self.issue(SURVEY, row.row, column, f"must be at least {minimum}, got {number}")
            return None
        return number

    def expression(
        self, row: SheetRow, column: str, *, choice_columns: bool = False
    ) -> Expression | None:
        value = row.get(column).strip()
        if not value:
            return None
        try:
            expr = parse_expression(value, allow_choice_columns=choice_columns)
        except ExpressionError as exc:
            self.issue(
                SURVEY, row.row, column,
                f"{exc.message} at position {exc.position + 1} in {value!r}",
            )  # fmt: skip
            return None
        if expr.uses_current() and column not in _CURRENT_COLUMNS:
            self.issue(SURVEY, row.row, column, "'.' (the current value) is not allowed here")
        return expr

    def enum_value(
        self, sheet: str, row: SheetRow, column: str, enum: type[_E]
    ) -> _E | None:
        value = row.get(column).strip()
        if not value:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            self.issue(sheet, row.row, column, f"unknown value {value!r} (allowed: {allowed})")
            return None

    def date(self, row: SheetRow, column: str) -> dt.date | None:
        value = row.get(column).strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.issue(SETTINGS, row.row, column, f"expected a date YYYY-MM-DD, got {value!r}")
            return None

    # -- sheets

    def settings(self, rows: Sequence[SheetRow]) -> Settings | None:
        data = [r for r in rows if any(v.strip() for v in r.cells.values())]
        if not data:
            self.issue(SETTINGS, None, None, "the settings sheet has no row")
            return None
        if len(data) > 1:
            self.issue(SETTINGS, data[1].row, None, "the settings sheet must have exactly one row")
        row = data[0]
        self.unknown_columns(SETTINGS, row, SETTINGS_COLUMNS)
        form_id, version = row.get("form_id").strip(), row.get("version").strip()
        if not _FORM_ID_RE.match(form_id):
            self.issue(SETTINGS, row.row, "form_id", f"missing or invalid form_id {form_id!r}")
        if not version:
            self.issue(SETTINGS, row.row, "version", "missing version")
        respondent = self.enum_value(SETTINGS, row, "respondent", RespondentType)
        if respondent is None and not row.get("respondent").strip():
            self.issue(SETTINGS, row.row, "respondent", "missing respondent type")
        year: int | None = None
        if row.get("reporting_year").strip():
            try:
                year = int(row.get("reporting_year"))
            except ValueError:
                self.issue(SETTINGS, row.row, "reporting_year", "expected a year")
        rounds: list[RoundKind] = []
        for word in (row.get("rounds") or "final").split():
            try:
                rounds.append(RoundKind(word))
            except ValueError:
                self.issue(SETTINGS, row.row, "rounds", f"unknown round {word!r}")
        title = self.text(row, "form_title")
        if not title.sv:
            self.issue(SETTINGS, row.row, "form_title::sv", "missing title")
        return Settings(
            form_id=form_id,
            version=version,
            title=title,
            respondent=respondent or RespondentType.REGION,
            default_language=row.get("default_language").strip() or "sv",
            reporting_year=year,
            rounds=tuple(rounds),
            interim_deadline=self.date(row, "interim_deadline"),
            final_deadline=self.date(row, "final_deadline"),
            aggregates_form=row.get("aggregates_form").strip() or None,
            source=row.get("source"),
        )

    def choices(self, rows: Sequence[SheetRow]) -> tuple[ChoiceList, ...]:
        lists: dict[str, list[Choice]] = {}
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            if not any(v.strip() for v in row.cells.values()):
                continue
            list_name, name = row.get("list_name").strip(), row.get("name").strip()
            if not list_name:
                self.issue(CHOICES, row.row, "list_name", "missing list_name")
                continue
            if not _NAME_RE.match(name):
                self.issue(CHOICES, row.row, "name", f"missing or invalid option name {name!r}")
                continue
            if (list_name, name) in seen:
                self.issue(
                    CHOICES, row.row, "name",
                    f"duplicate option {name!r} in list {list_name!r} "
                    f"(first on row {seen[(list_name, name)]})",
                )  # fmt: skip
                continue
            seen[(list_name, name)] = row.row
            label = self.text(row, "label")
            if not label.sv:
                self.issue(CHOICES, row.row, "label::sv", f"option {name!r} has no label")
            extras = tuple(
                (k, v) for k, v in row.cells.items() if k not in CHOICE_COLUMNS and v != ""
            )
            exclusive = self.flag(CHOICES, row, "exclusive")
            lists.setdefault(list_name, []).append(Choice(name, label, exclusive, extras))
        return tuple(ChoiceList(name, tuple(items)) for name, items in lists.items())

    def unknown_columns(self, sheet: str, row: SheetRow, known: Iterable[str]) -> None:
        known = tuple(known)
        for column, value in row.cells.items():
            if column not in known and value.strip():
                close = difflib.get_close_matches(column, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.issue(sheet, row.row, column, f"unknown column {column!r}{hint}")

    def survey(self, rows: Sequence[SheetRow]) -> tuple[Node, ...]:
        stack: list[_Open] = [_Open("root", SheetRow(0, {}))]
        for row in rows:
            if not any(v.strip() for v in row.cells.values()):
                continue
            self.unknown_columns(SURVEY, row, SURVEY_COLUMNS)
            words = row.get("type").split()
            if words and words[0] in ("begin_group", "begin_table", "end_group", "end_table"):
                words = [*words[0].split("_"), *words[1:]]
            if not words:
                self.issue(SURVEY, row.row, "type", "missing type")
            elif words[0] == "begin" and words[1:2] in (["group"], ["table"]):
                kind, args = words[1], words[2:]
                opened = _Open(kind, row)
                if stack[-1].kind == "table":
                    self.issue(SURVEY, row.row, "type", f"a table cannot contain a {kind}")
                if kind == "table":
                    if len(args) != 1:
                        self.issue(SURVEY, row.row, "type", "write 'begin table <rows list>'")
                    opened.rows_list = args[0] if args else ""
                elif args:
                    self.issue(SURVEY, row.row, "type", "write 'begin group'")
                stack.append(opened)
            elif words[0] == "end" and words[1:] in (["group"], ["table"]):
                kind = words[1]
                if len(stack) == 1:
                    self.issue(SURVEY, row.row, "type", f"'end {kind}' without 'begin {kind}'")
                    continue
                if stack[-1].kind != kind:
                    inner = stack[-1]
                    self.issue(
                        SURVEY, row.row, "type",
                        f"'end {kind}' where 'end {inner.kind}' was expected for "
                        f"{inner.kind} {inner.row.get('name')!r} (row {inner.row.row})",
                    )  # fmt: skip
                    continue
                closed = stack.pop()
                node = self.container(closed)
                if node is not None:
                    stack[-1].children.append(node)
            else:
                question = self.question(row, words, in_table=stack[-1].kind == "table")
                if question is not None:
                    stack[-1].children.append(question)
        for still_open in stack[1:]:
            self.issue(
                SURVEY, still_open.row.row, "type",
                f"'begin {still_open.kind}' {still_open.row.get('name')!r} is never closed",
            )  # fmt: skip
        return tuple(stack[0].children)

    def name(self, row: SheetRow) -> str:
        name = row.get("name").strip()
        if not _NAME_RE.match(name):
            self.issue(
                SURVEY, row.row, "name",
                f"missing or invalid name {name!r} (start with a letter; letters, digits, _ . -)",
            )  # fmt: skip
        return name

    def container(self, opened: _Open) -> Node | None:
        row = opened.row
        name = self.name(row)
        label = self.text(row, "label")
        if not label.sv:
            self.issue(SURVEY, row.row, "label::sv", f"{opened.kind} {name!r} has no label")
        respondent = self.enum_value(SURVEY, row, "respondent", RespondentType)
        round_kind = self.enum_value(SURVEY, row, "round", RoundKind) or RoundKind.BOTH
        relevant = self.expression(row, "relevant")
        if opened.kind == "group":
            for column, value in row.cells.items():
                if column not in _GROUP_COLUMNS and column in SURVEY_COLUMNS and value.strip():
                    self.issue(SURVEY, row.row, column, "does not apply to a group")
            return self.placed(row, Group(
                name=name, label=label, children=tuple(opened.children),
                number=row.get("number").strip(), hint=self.text(row, "hint"),
                relevant=relevant, respondent=respondent, round=round_kind,
            ))  # fmt: skip
        for column in ("required", "choice_filter", "min", "max", "decimals", "max_chars",
                       "max_selections", "cannot_estimate::sv", "cannot_estimate::en"):
            if row.get(column).strip():
                self.issue(SURVEY, row.row, column, "set this on the table's columns instead")
        columns = [c for c in opened.children if isinstance(c, Question)]
        if not columns:
            self.issue(SURVEY, row.row, "type", f"table {name!r} has no columns")
        return self.placed(row, Table(
            name=name, key=row.get("key").strip() or name, label=label,
            rows_list=opened.rows_list, columns=tuple(columns),
            number=row.get("number").strip(), hint=self.text(row, "hint"), relevant=relevant,
            constraint=self.expression(row, "constraint"),
            constraint_message=self.text(row, "constraint_message"),
            warning=self.expression(row, "warning"),
            warning_message=self.text(row, "warning_message"),
            respondent=respondent, round=round_kind,
            aggregate=row.get("aggregate").strip() or None,
        ))  # fmt: skip

    def placed(self, row: SheetRow, node: _N) -> _N:
        self.rows[id(node)] = row.row
        return node

    def question(self, row: SheetRow, words: list[str], *, in_table: bool) -> Question | None:
        type_word = words[0]
        list_name: str | None = None
        qtype: QuestionType | None
        if type_word in ("select_one", "select_multiple"):
            qtype = QuestionType(type_word)
            if len(words) != 2:
                self.issue(SURVEY, row.row, "type", f"write '{type_word} <list name>'")
            list_name = words[1] if len(words) > 1 else ""
        else:
            qtype = _SIMPLE_TYPES.get(type_word) or _TYPE_ALIASES.get(type_word)
            if qtype is None or len(words) != 1:
                known = ", ".join(
                    sorted([*_SIMPLE_TYPES, "select_one <list>", "select_multiple <list>",
                            "begin group", "end group", "begin table <list>", "end table"])
                )  # fmt: skip
                self.issue(SURVEY, row.row, "type", f"unknown type {row.get('type')!r} ({known})")
                return None
        name = self.name(row)
        label = self.text(row, "label")
        if not label.sv:
            self.issue(SURVEY, row.row, "label::sv", f"question {name!r} has no label")
        q = Question(
            type=qtype, name=name, key=row.get("key").strip() or name, label=label,
            number=row.get("number").strip(), hint=self.text(row, "hint"), list_name=list_name,
            required=self.flag(SURVEY, row, "required"),
            relevant=self.expression(row, "relevant"),
            constraint=self.expression(row, "constraint"),
            constraint_message=self.text(row, "constraint_message"),
            choice_filter=self.expression(row, "choice_filter", choice_columns=True),
            minimum=self.expression(row, "min"), maximum=self.expression(row, "max"),
            decimals=self.integer(row, "decimals", 0),
            max_chars=self.integer(row, "max_chars", 1),
            max_selections=self.integer(row, "max_selections", 1),
            cannot_estimate=self.text(row, "cannot_estimate"),
            warning=self.expression(row, "warning"),
            warning_message=self.text(row, "warning_message"),
            respondent=self.enum_value(SURVEY, row, "respondent", RespondentType),
            round=self.enum_value(SURVEY, row, "round", RoundKind) or RoundKind.BOTH,
            aggregate=row.get("aggregate").strip() or None,
        )  # fmt: skip
        self.type_specific(row, q, in_table=in_table)
        return self.placed(row, q)

    def type_specific(self, row: SheetRow, q: Question, *, in_table: bool) -> None:
        def misplaced(column: str, what: str) -> None:
            self.issue(SURVEY, row.row, column, f"only {what} questions take {column}")

        if q.max_chars is not None and q.type is not QuestionType.TEXT:
            misplaced("max_chars", "text")
        if q.max_selections is not None and q.type is not QuestionType.SELECT_MULTIPLE:
            misplaced("max_selections", "select_multiple")
        if q.decimals is not None and q.type not in (QuestionType.DECIMAL, QuestionType.PERCENTAGE):
            misplaced("decimals", "decimal and percentage")
        if q.cannot_estimate and not q.type.is_numeric:
            misplaced("cannot_estimate::sv", "number")
        for column, expr in (("min", q.minimum), ("max", q.maximum)):
            if expr is not None and not q.type.is_numeric:
                misplaced(column, "number")
        if q.choice_filter is not None and not q.type.is_select:
            misplaced("choice_filter", "select")
        if q.type is QuestionType.NOTE and (q.required or q.constraint):
            self.issue(SURVEY, row.row, "required", "a note takes no answer")
        if in_table:
            if q.type is QuestionType.NOTE:
                self.issue(SURVEY, row.row, "type", "a table column cannot be a note")
            if q.relevant is not None:
                self.issue(SURVEY, row.row, "relevant", "table columns are always shown")


def build_questionnaire(
    settings_rows: Sequence[SheetRow],
    survey_rows: Sequence[SheetRow],
    choice_rows: Sequence[SheetRow],
    *,
    source: str = "definition",
) -> Questionnaire:
    """Build and check a questionnaire; raise :class:`DefinitionError` listing every problem."""
    builder = _Builder(source)
    settings = builder.settings(settings_rows)
    choice_lists = builder.choices(choice_rows)
    body = builder.survey(survey_rows)
    placeholder = Settings("-", "-", LocalText("-"), RespondentType.REGION, rounds=tuple(RoundKind))
    _check_form(Questionnaire(settings or placeholder, body, choice_lists), builder)
    if builder.issues:
        raise DefinitionError(source, builder.issues)
    assert settings is not None
    return Questionnaire(settings, body, choice_lists)


def _check_form(form: Questionnaire, b: _Builder) -> None:
    names: dict[str, str] = {}
    keys: dict[str, str] = {}
    lists = {c.name: c for c in form.choice_lists}
    items = {i.name: i for i in form.items()}

    def row_of(node: Node) -> int | None:
        return b.rows.get(id(node))

    for node, _parents in form.walk():
        if node.name in names:
            b.issue(SURVEY, row_of(node), "name", f"duplicate name {node.name!r}")
        names[node.name] = node.name
        if isinstance(node, Question | Table) and (
            not isinstance(node, Question) or node.answerable
        ):
            if node.key in keys and not (node.key == node.name == keys[node.key]):
                b.issue(SURVEY, row_of(node), "key",
                        f"duplicate key {node.key!r} (also used by {keys[node.key]!r})")
            keys[node.key] = node.name
        if node.round is not RoundKind.BOTH and node.round not in form.settings.rounds:
            b.issue(SURVEY, row_of(node), "round",
                    f"round {node.round.value!r} is not among the form's rounds")
        questions: list[Question] = []
        if isinstance(node, Table):
            if node.rows_list not in lists:
                b.issue(SURVEY, row_of(node), "type", f"unknown choice list {node.rows_list!r}")
            seen: set[str] = set()
            for col in node.columns:
                if col.name in seen:
                    b.issue(SURVEY, row_of(col), "name",
                            f"duplicate column {col.name!r} in table {node.name!r}")
                seen.add(col.name)
                questions.append(col)
        elif isinstance(node, Question):
            questions.append(node)
        for q in questions:
            if q.list_name is not None and q.list_name not in lists:
                b.issue(SURVEY, row_of(q), "type", f"unknown choice list {q.list_name!r}")
            if q.choice_filter is not None and q.list_name in lists:
                attrs = {k for c in lists[q.list_name].choices for k, _ in c.extras}
                for attr in sorted(q.choice_filter.choice_columns() - attrs):
                    b.issue(SURVEY, row_of(q), "choice_filter",
                            f"list {q.list_name!r} has no column {attr!r}")
        for column, expr in _expressions(node):
            for ref in sorted(expr.references() - items.keys()):
                b.issue(SURVEY, row_of(node), column, f"unknown question ${{{ref}}}")
            for target, option, _pos in expr.selected_options():
                item = items.get(target)
                if isinstance(item, Question) and item.type.is_select and item.list_name in lists:
                    if lists[item.list_name].get(option) is None:
                        b.issue(SURVEY, row_of(node), column,
                                f"{target!r} has no option {option!r}")
                elif item is not None:
                    b.issue(SURVEY, row_of(node), column,
                            f"selected() needs a select question, {target!r} is not one")


def _expressions(node: Node) -> list[tuple[str, Expression]]:
    out: list[tuple[str, Expression]] = []
    candidates: list[tuple[str, Expression | None]] = [("relevant", node.relevant)]
    if isinstance(node, Question | Table):
        candidates += [("constraint", node.constraint), ("warning", node.warning)]
    if isinstance(node, Question):
        candidates += [("min", node.minimum), ("max", node.maximum),
                       ("choice_filter", node.choice_filter)]
    if isinstance(node, Table):
        for column in node.columns:
            out += _expressions(column)
    out += [(c, e) for c, e in candidates if e is not None]
    return out


# --------------------------------------------------------------------------- writing


def _put_text(row: dict[str, str], base: str, text: LocalText) -> None:
    row[f"{base}::sv"] = text.sv
    row[f"{base}::en"] = text.en


def _src(expr: Expression | None) -> str:
    return expr.source if expr is not None else ""


def _num(value: int | None) -> str:
    return "" if value is None else str(value)


def _question_row(q: Question) -> dict[str, str]:
    row = {
        "type": f"{q.type.value} {q.list_name}" if q.type.is_select else q.type.value,
        "name": q.name, "key": q.key, "number": q.number,
        "required": "yes" if q.required else "", "relevant": _src(q.relevant),
        "constraint": _src(q.constraint), "choice_filter": _src(q.choice_filter),
        "min": _src(q.minimum), "max": _src(q.maximum), "decimals": _num(q.decimals),
        "max_chars": _num(q.max_chars), "max_selections": _num(q.max_selections),
        "warning": _src(q.warning), "respondent": q.respondent.value if q.respondent else "",
        "round": "" if q.round is RoundKind.BOTH else q.round.value,
        "aggregate": q.aggregate or "",
    }  # fmt: skip
    for base, text in (("label", q.label), ("hint", q.hint),
                       ("constraint_message", q.constraint_message),
                       ("cannot_estimate", q.cannot_estimate),
                       ("warning_message", q.warning_message)):  # fmt: skip
        _put_text(row, base, text)
    return row


def _node_rows(node: Node) -> list[dict[str, str]]:
    if isinstance(node, Question):
        return [_question_row(node)]
    common = {
        "name": node.name, "number": node.number, "relevant": _src(node.relevant),
        "respondent": node.respondent.value if node.respondent else "",
        "round": "" if node.round is RoundKind.BOTH else node.round.value,
    }  # fmt: skip
    _put_text(common, "label", node.label)
    _put_text(common, "hint", node.hint)
    if isinstance(node, Group):
        rows = [{"type": "begin group", **common}]
        for child in node.children:
            rows += _node_rows(child)
        return [*rows, {"type": "end group"}]
    begin = {
        "type": f"begin table {node.rows_list}", **common, "key": node.key,
        "constraint": _src(node.constraint), "warning": _src(node.warning),
        "aggregate": node.aggregate or "",
    }  # fmt: skip
    _put_text(begin, "constraint_message", node.constraint_message)
    _put_text(begin, "warning_message", node.warning_message)
    rows = [begin]
    for column in node.columns:
        rows += _node_rows(column)
    return [*rows, {"type": "end table"}]


def survey_rows(form: Questionnaire) -> list[dict[str, str]]:
    """The survey sheet as rows of cells (every column present, '' when empty)."""
    rows: list[dict[str, str]] = []
    for node in form.body:
        rows += _node_rows(node)
    return [{c: r.get(c, "") for c in SURVEY_COLUMNS} for r in rows]


def choice_rows(form: Questionnaire) -> tuple[list[str], list[dict[str, str]]]:
    """Columns (fixed, then extra attributes) and rows of the choices sheet."""
    extra_columns: list[str] = []
    rows: list[dict[str, str]] = []
    for choice_list in form.choice_lists:
        for c in choice_list.choices:
            row = {"list_name": choice_list.name, "name": c.name, "label::sv": c.label.sv,
                   "label::en": c.label.en, "exclusive": "yes" if c.exclusive else ""}
            for key, value in c.extras:
                if key not in extra_columns:
                    extra_columns.append(key)
                row[key] = value
            rows.append(row)
    columns = [*CHOICE_COLUMNS, *extra_columns]
    return columns, [{c: r.get(c, "") for c in columns} for r in rows]


def settings_row(form: Questionnaire) -> dict[str, str]:
    """The single row of the settings sheet."""
    s = form.settings
    row = {
        "form_id": s.form_id, "version": s.version, "form_title::sv": s.title.sv,
        "form_title::en": s.title.en, "default_language": s.default_language,
        "respondent": s.respondent.value,
        "reporting_year": "" if s.reporting_year is None else str(s.reporting_year),
        "rounds": " ".join(r.value for r in s.rounds),
        "interim_deadline": s.interim_deadline.isoformat() if s.interim_deadline else "",
        "final_deadline": s.final_deadline.isoformat() if s.final_deadline else "",
        "aggregates_form": s.aggregates_form or "", "source": s.source,
    }  # fmt: skip
    return {c: row[c] for c in SETTINGS_COLUMNS}
