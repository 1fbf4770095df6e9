"""XLSForm workbooks and YAML: exact round trips, formula-injection escaping, clear load errors."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from naravard.surveys.catalog import shipped_forms
from naravard.surveys.definition import (
    SURVEY_COLUMNS,
    DefinitionError,
    SheetRow,
    build_questionnaire,
)
from naravard.surveys.model import Questionnaire
from naravard.surveys.xlsform import read_xlsform, xlsform_bytes
from naravard.surveys.yamlform import read_yaml_form, yaml_form_text


def sheet_values(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


@pytest.mark.parametrize("entry", shipped_forms(), ids=lambda e: e.form.form_id)
def test_shipped_forms_round_trip_through_xlsx_and_yaml(entry: object) -> None:
    form: Questionnaire = entry.form  # type: ignore[attr-defined]
    data = xlsform_bytes(form)
    again = read_xlsform(data, name="x.xlsx")
    assert again == form
    assert sheet_values(xlsform_bytes(again)) == sheet_values(data)
    assert read_yaml_form(yaml_form_text(form)) == form


def test_workbook_layout() -> None:
    form = next(e.form for e in shipped_forms() if e.form.form_id == "gonv-2023-region")
    sheets = sheet_values(xlsform_bytes(form))
    assert list(sheets) == ["survey", "choices", "settings"]
    assert sheets["survey"][0] == SURVEY_COLUMNS
    assert sheets["choices"][0][:5] == ("list_name", "name", "label::sv", "label::en", "exclusive")
    r7a = next(r for r in sheets["survey"] if r[1] == "r7a")
    assert r7a[0] == "text" and r7a[SURVEY_COLUMNS.index("max_chars")] == 1000
    assert r7a[SURVEY_COLUMNS.index("relevant")] == "${r7} = 'ja'"


SETTINGS = [SheetRow(2, {"form_id": "t", "version": "1", "form_title::sv": "=cmd|' /C calc'!A0",
                         "respondent": "region"})]


def test_formula_like_text_is_escaped_and_read_back_exactly() -> None:
    label = "=HYPERLINK(\"http://example.invalid\",\"klicka\")"
    form = build_questionnaire(
        SETTINGS,
        [SheetRow(2, {"type": "integer", "name": "a", "label::sv": label, "label::en": "@SUM(1)",
                      "hint::sv": "+46 är riktnummer", "hint::en": "-1 is negative",
                      "min": "-5", "constraint_message::sv": "'citat'"})],
        [],
    )
    data = xlsform_bytes(form)
    workbook = load_workbook(io.BytesIO(data))
    survey = workbook["survey"]
    header = [c.value for c in survey[1]]
    row = dict(zip(header, survey[2], strict=True))
    assert row["label::sv"].value == "'" + label
    assert row["label::sv"].data_type == "s"
    assert row["label::en"].value == "'@SUM(1)"
    assert row["hint::sv"].value == "'+46 är riktnummer"
    assert row["min"].value == "'-5"
    assert row["constraint_message::sv"].value == "''citat'"
    assert workbook["settings"]["C2"].value == "'=cmd|' /C calc'!A0"
    assert read_xlsform(data) == form


def _workbook(survey: list[list[object]], choices: list[list[object]] | None = None,
              settings_rows: list[list[object]] | None = None) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    if choices is not None:
        sheet = workbook.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    if settings_rows is not None:
        sheet = workbook.create_sheet("settings")
        for row in settings_rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_plain_xlsform_headers_and_formula_cells() -> None:
    good = _workbook(
        [["type", "name", "label::Svenska (sv)", "label::English (en)", "hint"],
         ["select_one yn", "q", "Fråga", "Question", "Ledtext"]],
        [["list_name", "name", "label"], ["yn", "ja", "Ja"], ["yn", "nej", "Nej"]],
        [["form_id", "version", "form_title", "respondent"], ["t", 2024010101, "T", "rss"]],
    )
    form = read_xlsform(good)
    question = form.item("q")
    assert question is not None and question.label.en == "Question"
    assert question.hint.sv == "Ledtext" and form.version == "2024010101"

    bad = _workbook(
        [["type", "name", "label", "relevant", "colour"],
         ["text", "q", "=A1", "${nope} = 1", "red"]],
        None,
        None,
    )
    with pytest.raises(DefinitionError) as info:
        read_xlsform(bad, name="bad.xlsx")
    assert [str(i) for i in info.value.issues] == [
        "survey, row 2, column label::sv: formulas are not allowed in a form definition",
        "settings: sheet is missing",
        "settings: the settings sheet has no row",
        "survey, row 2, column colour: unknown column 'colour'",
        "survey, row 2, column label::sv: question 'q' has no label",
        "survey, row 2, column relevant: unknown question ${nope}",
    ]
    assert "bad.xlsx: 6 problem(s)" in str(info.value)


def test_not_a_workbook() -> None:
    with pytest.raises(DefinitionError) as info:
        read_xlsform(b"not a zip", name="x.xlsx")
    assert str(info.value.issues[0]).startswith("workbook: not a readable .xlsx file")


def test_yaml_problems_are_reported_by_line() -> None:
    text = (
        "settings: {form_id: t, version: '1', form_title::sv: T, respondent: region}\n"
        "survey:\n"
        "  - type: text\n"
        "    name: a\n"
        "    label::sv: A\n"
        "  - type: integer\n"
        "    name: b\n"
        "    label::sv: B\n"
        "    max: ${a} +\n"
        "extra: 1\n"
    )
    with pytest.raises(DefinitionError) as info:
        read_yaml_form(text, name="t.yaml")
    assert [str(i) for i in info.value.issues] == [
        "yaml, column extra: unknown section 'extra'",
        "survey, row 6, column max: Unexpected end of expression at position 7 in '${a} +'",
    ]


LABEL_CHARS = st.sampled_from(list("abcåäöÅÄÖé XYZ019.,:;!?()[]{}'\"=+-@#%&/\n"))
labels = st.text(LABEL_CHARS, min_size=1, max_size=20)
optional = st.one_of(st.just(""), labels)
TYPES = ["text", "integer", "decimal", "percentage", "select_one opts",
         "select_multiple opts", "date", "year_month", "note"]


@st.composite
def definitions(draw: st.DrawFn) -> Questionnaire:
    rows: list[dict[str, str]] = []
    answerable: list[str] = []
    grouped = draw(st.booleans())
    if grouped:
        rows.append({"type": "begin group", "name": "g", "label::sv": draw(labels),
                     "hint::en": draw(optional)})
    for i in range(draw(st.integers(1, 5))):
        qtype = draw(st.sampled_from(TYPES))
        row = {"type": qtype, "name": f"q{i}", "label::sv": draw(labels),
               "label::en": draw(optional), "hint::sv": draw(optional),
               "number": draw(st.sampled_from(["", str(i + 1), f"{i}a"]))}
        if qtype != "note":
            row["required"] = draw(st.sampled_from(["", "yes"]))
            row["key"] = draw(st.sampled_from(["", f"stable.q{i}"]))
            if answerable and draw(st.booleans()):
                row["relevant"] = f"${{{answerable[-1]}}} != ''"
        if qtype == "text":
            row["max_chars"] = draw(st.sampled_from(["", "1000", "5000"]))
        if qtype in ("integer", "decimal", "percentage"):
            row["min"] = draw(st.sampled_from(["", "0", "-3"]))
            row["max"] = draw(st.sampled_from(["", "respondent('municipality_count')"]))
            row["cannot_estimate::sv"] = draw(optional)
            row["constraint"] = draw(st.sampled_from(["", ". != 13"]))
            row["constraint_message::sv"] = draw(optional)
        if qtype in ("decimal", "percentage"):
            row["decimals"] = draw(st.sampled_from(["", "1", "3"]))
        if qtype.startswith("select_multiple"):
            row["max_selections"] = draw(st.sampled_from(["", "2"]))
        rows.append(row)
        if qtype != "note":
            answerable.append(f"q{i}")
    if grouped:
        rows.append({"type": "end group"})
    choices = [
        {"list_name": "opts", "name": "a", "label::sv": draw(labels), "label::en": draw(optional)},
        {"list_name": "opts", "name": "none", "label::sv": draw(labels),
         "exclusive": draw(st.sampled_from(["", "yes"]))},
    ]
    settings_row = {"form_id": "generated", "version": draw(st.sampled_from(["1", "2024.2"])),
                    "form_title::sv": draw(labels), "form_title::en": draw(optional),
                    "respondent": draw(st.sampled_from(["region", "rss", "municipality"])),
                    "final_deadline": draw(st.sampled_from(["", "2024-03-31"]))}
    return build_questionnaire(
        [SheetRow(2, settings_row)],
        [SheetRow(i + 2, r) for i, r in enumerate(rows)],
        [SheetRow(i + 2, r) for i, r in enumerate(choices)],
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_any_definition_round_trips_exactly(form: Questionnaire) -> None:
    assert read_xlsform(xlsform_bytes(form)) == form
    assert read_yaml_form(yaml_form_text(form)) == form
