"""Answers imported from a table: the round's own answer export (CSV or Excel, one row per
respondent, one column per question and per table cell, option codes), filled in or edited
outside Nära, e.g. the answers a region sent by e-mail before the round was in Nära.

Every problem of the file is found before anything is stored (unknown columns, unknown or
repeated organisations, rows the round's rules refuse when submitting): either every row is
stored or none. Each row becomes the organisation's draft as of the time given, and with
``submit`` a submitted version recorded as imported (``source=import``), which may leave
required answers out (the source lost them) but never break a rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from naravard.spreadsheets import RISKY_START
from naravard.storage import survey_repo as repo
from naravard.storage.survey_results import EXPORT_FIXED, answer_columns
from naravard.storage.survey_tables import SurveyRound
from naravard.surveys.model import QuestionType

__all__ = ["ImportProblem", "ImportRow", "import_answers", "parse_rows", "read_table"]


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong, where: ``row`` is the row of the file (the header is row 1)."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = ", ".join(p for p in (f"row {self.row}" if self.row else "",
                                      f"column {self.column}" if self.column else "") if p)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ImportRow:
    """One organisation's answers from one row of the file."""

    row: int
    organisation_code: str
    updates: dict[str, object]


def _text(value: object) -> str:
    """A cell as text: whole numbers without a decimal part, ``None`` as empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV (comma or semicolon, UTF-8) or Excel file (its first
    sheet), every cell as text."""
    if path.suffix.lower() == ".xlsx":
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [[_text(v) for v in r] for r in sheet.iter_rows(values_only=True)]
        book.close()
    else:
        text = path.read_text(encoding="utf-8-sig")
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = ";" if first.count(";") > first.count(",") else ","
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return [], []
    return [h.strip() for h in rows[0]], rows[1:]


def _unescape(text: str) -> str:
    """Undo the export's protection of text a spreadsheet would run (``'=A1`` → ``=A1``)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(RISKY_START) else text


def parse_rows(survey_round: SurveyRound, headers: Sequence[str],
               rows: Sequence[Sequence[str]]) -> tuple[list[ImportRow], list[ImportProblem]]:
    """The rows as answers of the round's questionnaire, and every problem found."""
    form = repo.round_form(survey_round)
    columns = {c.header: c for c in answer_columns(form)}
    problems = [ImportProblem(f"no question {h!r} in {survey_round.form_id}", column=h)
                for h in headers if h not in columns and h not in EXPORT_FIXED]
    if "organisation_code" not in headers:
        problems.append(ImportProblem("the column organisation_code is missing"))
        return [], problems
    respondents = {r.organisation_code for r in survey_round.responses}
    seen: dict[str, int] = {}
    out = []
    for number, row in enumerate(rows, start=2):
        cells = dict(zip(headers, row, strict=False))
        code = cells.get("organisation_code", "").strip()
        if code not in respondents:
            problems.append(ImportProblem(
                f"{code or '(empty)'} is not a respondent of round {survey_round.code}",
                number, "organisation_code"))
            continue
        if code in seen:
            problems.append(ImportProblem(f"{code} is also in row {seen[code]}", number,
                                          "organisation_code"))
            continue
        seen[code] = number
        updates: dict[str, object] = {}
        for header, raw in cells.items():
            column = columns.get(header)
            text = _unescape(raw.strip())
            if column is None or not text:
                continue
            question = column.question
            if column.row is not None:
                table = updates.setdefault(column.name, {})
                assert isinstance(table, dict)
                table.setdefault(column.row, {})[question.name] = text
            elif question.type is QuestionType.SELECT_MULTIPLE:
                updates[column.name] = text.split()
            else:
                updates[column.name] = text
        out.append(ImportRow(number, code, updates))
    return out, problems


def import_answers(session: Session, survey_round: SurveyRound, rows: Sequence[ImportRow], *,
                   actor: str, actor_name: str, now: dt.datetime, submit: bool,
                   render_receipt: repo.ReceiptRenderer,
                   confirmed: Callable[[str], Sequence[str]] = lambda code: ()
                   ) -> list[ImportProblem]:  # fmt: skip
    """Store each row as its organisation's draft at ``now`` (and with ``submit`` as a new
    imported version). Returns the problems; the caller commits only when there are none
    (nothing is flushed for good before)."""
    problems = []
    for row in rows:
        response = repo.response_for(session, survey_round, row.organisation_code)
        assert response is not None  # parse_rows kept only respondents
        try:
            blanks = {name: None for name in (response.draft or {}) if name not in row.updates}
            repo.save_answers(session, response, {**blanks, **row.updates}, actor=actor,
                              now=now)
            if submit:
                repo.submit(session, response, actor=actor, actor_name=actor_name, now=now,
                            confirmed=confirmed(row.organisation_code),
                            render_receipt=render_receipt, source=repo.IMPORT)
        except repo.SubmissionRefused as refused:
            problems += [ImportProblem(f"{e.text('en')}", row.row, _header(e))
                         for e in refused.errors]
            problems += [ImportProblem(f"possible personal data ({f.hit.kind.value}): "
                                       f"{f.hit.text!r}; confirm it with --confirm "
                                       f"{f.signature!r} or remove it", row.row, f.name)
                         for f in refused.unconfirmed]
        except repo.SurveyError as err:
            problems.append(ImportProblem(str(err), row.row))
    return problems


def _header(error: object) -> str:
    name = getattr(error, "name", "")
    row, column = getattr(error, "row", None), getattr(error, "column", None)
    return f"{name}.{row}.{column}" if row and column else str(name)
