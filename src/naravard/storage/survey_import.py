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
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from naravard.spreadsheets import RISKY_START
from naravard.storage import survey_repo as repo
from naravard.storage.survey_results import EXPORT_FIXED, answer_columns
from naravard.storage.survey_tables import SurveyRound
from naravard.surveys.model import LocalText, QuestionType

__all__ = ["ImportProblem", "ImportRow", "import_answers", "parse_rows", "read_table"]


def _english(msgid: str, /, **params: object) -> str:
    """``msgid`` with its placeholders filled, untranslated."""
    return msgid % params if params else msgid


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong, where: ``row`` is the row of the file (the header is row 1).

    ``message`` is an English message id with ``%(name)s`` placeholders filled from ``params``
    (the web translates it); a rule of the questionnaire gives its own text in both languages
    (``local``).
    """

    message: str
    row: int | None = None
    column: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    local: LocalText | None = None

    def text(self, gettext: Callable[..., str] = _english, lang: str = "en") -> str:
        """The problem with its place, through ``gettext`` (English by default)."""
        message = (self.local.get(lang) if self.local is not None
                   else gettext(self.message, **self.params))
        if self.row and self.column:
            return gettext("row %(row)s, column %(column)s: %(problem)s", row=self.row,
                           column=self.column, problem=message)
        if self.row:
            return gettext("row %(row)s: %(problem)s", row=self.row, problem=message)
        if self.column:
            return gettext("column %(column)s: %(problem)s", column=self.column,
                           problem=message)
        return message

    def __str__(self) -> str:
        return self.text()


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


def read_table(name: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of file ``name``: Excel (``.xlsx``, its first sheet) or CSV
    (comma or semicolon, UTF-8), every cell as text. Raises ``ValueError`` for a file that is
    neither."""
    if name.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{name} is not an Excel workbook") from exc
        sheet = book.worksheets[0]
        rows = [[_text(v) for v in r] for r in sheet.iter_rows(values_only=True)]
        book.close()
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{name} is not UTF-8 text") from exc
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
    problems = [ImportProblem("no question %(name)s in %(form)s", column=h,
                              params={"name": repr(h), "form": survey_round.form_id})
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
                "%(code)s is not a respondent of round %(round)s", number, "organisation_code",
                {"code": code or "–", "round": survey_round.code}))
            continue
        if code in seen:
            problems.append(ImportProblem("%(code)s is also in row %(row)s", number,
                                          "organisation_code",
                                          {"code": code, "row": str(seen[code])}))
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
            problems += [ImportProblem("", row.row, _header(e), local=e.message)
                         for e in refused.errors]
            problems += [ImportProblem(
                "possible personal data (%(kind)s): %(text)s; keep it by confirming the "
                "signature %(signature)s, or remove it", row.row, f.name,
                {"kind": f.hit.kind.value, "text": repr(f.hit.text),
                 "signature": repr(f.signature)}) for f in refused.unconfirmed]
        except repo.SurveyError as err:
            problems.append(ImportProblem(err.msgid, row.row, params=err.params))
    return problems


def _header(error: object) -> str:
    name = getattr(error, "name", "")
    row, column = getattr(error, "row", None), getattr(error, "column", None)
    return f"{name}.{row}.{column}" if row and column else str(name)
