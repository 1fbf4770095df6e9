"""Agreements as files: YAML load/save, Excel export/import, the shipped agreements.

Parsing uses pydantic's validation of the plain dataclasses in
:mod:`naravard.funding.agreements` (unknown keys are errors); the result then passes
:func:`naravard.funding.validation.validate_agreement`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import TypeAdapter, ValidationError

from naravard import spreadsheets
from naravard.funding.agreements import Agreement
from naravard.funding.validation import AgreementError, validate_agreement

_ADAPTER: TypeAdapter[Agreement] = TypeAdapter(Agreement)



def _format_validation_error(err: ValidationError) -> list[str]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top)"
        out.append(f"{loc}: {e['msg']} (got {e.get('input')!r})")
    return out


def agreement_from_dict(data: Any, where: str = "agreement") -> Agreement:
    """Build and validate an agreement from plain data (as read from YAML)."""
    if not isinstance(data, Mapping):
        raise AgreementError(where, [f"expected a mapping at the top, got {type(data).__name__}"])
    agreement_id = str(data.get("id") or where)
    try:
        agreement = _ADAPTER.validate_python(data)
    except ValidationError as err:
        raise AgreementError(agreement_id, _format_validation_error(err)) from None
    return validate_agreement(agreement)


def agreement_to_dict(agreement: Agreement) -> dict[str, Any]:
    """Plain data of an agreement (JSON types: dates and decimals as text)."""
    data = _ADAPTER.dump_python(agreement, mode="json")
    assert isinstance(data, dict)
    return data


def load_agreement_yaml(text: str, where: str = "agreement") -> Agreement:
    """Parse and validate an agreement from YAML text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise AgreementError(where, [f"not valid YAML: {err}"]) from None
    return agreement_from_dict(data, where)


def dump_agreement_yaml(agreement: Agreement) -> str:
    """YAML text of an agreement; :func:`load_agreement_yaml` reads it back unchanged."""
    return yaml.safe_dump(
        agreement_to_dict(agreement), allow_unicode=True, sort_keys=False, width=100
    )


@cache
def shipped_agreements() -> tuple[Agreement, ...]:
    """The agreements shipped in ``naravard/funding/data``, by year."""
    folder = files("naravard.funding").joinpath("data")
    out = [
        load_agreement_yaml(p.read_text(encoding="utf-8"), p.name)
        for p in folder.iterdir()
        if p.name.endswith(".yaml")
    ]
    return tuple(sorted(out, key=lambda a: (a.year, a.id)))


def shipped_file(name: str) -> str:
    """Text of a shipped data file (e.g. the ``khsv-2020.csv`` key template)."""
    return files("naravard.funding").joinpath("data", name).read_text(encoding="utf-8")


def find_agreement(agreements: Iterable[Agreement], agreement_id: str) -> Agreement:
    """The agreement with ``agreement_id``; :class:`KeyError` naming the known ids if absent."""
    pool = list(agreements)
    for a in pool:
        if a.id == agreement_id:
            return a
    raise KeyError(f"no agreement {agreement_id!r}; known: {', '.join(a.id for a in pool)}")


# --- Excel -------------------------------------------------------------------------------------

# Lists of scalars are written one item per line inside a cell.
_LIST_FIELDS = frozenset(
    {"parties", "sources", "missing", "related", "items", "recipients", "who", "applies_to"}
)
# Nested groups that may be absent as a whole.
_NULLABLE_GROUPS = frozenset({"budget", "method"})
# Required fields whose value may be null; an empty cell elsewhere means "use the default".
_REQUIRED_NULLABLE = frozenset(
    {"amount_sek", "recipient", "deadline", "total_sek", "signed_on", "agreement",
     "payment_decision", "weight"}
)

# sheet name, path of the record list in the agreement dict, child lists split to other sheets
_SHEETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("areas", ("areas",)),
    ("lines", ("lines",)),
    ("fixed_amounts", ("lines", "method", "fixed")),
    ("subtotals", ("subtotals",)),
    ("keys", ("keys",)),
    ("key_entries", ("keys", "entries")),
    ("duties", ("duties",)),
    ("conditions", ("conditions",)),
    ("signatories", ("signatories",)),
)
_CHILD_LISTS = {"lines": "method.fixed", "keys": "entries"}
_TOP_LISTS = frozenset(path[0] for _, path in _SHEETS)


def escape_cell(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (see :mod:`naravard.spreadsheets`).

    Line ends are then stored as LF (the workbook's XML turns a bare CR into LF anyway).
    """
    return spreadsheets.escape_cell(value).replace("\r\n", "\n").replace("\r", "\n")


unescape_cell = spreadsheets.unescape_cell


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in record.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{key}."))
        elif isinstance(value, list):
            if name in _LIST_FIELDS:
                out[key] = "\n".join(str(v) for v in value)
        elif value is None and name in _NULLABLE_GROUPS:
            out[key] = None
        else:
            out[key] = value
    return out


def _unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        leaf = parts[-1]
        if leaf in _LIST_FIELDS:
            node[leaf] = [] if value in (None, "") else str(value).split("\n")
        elif value not in (None, ""):
            node[leaf] = value
        elif leaf in _REQUIRED_NULLABLE or leaf in _NULLABLE_GROUPS:
            node.setdefault(leaf, None)
    for group in _NULLABLE_GROUPS:
        if isinstance(out.get(group), dict) and all(
            v is None or v == [] for v in out[group].values()
        ):
            out[group] = None
    return out


def _write_rows(ws: Worksheet, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    ws.append(columns)
    for row in rows:
        ws.append([_cell(row.get(c)) for c in columns])


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return escape_cell(value)
    return value


def export_agreement_xlsx(agreement: Agreement) -> bytes:
    """An Excel workbook of the agreement: one sheet of fields, one sheet per list."""
    data = agreement_to_dict(agreement)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "agreement"
    ws.append(["field", "value"])
    top = {k: v for k, v in data.items() if k not in _TOP_LISTS}
    for field, value in _flatten(top).items():
        ws.append([field, _cell(value)])
    for sheet, path in _SHEETS:
        rows: list[dict[str, Any]] = []
        if len(path) == 1:
            for rec in data[path[0]]:
                child = _CHILD_LISTS.get(path[0])
                flat = _flatten(rec)
                if child:
                    flat.pop(child, None)
                rows.append(flat)
        else:
            parent_list = data[path[0]]
            for rec in parent_list:
                node: Any = rec
                for part in path[1:]:
                    node = node.get(part) if isinstance(node, Mapping) else None
                for child in node or []:
                    rows.append({f"{path[0][:-1]}_id": rec["id"], **_flatten(child)})
        _write_rows(wb.create_sheet(sheet), rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read_sheet(ws: Worksheet) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h) for h in rows[0] if h is not None]
    out = []
    for raw in rows[1:]:
        if all(v is None for v in raw):
            continue
        out.append({h: _read_cell(v) for h, v in zip(header, raw, strict=False)})
    return out


def _read_cell(value: Any) -> Any:
    if isinstance(value, str):
        return unescape_cell(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def import_agreement_xlsx(content: bytes, where: str = "workbook") -> Agreement:
    """Read an agreement from a workbook written by :func:`export_agreement_xlsx`."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several unrelated types for bad files
        raise AgreementError(where, [f"not a readable Excel workbook: {err}"]) from None
    needed = {"agreement"} | {s for s, _ in _SHEETS}
    absent = needed - set(wb.sheetnames)
    if absent:
        raise AgreementError(where, [f"missing sheets: {', '.join(sorted(absent))}"])
    fields = {str(r["field"]): r.get("value") for r in _read_sheet(wb["agreement"])}
    data = _unflatten(fields)
    sheets = {name: _read_sheet(wb[name]) for name, _ in _SHEETS}
    for name, path in _SHEETS:
        if len(path) == 1:
            data[path[0]] = [_unflatten(r) for r in sheets[name]]
    for line in data["lines"]:
        fixed = [
            _unflatten({k: v for k, v in r.items() if k != "line_id"})
            for r in sheets["fixed_amounts"]
            if r.get("line_id") == line.get("id")
        ]
        if isinstance(line.get("method"), dict):
            line["method"]["fixed"] = fixed
    for key in data["keys"]:
        key["entries"] = [
            _unflatten({k: v for k, v in r.items() if k != "key_id"})
            for r in sheets["key_entries"]
            if r.get("key_id") == key.get("id")
        ]
    return agreement_from_dict(data, where)


def load_agreement_file(name: str, content: bytes) -> Agreement:
    """Load an agreement from a ``.yaml``/``.yml`` or ``.xlsx`` file's bytes."""
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return load_agreement_yaml(content.decode("utf-8"), name)
    if lower.endswith(".xlsx"):
        return import_agreement_xlsx(content, name)
    raise AgreementError(name, ["unknown file type: use .yaml, .yml or .xlsx"])
