"""Validate a respondent's answers against a questionnaire definition.

:func:`validate_answers` never drops anything: every value given comes back in
``ValidationResult.values`` (normalised when valid, as given when not), with per-field errors in
Swedish and English, soft warnings, the set of relevant items and the objective completeness.
Answers to questions that are not relevant are kept but left out of
:meth:`ValidationResult.submission_values`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from naravard.surveys.expressions import (
    CANNOT_ESTIMATE,
    EvaluationError,
    Expression,
    SimpleContext,
    evaluate,
    to_number,
    truthy,
)
from naravard.surveys.model import (
    Choice,
    Group,
    LocalText,
    Question,
    Questionnaire,
    QuestionType,
    RoundKind,
    Table,
)
from naravard.surveys.respondents import RespondentFacts

Item = Question | Table
_Fail = Callable[[str, LocalText], None]
Facts = RespondentFacts | Mapping[str, object]

_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]")
_INT_RE = re.compile(r"[+-]?\d+\Z")
_DEC_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)\Z")
_YEAR_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")
_RELEVANCE_PASSES = 8


@dataclass(frozen=True)
class FieldError:
    """A problem with one answer (or one table cell), in Swedish and English."""

    name: str
    code: str
    message: LocalText
    row: str | None = None
    column: str | None = None

    def text(self, lang: str = "sv") -> str:
        """The message in ``lang``."""
        return self.message.get(lang)


@dataclass(frozen=True)
class Completeness:
    """Share of the relevant required items that have a valid answer."""

    answered: int
    required: int
    unanswered: tuple[str, ...]

    @property
    def share(self) -> Decimal | None:
        """``answered / required`` (``None`` when nothing is required)."""
        return None if self.required == 0 else Decimal(self.answered) / Decimal(self.required)

    def percent(self) -> Decimal | None:
        """The share as a percentage with one decimal."""
        share = self.share
        if share is None:
            return None
        return (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ValidationResult:
    """Everything :func:`validate_answers` found."""

    values: dict[str, object]
    errors: tuple[FieldError, ...]
    warnings: tuple[FieldError, ...]
    relevant: frozenset[str]
    completeness: Completeness
    unknown: tuple[str, ...] = field(default=())
    """Names in the answers that are not answerable questions of the form (kept in values)."""

    @property
    def ok(self) -> bool:
        """No errors."""
        return not self.errors

    def errors_for(self, name: str) -> tuple[FieldError, ...]:
        """Errors of one item."""
        return tuple(e for e in self.errors if e.name == name)

    def submission_values(self) -> dict[str, object]:
        """The answers that count: those to relevant questions."""
        return {k: v for k, v in self.values.items() if k in self.relevant}


def format_number(value: Decimal | int, lang: str = "sv") -> str:
    """``1 234,5`` in Swedish (narrow no-break space, decimal comma, minus sign ``−``);
    ``1,234.5`` in English."""
    number = Decimal(value)
    sign = ("\u2212" if lang == "sv" else "-") if number < 0 else ""
    text = format(abs(number), "f")
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sep, point = ("\u202f", ",") if lang == "sv" else (",", ".")
    return sign + sep.join(groups) + (point + frac if frac else "")


def _msg(sv: str, en: str) -> LocalText:
    return LocalText(sv, en)


def is_empty(value: object) -> bool:
    """Whether a raw answer counts as unanswered."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


class _Invalid(Exception):
    def __init__(self, code: str, message: LocalText) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _number_text(raw: object) -> str:
    if isinstance(raw, bool):
        raise _Invalid("type", _msg("Ange ett tal.", "Enter a number."))
    if isinstance(raw, int | Decimal):
        return str(raw)
    if isinstance(raw, float):
        return repr(raw)
    if isinstance(raw, str):
        return _SPACES.sub("", raw)
    raise _Invalid("type", _msg("Ange ett tal.", "Enter a number."))


def _parse_integer(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = _number_text(raw)
    if _INT_RE.match(text):
        return int(text)
    number = to_number(text)
    if number is not None and number == number.to_integral_value():
        return int(number)
    raise _Invalid("integer", _msg("Ange ett heltal, till exempel 12.", "Enter a whole number."))


def _parse_decimal(raw: object, percentage: bool) -> Decimal:
    text = _number_text(raw)
    if percentage and text.endswith("%"):
        text = text[:-1]
    if not _DEC_RE.match(text):
        raise _Invalid(
            "number", _msg("Ange ett tal, till exempel 12,5.", "Enter a number, e.g. 12.5.")
        )
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes these
        raise _Invalid("number", _msg("Ange ett tal.", "Enter a number.")) from exc


def _decimal_places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


class _Validator:
    def __init__(
        self,
        form: Questionnaire,
        facts: Mapping[str, object],
        round_kind: RoundKind,
        for_submission: bool,
    ) -> None:
        self.form = form
        self.facts = facts
        self.round_kind = round_kind
        self.for_submission = for_submission
        self.errors: list[FieldError] = []
        self.warnings: list[FieldError] = []

    # -- context

    def context(self, values: Mapping[str, object], current: object = None) -> SimpleContext:
        return SimpleContext(values=values, current_value=current, facts=self.facts)

    def eval_bool(self, expr: Expression, values: Mapping[str, object], current: object) -> bool:
        return truthy(evaluate(expr, self.context(values, current)))

    # -- normalisation

    def options(self, q: Question, values: Mapping[str, object]) -> tuple[Choice, ...]:
        choices = self.form.options(q)
        if q.choice_filter is None:
            return choices
        offered = []
        for choice in choices:
            ctx = SimpleContext(values=values, facts=self.facts, choice=dict(choice.extras))
            if truthy(evaluate(q.choice_filter, ctx)):
                offered.append(choice)
        return tuple(offered)

    def normalise(self, q: Question, raw: object, values: Mapping[str, object]) -> object:
        """Normalised value of a non-empty answer; raises :class:`_Invalid`."""
        t = q.type
        if t is QuestionType.NOTE:
            raise _Invalid("note", _msg("Frågan tar inte emot svar.", "This item takes no answer."))
        if t.is_numeric and raw == CANNOT_ESTIMATE:
            if not q.allows_cannot_estimate:
                raise _Invalid("cannot_estimate", _msg(
                    "Alternativet ”kan inte uppskattas” finns inte för frågan.",
                    "“Cannot be estimated” is not an option for this question.",
                ))  # fmt: skip
            return CANNOT_ESTIMATE
        if t is QuestionType.TEXT:
            if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
                raise _Invalid("type", _msg("Svaret ska vara en text.", "The answer must be text."))
            return str(raw).replace("\r\n", "\n").replace("\r", "\n")
        if t is QuestionType.INTEGER:
            return _parse_integer(raw)
        if t in (QuestionType.DECIMAL, QuestionType.PERCENTAGE):
            return _parse_decimal(raw, t is QuestionType.PERCENTAGE)
        if t is QuestionType.DATE:
            return self.date(raw)
        if t is QuestionType.YEAR_MONTH:
            text = raw.strip() if isinstance(raw, str) else ""
            if not _YEAR_MONTH_RE.match(text):
                raise _Invalid("year_month", _msg(
                    "Ange år och månad som ÅÅÅÅ-MM, till exempel 2021-09.",
                    "Enter year and month as YYYY-MM, e.g. 2021-09.",
                ))  # fmt: skip
            return text
        offered = {c.name: c for c in self.options(q, values)}
        if t is QuestionType.SELECT_ONE:
            if not isinstance(raw, str):
                raise _Invalid("type", _msg("Välj ett svarsalternativ.", "Choose one option."))
            self.check_options([raw.strip()], offered)
            return raw.strip()
        names = raw.split() if isinstance(raw, str) else raw
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
            raise _Invalid(
                "type", _msg("Välj bland svarsalternativen.", "Choose among the options.")
            )
        chosen = {n.strip() for n in names if n.strip()}
        self.check_options(sorted(chosen), offered)
        return [c.name for c in self.form.options(q) if c.name in chosen]

    def date(self, raw: object) -> str:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw.isoformat()
        text = raw.strip() if isinstance(raw, str) else ""
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        raise _Invalid("date", _msg(
            "Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-31.",
            "Enter a date as YYYY-MM-DD, e.g. 2024-03-31.",
        ))  # fmt: skip

    def check_options(self, names: list[str], offered: Mapping[str, Choice]) -> None:
        unknown = [n for n in names if n not in offered]
        if unknown:
            listed = ", ".join(unknown)
            raise _Invalid("option", _msg(
                f"Okänt svarsalternativ: {listed}.", f"Unknown option: {listed}."
            ))  # fmt: skip

    # -- checks on a normalised value

    def check(self, name: str, q: Question, value: object, values: Mapping[str, object],
              row: str | None = None, column: str | None = None) -> None:  # fmt: skip
        def fail(code: str, message: LocalText) -> None:
            self.errors.append(FieldError(name, code, message, row, column))

        if value == CANNOT_ESTIMATE:
            return
        if q.type is QuestionType.TEXT and q.max_chars is not None:
            assert isinstance(value, str)
            if len(value) > q.max_chars:
                n, limit = format_number(len(value)), format_number(q.max_chars)
                fail("max_chars", _msg(
                    f"Texten är {n} tecken lång; högst {limit} tecken får användas.",
                    f"The text is {len(value):,} characters long; at most {q.max_chars:,} "
                    "are allowed.",
                ))  # fmt: skip
        if q.type is QuestionType.SELECT_MULTIPLE:
            assert isinstance(value, list)
            self.check_multiple(q, value, fail)
        if q.type.is_numeric:
            assert isinstance(value, int | Decimal)
            self.check_number(name, q, Decimal(value), values, fail)
        if q.constraint is not None:
            try:
                holds = self.eval_bool(q.constraint, values, value)
            except EvaluationError:
                holds = False
            if not holds:
                fail("constraint", q.constraint_message or _msg(
                    "Svaret uppfyller inte villkoret för frågan.",
                    "The answer does not meet the condition for this question.",
                ))  # fmt: skip
        if q.warning is not None:
            self.check_warning(name, q.warning, q.warning_message, values, value, row, column)

    def check_multiple(self, q: Question, value: list[str], fail: _Fail) -> None:
        exclusive = [c for c in self.form.options(q) if c.exclusive and c.name in value]
        if exclusive and len(value) > 1:
            label = exclusive[0].label
            fail("exclusive", _msg(
                f"”{label.get('sv')}” kan inte kombineras med andra svarsalternativ.",
                f"“{label.get('en')}” cannot be combined with other options.",
            ))  # fmt: skip
        if q.max_selections is not None and len(value) > q.max_selections:
            fail("max_selections", _msg(
                f"Välj högst {q.max_selections} svarsalternativ (du har valt {len(value)}).",
                f"Choose at most {q.max_selections} options (you chose {len(value)}).",
            ))  # fmt: skip

    def check_number(self, name: str, q: Question, number: Decimal,
                     values: Mapping[str, object], fail: _Fail) -> None:  # fmt: skip
        if q.decimals is not None and _decimal_places(number) > q.decimals:
            sv_word, en_word = ("decimal", "decimal") if q.decimals == 1 else (
                "decimaler", "decimals")
            fail("decimals", _msg(
                f"Ange högst {q.decimals} {sv_word}.", f"Use at most {q.decimals} {en_word}."
            ))  # fmt: skip
        low = self.bound(name, q.minimum, values, number)
        high = self.bound(name, q.maximum, values, number)
        if q.type is QuestionType.PERCENTAGE:
            low = Decimal(0) if low is None else max(low, Decimal(0))
            high = Decimal(100) if high is None else min(high, Decimal(100))
        if low is not None and number < low:
            fail("min", _msg(
                f"Värdet får inte vara mindre än {format_number(low)}.",
                f"The value must not be less than {format_number(low, 'en')}.",
            ))  # fmt: skip
        if high is not None and number > high:
            fail("max", _msg(
                f"Värdet får inte vara större än {format_number(high)}.",
                f"The value must not be greater than {format_number(high, 'en')}.",
            ))  # fmt: skip

    def bound(self, name: str, expr: Expression | None, values: Mapping[str, object],
              current: object) -> Decimal | None:  # fmt: skip
        if expr is None:
            return None
        try:
            result = to_number(evaluate(expr, self.context(values, current)))
        except EvaluationError:
            result = None
        if result is None:
            self.warnings.append(FieldError(name, "bound_unknown", _msg(
                f"Gränsen {expr.source} kunde inte beräknas och har inte kontrollerats.",
                f"The bound {expr.source} could not be computed and was not checked.",
            )))  # fmt: skip
        return result

    def check_warning(self, name: str, expr: Expression, message: LocalText,
                      values: Mapping[str, object], current: object,
                      row: str | None = None, column: str | None = None) -> None:  # fmt: skip
        try:
            holds = self.eval_bool(expr, values, current)
        except EvaluationError:
            holds = False
        if not holds:
            self.warnings.append(FieldError(name, "warning", message or _msg(
                "Kontrollera svaret.", "Please check the answer."
            ), row, column))  # fmt: skip

    # -- tables

    def table(self, t: Table, raw: object, values: Mapping[str, object]) -> object:
        if not isinstance(raw, Mapping):
            self.errors.append(FieldError(t.name, "type", _msg(
                "Svaret ska vara en tabell (rad → kolumn → värde).",
                "The answer must be a table (row → column → value).",
            )))  # fmt: skip
            return raw
        rows = {c.name for c in self.form.options(t)}
        out: dict[str, dict[str, object]] = {}
        for row_name, cells in raw.items():
            if row_name not in rows:
                self.errors.append(FieldError(t.name, "row", _msg(
                    f"Okänd rad: {row_name}.", f"Unknown row: {row_name}."
                ), str(row_name)))  # fmt: skip
                continue
            if not isinstance(cells, Mapping):
                self.errors.append(FieldError(t.name, "type", _msg(
                    "Raden ska ha ett värde per kolumn.", "The row must have a value per column."
                ), row_name))  # fmt: skip
                continue
            for col_name, cell in cells.items():
                col = t.column(col_name)
                if col is None:
                    self.errors.append(FieldError(t.name, "column", _msg(
                        f"Okänd kolumn: {col_name}.", f"Unknown column: {col_name}."
                    ), row_name, str(col_name)))  # fmt: skip
                    continue
                if is_empty(cell):
                    continue
                try:
                    value = self.normalise(col, cell, values)
                except _Invalid as exc:
                    error = FieldError(t.name, exc.code, exc.message, row_name, col_name)
                    self.errors.append(error)
                    value = cell
                out.setdefault(row_name, {})[col_name] = value
        order = {c.name: i for i, c in enumerate(self.form.options(t))}
        return {r: out[r] for r in sorted(out, key=order.__getitem__)}

    def check_table(self, t: Table, value: Mapping[str, Mapping[str, object]],
                    values: Mapping[str, object]) -> None:  # fmt: skip
        bad = {(e.row, e.column) for e in self.errors if e.name == t.name}
        for row_name, cells in value.items():
            for col_name, cell in cells.items():
                col = t.column(col_name)
                if col is not None and (row_name, col_name) not in bad:
                    self.check(t.name, col, cell, values, row_name, col_name)
        if t.constraint is not None:
            try:
                holds = self.eval_bool(t.constraint, values, value)
            except EvaluationError:
                holds = False
            if not holds:
                self.errors.append(FieldError(t.name, "constraint", t.constraint_message or _msg(
                    "Tabellen uppfyller inte villkoret.", "The table does not meet the condition."
                )))  # fmt: skip
        if t.warning is not None and not self.missing_cells(t, value, any_column=True):
            self.check_warning(t.name, t.warning, t.warning_message, values, value)

    def missing_cells(self, t: Table, value: object, *, any_column: bool = False) -> list[
        tuple[str, str]
    ]:
        cells = value if isinstance(value, Mapping) else {}
        missing = []
        for choice in self.form.options(t):
            row = cells.get(choice.name) or {}
            for col in t.columns:
                if (col.required or any_column) and is_empty(row.get(col.name)):
                    missing.append((choice.name, col.name))
        return missing

    # -- the whole form

    def asked(self) -> dict[str, Item]:
        """Items asked in this round of this respondent type, by name."""
        kind = self.facts.get("kind")
        out: dict[str, Item] = {}
        for node, parents in self.form.walk():
            chain = (*parents, node)
            if not all(n.round.asked_in(self.round_kind) for n in chain):
                continue
            if kind and any(n.respondent and n.respondent.value != kind for n in chain):
                continue
            if isinstance(node, Table) or (isinstance(node, Question) and node.answerable):
                out[node.name] = node
        return out

    def relevance(self, asked: Mapping[str, Item], values: Mapping[str, object]) -> frozenset[str]:
        relevant = frozenset(asked)
        for _ in range(_RELEVANCE_PASSES):
            visible = {k: v for k, v in values.items() if k in relevant}
            shown: set[str] = set()
            hidden_groups: set[int] = set()
            for node, parents in self.form.walk():
                if any(id(p) in hidden_groups for p in parents):
                    if isinstance(node, Group):
                        hidden_groups.add(id(node))
                    continue
                on = node.relevant is None or self.safe_bool(node.relevant, visible)
                if isinstance(node, Group):
                    if not on:
                        hidden_groups.add(id(node))
                elif on and node.name in asked:
                    shown.add(node.name)
            if frozenset(shown) == relevant:
                break
            relevant = frozenset(shown)
        return relevant

    def safe_bool(self, expr: Expression, values: Mapping[str, object]) -> bool:
        try:
            return self.eval_bool(expr, values, None)
        except EvaluationError:
            return False

    def run(self, answers: Mapping[str, object]) -> ValidationResult:
        asked = self.asked()
        known = {i.name: i for i in self.form.items()}
        values: dict[str, object] = {}
        unknown: list[str] = []
        invalid: set[str] = set()
        notes = {
            n.name for n, _ in self.form.walk() if isinstance(n, Question) and not n.answerable
        }
        for name, raw in answers.items():
            item = known.get(name)
            if name in notes:
                unknown.append(name)
                values[name] = raw
                self.errors.append(FieldError(name, "note", _msg(
                    f"{name} är en informationstext och tar inte emot svar.",
                    f"{name} is an information text and takes no answer.",
                )))  # fmt: skip
                continue
            if item is None:
                unknown.append(name)
                values[name] = raw
                self.errors.append(FieldError(name, "unknown", _msg(
                    f"Frågan {name} finns inte i formuläret.",
                    f"There is no question {name} in this form.",
                )))  # fmt: skip
                continue
            if is_empty(raw):
                continue
            if isinstance(item, Table) or item.choice_filter is not None:
                values[name] = raw  # normalised below, once the other answers are known
                continue
            try:
                values[name] = self.normalise(item, raw, values={})
            except _Invalid as exc:
                values[name] = raw
                invalid.add(name)
                self.errors.append(FieldError(name, exc.code, exc.message))
        settled = {k: v for k, v in values.items() if k not in invalid}
        for name, item in known.items():
            if name not in values or name in invalid:
                continue
            if isinstance(item, Table):
                values[name] = self.table(item, answers[name], settled)
            elif item.choice_filter is not None:
                try:
                    values[name] = self.normalise(item, answers[name], settled)
                except _Invalid as exc:
                    invalid.add(name)
                    self.errors.append(FieldError(name, exc.code, exc.message))
        relevant = self.relevance(asked, {k: v for k, v in values.items() if k not in invalid})
        # errors on answers that are not relevant do not count
        self.errors = [e for e in self.errors if e.name in relevant or e.name in unknown]
        check_values = {k: v for k, v in values.items() if k in relevant and k not in invalid}
        position = {name: i for i, name in enumerate(known)}
        for name in sorted(relevant, key=position.__getitem__):
            item = known[name]
            if name in check_values:
                value = check_values[name]
                if isinstance(item, Table):
                    assert isinstance(value, Mapping)
                    self.check_table(item, value, check_values)
                else:
                    self.check(name, item, value, check_values)
        return self.finish(values, relevant, known, unknown)

    def finish(self, values: dict[str, object], relevant: frozenset[str],
               known: Mapping[str, Item], unknown: list[str]) -> ValidationResult:  # fmt: skip
        required_items = [i for n, i in known.items() if n in relevant and i.required]
        with_errors = {e.name for e in self.errors}
        unanswered: list[str] = []
        answered = 0
        for item in required_items:
            value = values.get(item.name)
            if isinstance(item, Table):
                missing = self.missing_cells(item, value)
                if self.for_submission:
                    for row_name, col_name in missing:
                        self.errors.append(FieldError(item.name, "required", _msg(
                            "Fältet måste fyllas i (skriv 0 om svaret är noll).",
                            "This cell must be filled in (enter 0 if the answer is zero).",
                        ), row_name, col_name))  # fmt: skip
                done = not missing
            else:
                done = not is_empty(value)
                if not done and self.for_submission:
                    self.errors.append(FieldError(item.name, "required", _msg(
                        "Frågan måste besvaras.", "This question must be answered."
                    )))  # fmt: skip
            if done and item.name not in with_errors:
                answered += 1
            else:
                unanswered.append(item.name)
        completeness = Completeness(answered, len(required_items), tuple(unanswered))
        return ValidationResult(
            values=values,
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
            relevant=relevant,
            completeness=completeness,
            unknown=tuple(unknown),
        )


def facts_mapping(facts: Facts | None) -> dict[str, object]:
    """Facts as the mapping expressions see."""
    if facts is None:
        return {}
    if isinstance(facts, RespondentFacts):
        return facts.as_mapping()
    return dict(facts)


def validate_answers(
    form: Questionnaire,
    answers: Mapping[str, object],
    facts: Facts | None = None,
    *,
    round_kind: RoundKind = RoundKind.BOTH,
    for_submission: bool = True,
) -> ValidationResult:
    """Check ``answers`` (question name -> raw value) for a respondent described by ``facts``.

    ``round_kind`` leaves out questions not asked in that round (interim or final report). With
    ``for_submission=False`` (saving a draft) missing required answers are listed in
    ``completeness.unanswered`` but are not errors.
    """
    validator = _Validator(form, facts_mapping(facts), round_kind, for_submission)
    return validator.run(answers)


@dataclass(frozen=True)
class UnansweredItem:
    """A required item without a valid answer, for the summary page before submission."""

    name: str
    number: str
    label: LocalText
    section: LocalText


def unanswered_summary(form: Questionnaire, result: ValidationResult) -> list[UnansweredItem]:
    """The required items still missing, in form order, with the section they are in."""
    section_of: dict[str, LocalText] = {}
    for node, parents in form.walk():
        if isinstance(node, Question | Table):
            section_of[node.name] = parents[0].label if parents else LocalText()
    out = []
    for name in result.completeness.unanswered:
        item = form.item(name)
        assert item is not None
        out.append(UnansweredItem(name, item.number, item.label, section_of.get(name, LocalText())))
    return out


def to_jsonable(values: Mapping[str, object]) -> dict[str, object]:
    """Answers in JSON-compatible form (decimals as strings); :func:`validate_answers` reads
    them back to the same values."""

    def convert(value: object) -> object:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, Mapping):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    return {k: convert(v) for k, v in values.items()}


__all__ = [
    "Completeness",
    "FieldError",
    "UnansweredItem",
    "ValidationResult",
    "format_number",
    "is_empty",
    "to_jsonable",
    "unanswered_summary",
    "validate_answers",
]
