"""Read and write questionnaire definitions as XLSForm workbooks (``survey``, ``choices``,
``settings`` sheets) with openpyxl.

Text cells that a spreadsheet would take for a formula (starting with ``= + - @``, a tab or a
carriage return) are written with a leading apostrophe by :func:`naravard.spreadsheets.escape_cell`,
and reading removes it again, so every string survives the round trip. Cells holding real formulas
are rejected on reading.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from naravard.spreadsheets import escape_cell, unescape_cell
from naravard.surveys.definition import (
    CHOICES,
    SETTINGS,
    SETTINGS_COLUMNS,
    SURVEY,
    SURVEY_COLUMNS,
    DefinitionError,
    DefinitionIssue,
    SheetRow,
    build_questionnaire,
    canonical_column,
    cell_text,
    choice_rows,
    settings_row,
    survey_rows,
)
from naravard.surveys.model import Questionnaire

_INTEGER_COLUMNS = frozenset({"decimals", "max_chars", "max_selections", "reporting_year"})


def _sheet_rows(
    sheet: Worksheet, name: str, issues: list[DefinitionIssue]
) -> list[SheetRow]:
    rows = sheet.iter_rows()
    header_cells = next(rows, None)
    if header_cells is None:
        return []
    headers: list[str] = []
    for cell in header_cells:
        header = canonical_column(cell_text(cell.value))
        if header and header in headers:
            issues.append(DefinitionIssue(name, 1, header, f"column {header!r} appears twice"))
        headers.append(header)
    out: list[SheetRow] = []
    for cells in rows:
        values: dict[str, str] = {}
        row_number = cells[0].row if cells else 0
        for header, cell in zip(headers, cells, strict=False):
            if cell.data_type == "f":
                issues.append(DefinitionIssue(name, cell.row, header or None,
                                              "formulas are not allowed in a form definition"))
                continue
            text = cell_text(cell.value)
            if not header:
                if text.strip():
                    issues.append(DefinitionIssue(name, cell.row, None,
                                                  f"value {text!r} in a column without a header"))
                continue
            values[header] = unescape_cell(text) if isinstance(cell.value, str) else text
        out.append(SheetRow(int(row_number or 0), values))
    return out


def read_xlsform(source: str | Path | bytes, *, name: str | None = None) -> Questionnaire:
    """Load and check a workbook; raise :class:`DefinitionError` listing every problem."""
    label = name or (str(source) if not isinstance(source, bytes) else "workbook")
    try:
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        workbook = load_workbook(stream, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        issue = DefinitionIssue("workbook", None, None, f"not a readable .xlsx file ({exc})")
        raise DefinitionError(label, [issue]) from exc
    sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}
    issues: list[DefinitionIssue] = []
    rows: dict[str, list[SheetRow]] = {}
    for sheet_name in (SURVEY, CHOICES, SETTINGS):
        sheet = sheets.get(sheet_name)
        if sheet is None:
            if sheet_name != CHOICES:
                issues.append(DefinitionIssue(sheet_name, None, None, "sheet is missing"))
            rows[sheet_name] = []
        else:
            rows[sheet_name] = _sheet_rows(sheet, sheet_name, issues)
    try:
        form = build_questionnaire(rows[SETTINGS], rows[SURVEY], rows[CHOICES], source=label)
    except DefinitionError as exc:
        raise DefinitionError(label, [*issues, *exc.issues]) from exc
    if issues:
        raise DefinitionError(label, issues)
    return form


def _write_sheet(
    sheet: Worksheet, columns: Sequence[str], rows: Iterable[dict[str, str]]
) -> None:
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        out: list[object] = []
        for column in columns:
            text = row.get(column, "")
            if column in _INTEGER_COLUMNS and text.isdigit():
                out.append(int(text))
            else:
                out.append(escape_cell(text) if text else None)
        sheet.append(out)
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        wide = column.startswith(("label", "hint", "constraint_message", "form_title"))
        sheet.column_dimensions[letter].width = 60 if wide else max(12, len(column) + 2)


def xlsform_bytes(form: Questionnaire) -> bytes:
    """The definition as an ``.xlsx`` workbook."""
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = SURVEY
    _write_sheet(survey, SURVEY_COLUMNS, survey_rows(form))
    columns, rows = choice_rows(form)
    _write_sheet(workbook.create_sheet(CHOICES), columns, rows)
    _write_sheet(workbook.create_sheet(SETTINGS), SETTINGS_COLUMNS, [settings_row(form)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsform(form: Questionnaire, path: str | Path) -> None:
    """Write the definition to ``path`` as an ``.xlsx`` workbook."""
    Path(path).write_bytes(xlsform_bytes(form))
