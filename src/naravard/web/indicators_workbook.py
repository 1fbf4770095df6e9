"""An indicator's figures as an Excel workbook, for the analysts and strategists who go on
working in a spreadsheet.

Sheet one holds the rows of a selection (the same rows, in the same order, as the CSV) with
numbers as numbers, so they can be sorted, filtered and summed; a number disclosure control
hid is the rule's mask (``..``) and the row states the rule. Sheet two says what the figures
are: the indicator, each variant's unit, the desired direction, the definition version, the
data they were computed from, the selection, disclosure control and where they came from.

Written with XlsxWriter in its constant-memory mode: rows go to a temporary file as they are
written, so memory stays flat however many rows a selection has. A variant's monthly figures
are tens of thousands of rows — the demo's distance share by video has 70 435, written in
7.1 s where openpyxl's write-only mode took 12.0 s. Every text is written as text, never as a
formula or a link, and escaped as in the CSV (:mod:`naravard.spreadsheets`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from fastapi.responses import Response

from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import DisclosureRule
from naravard.indicators.finalise import LIMITS
from naravard.indicators.output import NUMBERS, has_masked_number
from naravard.spreadsheets import escape_cell
from naravard.storage.indicator_repo import ResultSet
from naravard.web import indicators_view as view
from naravard.web.i18n import gettext_for

#: Rows above the table: title, source line, a blank row; then the header.
_HEAD_ROWS = 4
#: Data rows a sheet can hold below them (Excel's limit is 1 048 576 rows).
MAX_ROWS = 1_048_576 - _HEAD_ROWS
_LEVELS = {"nation": "Sweden", "region": "Region", "municipality": "Municipality",
           "care_unit": "Care unit"}
_SEXES = {"T": "Women and men", "K": "Women", "M": "Men"}
#: Column headers (message ids) and widths.
_COLUMNS = (("Variant", 34), ("Period", 9), ("Level", 13), ("Area code", 11), ("Area", 26),
            ("Sex", 15), ("Numerator", 13), ("Denominator", 13), ("Value", 11),
            ("Lower limit", 12), ("Upper limit", 12), ("Status", 24), ("Note", 60))
_STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: Texts stay texts: nothing is read as a formula, a number or a link.
_OPTIONS = {"constant_memory": True, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> Response:
    """An Excel download."""
    return Response(content, media_type=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class TooManyRows(ValueError):
    """The selection does not fit on one sheet: ``rows`` against the ``limit``."""

    def __init__(self, rows: int, limit: int, indicator: str | None = None) -> None:
        self.rows, self.limit = rows, limit
        prefix = "" if indicator is None else f"{indicator}: "
        super().__init__(f"{prefix}{rows} rows; a sheet holds at most {limit}")


def values_workbook(results: ResultSet, rows: Sequence[Mapping[str, Any]], d: Definition,
                    rule: DisclosureRule, lang: str, *, selection: str, page_url: str,
                    now: dt.datetime | None = None) -> bytes:
    """``rows`` of ``results`` as an ``.xlsx`` file in ``lang`` (``sv`` or ``en``).

    ``selection`` describes the rows chosen (in words); ``page_url`` is the indicator's page.
    Internal results (``results.internal``) say on both sheets that they are not for
    publication. Raises :class:`TooManyRows` when the rows do not fit on a sheet.
    """
    if len(rows) > MAX_ROWS:
        raise TooManyRows(len(rows), MAX_ROWS)
    _ = gettext_for(lang)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, _OPTIONS)
    formats = _Formats(book)
    _values_sheet(book.add_worksheet(_("Values")), formats, results, rows, d, rule, lang, _)
    _about_sheet(book.add_worksheet(_("About")), formats, results, rows, d, rule, lang, _,
                 selection, page_url, now or dt.datetime.now(_STOCKHOLM))
    book.close()
    return buf.getvalue()


class _Formats:
    """The cell formats of the workbook."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.bold = book.add_format({"bold": True})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.whole = book.add_format({"num_format": "#,##0"})
        self.part = book.add_format({"num_format": "#,##0.0##"})
        self.mask = book.add_format({"align": "right"})
        self._values: dict[int, Any] = {}

    def value(self, decimals: int) -> Any:
        """The format of a value shown with ``decimals`` decimals."""
        if decimals not in self._values:
            self._values[decimals] = self.book.add_format(
                {"num_format": "0" if decimals <= 0 else "0." + "0" * decimals})
        return self._values[decimals]


@dataclass(frozen=True)
class Part:
    """One indicator's rows in a workbook of several."""

    d: Definition
    results: ResultSet
    rows: Sequence[Mapping[str, Any]]


def figures_workbook(parts: Sequence[Part], rule: DisclosureRule, lang: str, *, title: str,
                     contents: str, page_url: str, now: dt.datetime | None = None) -> bytes:
    """Published figures of several indicators (a region's, or Sweden's and the regions'): a
    sheet per indicator in the layout of :func:`values_workbook`, and a first sheet on what
    they are (``contents`` says which rows)."""
    for part in parts:
        if len(part.rows) > MAX_ROWS:
            raise TooManyRows(len(part.rows), MAX_ROWS, part.d.id)
    _ = gettext_for(lang)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, _OPTIONS)
    formats = _Formats(book)
    about = book.add_worksheet(_("About"))
    names = [_sheet_name(i, p.d.title.get(lang)) for i, p in enumerate(parts, start=1)]
    for name, p in zip(names, parts, strict=True):
        _values_sheet(book.add_worksheet(name), formats, p.results, p.rows, p.d, rule, lang, _)
    about.set_column(0, 0, 32)
    about.set_column(1, 1, 60)
    about.set_column(2, 5, 16)
    _text(about, 0, 0, title, formats.title)
    lines = [(_("Contents"), contents), (_("Disclosure control"), rule.footnote_text(lang)),
             (_("Web page"), page_url),
             (_("Created"), (now or dt.datetime.now(_STOCKHOLM)).astimezone(_STOCKHOLM)
              .strftime("%Y-%m-%d %H:%M"))]
    for at, (label, text) in enumerate(lines, start=2):
        _text(about, at, 0, label, formats.bold)
        _text(about, at, 1, text, formats.wrap)
    top = len(lines) + 3
    for col, header in enumerate((_("Sheet"), _("Indicator"), _("Definition version"),
                                  _("Data"), _("Stored on"), _("Rows"))):
        _text(about, top, col, header, formats.bold)
    for at, (name, p) in enumerate(zip(names, parts, strict=True), start=top + 1):
        snap = p.results.snapshot
        _text(about, at, 0, name)
        _text(about, at, 1, f"{p.d.title.get(lang)} ({p.d.id})", formats.wrap)
        _text(about, at, 2, (snap.definitions or {}).get(p.d.id, ""))
        _text(about, at, 3, snap.label, formats.wrap)
        _text(about, at, 4, snap.stored_at.date().isoformat())
        about.write_number(at, 5, len(p.rows))
    book.close()
    return buf.getvalue()


def _sheet_name(number: int, title: str) -> str:
    """``12 Andel av befolkningen med f…``: numbered, at most Excel's 31 characters, without
    the characters a sheet name may not hold."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)
    name = f"{number} {clean}"
    return name if len(name) <= 31 else name[:30].rstrip() + "…"


def _text(ws: Any, row: int, col: int, text: object, fmt: Any = None) -> None:
    ws.write_string(row, col, escape_cell(str(text)), fmt)


def _title(d: Definition, results: ResultSet, lang: str, _: Callable[..., str]) -> str:
    title = d.title.get(lang)
    return (_("%(title)s — internal figures, not for publication", title=title)
            if results.internal else title)


def _source_line(results: ResultSet, d: Definition, _: Callable[..., str]) -> str:
    snap = results.snapshot
    return _("Computed from %(label)s, stored %(stored)s, with definition version %(version)s. "
             "The sheet “About” says what the figures are.", label=snap.label,
             stored=snap.stored_at.date().isoformat(),
             version=(snap.definitions or {}).get(d.id, ""))


def _values_sheet(ws: Any, f: _Formats, results: ResultSet, rows: Sequence[Mapping[str, Any]],
                  d: Definition, rule: DisclosureRule, lang: str,
                  _: Callable[..., str]) -> None:
    for i, (_header, width) in enumerate(_COLUMNS):
        ws.set_column(i, i, width)
    header = _HEAD_ROWS - 1
    ws.freeze_panes(_HEAD_ROWS, 0)
    ws.autofilter(header, 0, header + len(rows), len(_COLUMNS) - 1)
    _text(ws, 0, 0, _title(d, results, lang, _), f.title)
    _text(ws, 1, 0, _source_line(results, d, _))
    for i, (name, _width) in enumerate(_COLUMNS):
        _text(ws, header, i, _(name), f.bold)
    titles = {v.id: escape_cell(v.title.get(lang)) for v in d.variants}
    levels = {k: _(v) for k, v in _LEVELS.items()}
    sexes = {k: _(v) for k, v in _SEXES.items()}
    note = escape_cell(rule.footnote_text(lang))
    mask = escape_cell(rule.mask)
    value_format = f.value(d.decimals)
    text, number = ws.write_string, ws.write_number
    for at, r in enumerate(rows, start=_HEAD_ROWS):
        variant = str(r["variant"])
        text(at, 0, titles.get(variant) or escape_cell(variant))
        text(at, 1, escape_cell(str(r["period"])))
        text(at, 2, levels.get(r["area_level"]) or escape_cell(str(r["area_level"])))
        text(at, 3, escape_cell(str(r["area_code"])))
        text(at, 4, escape_cell(view.area_name(r, results)))
        text(at, 5, sexes.get(r["sex"]) or escape_cell(str(r["sex"])))
        masked = has_masked_number(r)
        for col, name in enumerate((*NUMBERS, *LIMITS), start=6):
            value = r.get(name)
            if value is None or not math.isfinite(value):  # not finite: never stored, no number
                if masked and (name not in LIMITS or d.interval.method != "none"):
                    text(at, col, mask, f.mask)
            elif name in ("value", *LIMITS):
                number(at, col, value, value_format)
            else:
                number(at, col, value, f.whole if float(value).is_integer() else f.part)
        status = escape_cell(view.status_text(r, d, _))
        if status:
            text(at, 11, status)
        if masked:
            text(at, 12, note)


def _about_sheet(ws: Any, f: _Formats, results: ResultSet, rows: Sequence[Mapping[str, Any]],
                 d: Definition, rule: DisclosureRule, lang: str, _: Callable[..., str],
                 selection: str, page_url: str, now: dt.datetime) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 100)
    snap = results.snapshot
    present = {str(r["variant"]) for r in rows}
    known = {v.id for v in d.variants}
    units = [f"{v.title.get(lang)}: {d.unit_for(v.id).get(lang)}"
             for v in d.variants if v.id in present]
    units += [f"{v}: {_('a variant of an earlier definition version')}"
              for v in sorted(present - known)]
    disclosure = (_("None: internal figures, not for publication.") if results.internal
                  else rule.footnote_text(lang))
    lines: list[tuple[str, object]] = [
        (_("Indicator"), f"{d.title.get(lang)} ({d.id})"),
        (_("Description"), d.description.get(lang)),
        *((_("Unit") if i == 0 else "", text) for i, text in enumerate(units)),
        (_("Desired direction"), view.direction_text(d, _)),
        (_("Confidence interval"), view.interval_method_text(d, _)),
        (_("Definition version"), (snap.definitions or {}).get(d.id, "")),
        (_("Data"), snap.label),
        (_("Stored on"), snap.stored_at.date().isoformat()),
        (_("Data checksum"), snap.checksum),
        (_("Selection"), selection),
        (_("Rows"), len(rows)),
        (_("Disclosure control"), disclosure),
        (_("Web page"), page_url),
        (_("Created"), now.astimezone(_STOCKHOLM).strftime("%Y-%m-%d %H:%M")),
    ]
    _text(ws, 0, 0, _title(d, results, lang, _), f.title)
    for at, (label, value) in enumerate(lines, start=2):
        if label:
            _text(ws, at, 0, label, f.bold)
        if isinstance(value, int):
            ws.write_number(at, 1, value, f.wrap)
        else:
            _text(ws, at, 1, value, f.wrap)
