"""Read and write questionnaire definitions as YAML with the same columns as the XLSForm sheets.

Layout::

    settings: {form_id: …, version: …, …}
    survey:
      - {type: select_one ja_nej, name: r2, label::sv: …}
    choices:
      ja_nej:
        - {name: ja, label::sv: Ja, label::en: "Yes"}

``choices`` may also be a list of rows that carry ``list_name`` themselves. All scalars are read
as text (``yes`` stays ``"yes"``), and problems are reported by line number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from naravard.surveys.definition import (
    CHOICES,
    SETTINGS,
    SURVEY,
    DefinitionError,
    DefinitionIssue,
    SheetRow,
    build_questionnaire,
    canonical_column,
    choice_rows,
    settings_row,
    survey_rows,
)
from naravard.surveys.model import Questionnaire

_LINE = "__line__"


class _LineLoader(yaml.BaseLoader):
    """Keeps every scalar as text and records the line of each mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


def _row(raw: object, sheet: str, line: int, issues: list[DefinitionIssue]) -> SheetRow | None:
    if not isinstance(raw, Mapping):
        issues.append(DefinitionIssue(sheet, line, None, "expected a mapping of column: value"))
        return None
    cells: dict[str, str] = {}
    row_line = int(raw.get(_LINE, line))
    for key, value in raw.items():
        if key == _LINE:
            continue
        if isinstance(value, Mapping | list):
            issues.append(DefinitionIssue(sheet, row_line, str(key), "expected a single value"))
            continue
        column = canonical_column(str(key))
        if column in cells:
            issues.append(DefinitionIssue(sheet, row_line, column, "column given twice"))
        cells[column] = "" if value is None else str(value)
    return SheetRow(row_line, cells)


def read_yaml_form(text: str, *, name: str = "form.yaml") -> Questionnaire:
    """Load and check a YAML definition; raise :class:`DefinitionError` listing every problem."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - BaseLoader builds only text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DefinitionError(name, [DefinitionIssue("yaml", line, None, str(exc))]) from exc
    issues: list[DefinitionIssue] = []
    if not isinstance(data, Mapping):
        raise DefinitionError(name, [DefinitionIssue("yaml", 1, None,
                                                     "expected settings, survey and choices")])
    for key in data:
        if key not in (SETTINGS, SURVEY, CHOICES, _LINE):
            issues.append(DefinitionIssue("yaml", None, str(key), f"unknown section {key!r}"))
    settings: list[SheetRow] = []
    raw_settings = data.get(SETTINGS)
    if raw_settings is not None:
        row = _row(raw_settings, SETTINGS, 1, issues)
        settings = [row] if row else []
    survey = _rows(data.get(SURVEY) or [], SURVEY, issues)
    raw_choices = data.get(CHOICES) or []
    choices: list[SheetRow] = []
    if isinstance(raw_choices, Mapping):
        for list_name, items in raw_choices.items():
            if list_name == _LINE:
                continue
            for row in _rows(items, CHOICES, issues):
                choices.append(SheetRow(row.row, {"list_name": str(list_name), **row.cells}))
    else:
        choices = _rows(raw_choices, CHOICES, issues)
    try:
        form = build_questionnaire(settings, survey, choices, source=name)
    except DefinitionError as exc:
        raise DefinitionError(name, [*issues, *exc.issues]) from exc
    if issues:
        raise DefinitionError(name, issues)
    return form


def _rows(raw: object, sheet: str, issues: list[DefinitionIssue]) -> list[SheetRow]:
    if not isinstance(raw, list):
        issues.append(DefinitionIssue(sheet, None, None, "expected a list of rows"))
        return []
    out = []
    for index, item in enumerate(raw, start=1):
        row = _row(item, sheet, index, issues)
        if row is not None:
            out.append(row)
    return out


def yaml_form_text(form: Questionnaire) -> str:
    """The definition as YAML (empty columns left out)."""
    choices: dict[str, list[dict[str, str]]] = {}
    _columns, rows = choice_rows(form)
    for row in rows:
        items = {k: v for k, v in row.items() if v and k != "list_name"}
        choices.setdefault(row["list_name"], []).append(items)
    data = {
        SETTINGS: {k: v for k, v in settings_row(form).items() if v},
        SURVEY: [{k: v for k, v in row.items() if v} for row in survey_rows(form)],
        CHOICES: choices,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
