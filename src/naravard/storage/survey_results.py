"""A round's submitted answers: per question across respondents, export tables, and the RSS's
view of its municipalities' answers.

Percentages use as denominator the respondents who answered the item (``n``); answers to
questions that were not relevant are never part of a submission, so they are never counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from naravard.spreadsheets import escape_cell, safe_value
from naravard.storage import reference_repo
from naravard.storage.models import Organisation
from naravard.storage.survey_repo import aware, round_form
from naravard.storage.survey_status import percent
from naravard.storage.survey_tables import PLANNED, SurveyResponse, SurveyRound
from naravard.surveys.aggregation import RssAggregation, aggregate_municipal_answers
from naravard.surveys.model import (
    CANNOT_ESTIMATE,
    Choice,
    Group,
    LocalText,
    Question,
    Questionnaire,
    QuestionType,
    Table,
)
from naravard.surveys.validation import is_empty


@dataclass(frozen=True)
class RespondentAnswers:
    """The answers of one respondent's latest submitted version."""

    organisation_code: str
    organisation_name: str
    county_code: str | None
    version: int
    report_kind: str
    submitted_at: dt.datetime
    on_time: bool
    values: Mapping[str, object]


def latest_answers(
    session: Session, survey_round: SurveyRound, report_kind: str | None = None
) -> list[RespondentAnswers]:
    """Each respondent's newest submitted version (of ``report_kind`` when given), by code."""
    responses = session.scalars(
        select(SurveyResponse).where(SurveyResponse.round_id == survey_round.id)
        .options(selectinload(SurveyResponse.submissions))
        .order_by(SurveyResponse.organisation_code)
    )  # fmt: skip
    orgs = {o.code: o for o in session.scalars(select(Organisation))}
    out = []
    for response in responses:
        subs = [s for s in response.submissions
                if report_kind is None or s.report_kind == report_kind]
        if not subs:
            continue
        sub = max(subs, key=lambda s: s.version)
        org = orgs.get(response.organisation_code)
        out.append(RespondentAnswers(
            response.organisation_code, org.name if org else response.organisation_code,
            org.county_code if org else None, sub.version, sub.report_kind,
            aware(sub.submitted_at), sub.on_time, sub.answers,
        ))  # fmt: skip
    return out


# --- per question ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionResult:
    """How many respondents chose an option, of those who answered (``n``)."""

    name: str
    label: LocalText
    count: int
    percent: Decimal | None
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class NumberSummary:
    """Numeric answers: how many, smallest, median, largest, sum; "cannot be estimated" apart."""

    n: int
    minimum: Decimal | None
    median: Decimal | None
    maximum: Decimal | None
    total: Decimal | None
    cannot_estimate: int = 0


@dataclass(frozen=True)
class TextAnswer:
    """One respondent's free text."""

    organisation_code: str
    organisation_name: str
    text: str


@dataclass(frozen=True)
class CellResult:
    """One cell of a fixed-row table across respondents."""

    row: Choice
    column: Question
    n: int
    options: tuple[OptionResult, ...] = ()
    numbers: NumberSummary | None = None
    texts: tuple[TextAnswer, ...] = ()


@dataclass(frozen=True)
class QuestionResult:
    """One question (or table) across the respondents whose submissions are counted."""

    item: Question | Table
    section: LocalText
    respondents: int
    n: int
    options: tuple[OptionResult, ...] = ()
    numbers: NumberSummary | None = None
    texts: tuple[TextAnswer, ...] = ()
    cells: tuple[CellResult, ...] = field(default=())

    @property
    def kind(self) -> str:
        """``table``, ``choice``, ``number``, ``text`` or ``other`` (dates, year-months)."""
        if isinstance(self.item, Table):
            return "table"
        return _kind(self.item)


def _kind(q: Question) -> str:
    if q.type.is_select:
        return "choice"
    if q.type.is_numeric:
        return "number"
    if q.type is QuestionType.TEXT:
        return "text"
    return "other"


def _chosen(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.replace(",", "."))
        except ArithmeticError:
            return None
    return None


def _options(choices: Sequence[Choice], given: Sequence[tuple[str, object]]) -> tuple[
        OptionResult, ...]:  # fmt: skip
    n = len(given)
    out = []
    for choice in choices:
        orgs = tuple(org for org, value in given if choice.name in _chosen(value))
        out.append(OptionResult(choice.name, choice.label, len(orgs), percent(len(orgs), n),
                                orgs))
    return tuple(out)


def _numbers(given: Sequence[tuple[str, object]]) -> NumberSummary:
    numbers = [n for _, v in given if (n := _number(v)) is not None]
    unknown = sum(1 for _, v in given if v == CANNOT_ESTIMATE)
    if not numbers:
        return NumberSummary(0, None, None, None, None, unknown)
    return NumberSummary(len(numbers), min(numbers), Decimal(statistics.median(numbers)),
                         max(numbers), sum(numbers, Decimal(0)), unknown)


def _texts(given: Sequence[tuple[str, object]], names: Mapping[str, str]) -> tuple[
        TextAnswer, ...]:  # fmt: skip
    return tuple(TextAnswer(org, names.get(org, org), str(v)) for org, v in given)


def question_results(form: Questionnaire, answers: Sequence[RespondentAnswers]) -> list[
        QuestionResult]:  # fmt: skip
    """Every answerable item of ``form`` summarised over ``answers``, in form order."""
    names = {a.organisation_code: a.organisation_name for a in answers}
    sections: dict[str, LocalText] = {}
    for node, parents in form.walk():
        if isinstance(node, Question | Table):
            sections[node.name] = parents[0].label if parents else LocalText()
    out = []
    for item in form.items():
        given = [(a.organisation_code, a.values[item.name]) for a in answers
                 if not is_empty(a.values.get(item.name))]
        section = sections.get(item.name, LocalText())
        if isinstance(item, Table):
            cells = []
            for row in form.options(item):
                for column in item.columns:
                    cell_given = []
                    for org, value in given:
                        cells_of_row = value.get(row.name) if isinstance(value, Mapping) else None
                        cell = (cells_of_row.get(column.name)
                                if isinstance(cells_of_row, Mapping) else None)
                        if not is_empty(cell):
                            cell_given.append((org, cell))
                    kind = _kind(column)
                    cells.append(CellResult(
                        row, column, len(cell_given),
                        options=_options(form.options(column), cell_given)
                        if kind == "choice" else (),
                        numbers=_numbers(cell_given) if kind == "number" else None,
                        texts=_texts(cell_given, names) if kind in ("text", "other") else (),
                    ))  # fmt: skip
            out.append(QuestionResult(item, section, len(answers), len(given),
                                      cells=tuple(cells)))
            continue
        kind = _kind(item)
        out.append(QuestionResult(
            item, section, len(answers), len(given),
            options=_options(form.options(item), given) if kind == "choice" else (),
            numbers=_numbers(given) if kind == "number" else None,
            texts=_texts(given, names) if kind in ("text", "other") else (),
        ))  # fmt: skip
    return out


# --- export ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the answer export: a question, or one cell of a table."""

    header: str
    name: str
    question: Question
    row: str | None = None


def answer_columns(form: Questionnaire) -> list[Column]:
    """One column per question, and per cell of every table (``table.row.column``)."""
    out: list[Column] = []
    for item in form.items():
        if isinstance(item, Table):
            for row in form.options(item):
                for column in item.columns:
                    out.append(Column(f"{item.name}.{row.name}.{column.name}", item.name,
                                      column, row.name))
        else:
            out.append(Column(item.name, item.name, item))
    return out


def _cell(form: Questionnaire, column: Column, values: Mapping[str, object], labels: bool,
          lang: str) -> object:  # fmt: skip
    value = values.get(column.name)
    if column.row is not None:
        row = value.get(column.row) if isinstance(value, Mapping) else None
        value = row.get(column.question.name) if isinstance(row, Mapping) else None
    if is_empty(value):
        return None
    q = column.question
    if q.type.is_select:
        chosen = _chosen(value)
        if labels:
            by_name = {c.name: c.label.get(lang) for c in form.options(q)}
            return "; ".join(by_name.get(c, c) for c in chosen)
        return " ".join(chosen)
    if q.type.is_numeric and value != CANNOT_ESTIMATE:
        number = _number(value)
        if number is not None:
            return int(number) if q.type is QuestionType.INTEGER else number
    return value


EXPORT_FIXED = ("organisation_code", "organisation_name", "version", "report_kind",
                "submitted_at", "on_time")


def answer_table(form: Questionnaire, answers: Sequence[RespondentAnswers], *,
                 labels: bool = False, lang: str = "sv") -> tuple[list[str], list[list[object]]]:
    """One row per respondent, one column per question (codes, or labels when ``labels``)."""
    columns = answer_columns(form)
    headers = [*EXPORT_FIXED, *(c.header for c in columns)]
    rows = []
    for a in answers:
        fixed: list[object] = [a.organisation_code, a.organisation_name, a.version,
                               a.report_kind, a.submitted_at.isoformat(timespec="seconds"),
                               "yes" if a.on_time else "no"]
        rows.append(fixed + [_cell(form, c, a.values, labels, lang) for c in columns])
    return headers, rows


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """CSV (comma separated, UTF-8 text); text that a spreadsheet would run is escaped."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else escape_cell(str(v)) if isinstance(v, str) else v
                         for v in row])
    return buf.getvalue()


def table_xlsx(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str) -> bytes:
    """An Excel workbook with one sheet; text cells never become formulas."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31] or "answers"
    sheet.append([safe_value(h) for h in headers])
    for row in rows:
        sheet.append([safe_value(v) for v in row])
    for cells in sheet.iter_rows(min_row=1):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# --- the RSS's view of its municipalities ------------------------------------------------------


def source_round(session: Session, survey_round: SurveyRound) -> SurveyRound | None:
    """The municipal round an RSS round summarises: the newest opened round of the form named
    by the RSS form's ``aggregates_form``."""
    wanted = round_form(survey_round).settings.aggregates_form
    if not wanted:
        return None
    return session.scalar(
        select(SurveyRound).where(SurveyRound.form_id == wanted, SurveyRound.status != PLANNED)
        .order_by(SurveyRound.deadline.desc(), SurveyRound.id.desc()).limit(1)
    )  # fmt: skip


@dataclass(frozen=True)
class MemberView:
    """An RSS's municipalities and what their submitted answers add up to."""

    source: SurveyRound
    municipalities: tuple[tuple[str, str], ...]  # (code, name)
    submitted: tuple[str, ...]
    aggregation: RssAggregation


def member_view(session: Session, response: SurveyResponse) -> MemberView | None:
    """The aggregation behind an RSS response (``None`` when its form aggregates nothing or no
    municipal round exists). Only the county's municipalities' latest submissions count."""
    source = source_round(session, response.round)
    if source is None:
        return None
    members = [o for o in reference_repo.members(session, response.organisation_code,
                                                 response.round.deadline)
               if o.kind == "municipality"]
    codes = [o.code for o in members]
    answers = {a.organisation_code: a.values for a in latest_answers(session, source)
               if a.organisation_code in codes}
    aggregation = aggregate_municipal_answers(round_form(response.round), round_form(source),
                                              answers, codes)
    return MemberView(source, tuple((o.code, o.name) for o in members), tuple(sorted(answers)),
                      aggregation)


def section_of(form: Questionnaire) -> dict[str, Group | None]:
    """The top-level group each item is in."""
    out: dict[str, Group | None] = {}
    for node, parents in form.walk():
        if isinstance(node, Question | Table):
            out[node.name] = parents[0] if parents else None
    return out
