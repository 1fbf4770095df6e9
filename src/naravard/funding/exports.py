"""Allocation tables in the layout of a published table: recipient, amount, a total row.

CSV and Excel. Every text cell is formula-escaped (:mod:`naravard.spreadsheets`); amounts are
integer kronor (in Excel: numbers with a thousands format, so they can be summed).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from naravard.spreadsheets import escape_cell, safe_value


@dataclass(frozen=True)
class PublishedRow:
    """One recipient and its amount."""

    code: str
    name: str
    amount_sek: int


@dataclass(frozen=True)
class PublishedTable:
    """An allocation table as published: a title, notes on its basis, rows and a total."""

    title: str
    notes: tuple[str, ...]
    headers: tuple[str, str, str]
    total_label: str
    rows: tuple[PublishedRow, ...]

    @property
    def total_sek(self) -> int:
        """Sum of the amounts."""
        return sum(r.amount_sek for r in self.rows)


def table_csv(table: PublishedTable) -> str:
    """CSV: a header row (code, name, amount), one row per recipient, the total row.

    Title and notes are not written, so the file stays a plain table; amounts are plain integers.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([escape_cell(row.code), escape_cell(row.name), row.amount_sek])
    writer.writerow(["", escape_cell(table.total_label), table.total_sek])
    return buf.getvalue()


def table_xlsx(table: PublishedTable, sheet: str = "Fördelning") -> bytes:
    """An Excel workbook: title, notes, a blank row, the header, the rows and the total row."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append([safe_value(table.title)])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for note in table.notes:
        ws.append([safe_value(note)])
    ws.append([])
    ws.append([safe_value(h) for h in table.headers])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        ws.append([safe_value(row.code), safe_value(row.name), row.amount_sek])
        ws.cell(row=ws.max_row, column=3).number_format = "#,##0"
    ws.append([None, safe_value(table.total_label), table.total_sek])
    total_row = ws.max_row
    for cell in ws[total_row]:
        cell.font = Font(bold=True)
    ws.cell(row=total_row, column=3).number_format = "#,##0"
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 18
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
