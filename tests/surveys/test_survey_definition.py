"""Loading a definition: every problem is reported with sheet, row (or line) and column."""

from __future__ import annotations

import pytest

from naravard.surveys.definition import DefinitionError, SheetRow, build_questionnaire
from naravard.surveys.model import Group, QuestionType, RespondentType, RoundKind, Table

SETTINGS = [SheetRow(2, {"form_id": "t", "version": "1", "form_title::sv": "Test",
                         "respondent": "rss", "rounds": "interim final"})]
CHOICES = [
    SheetRow(2, {"list_name": "ja_nej", "name": "ja", "label::sv": "Ja"}),
    SheetRow(3, {"list_name": "ja_nej", "name": "nej", "label::sv": "Nej"}),
    SheetRow(4, {"list_name": "rows", "name": "a", "label::sv": "A"}),
    SheetRow(5, {"list_name": "multi", "name": "x", "label::sv": "X"}),
    SheetRow(6, {"list_name": "multi", "name": "none", "label::sv": "Inget", "exclusive": "yes"}),
]


def survey(*rows: dict[str, str]) -> list[SheetRow]:
    return [SheetRow(i + 2, r) for i, r in enumerate(rows)]


def issues(*rows: dict[str, str], settings: list[SheetRow] | None = None) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        build_questionnaire(SETTINGS if settings is None else settings, survey(*rows), CHOICES)
    return [str(i) for i in info.value.issues]


def q(name: str, qtype: str = "text", **cells: str) -> dict[str, str]:
    return {"type": qtype, "name": name, "label::sv": name.upper(), **cells}


def test_a_valid_definition_builds_the_tree() -> None:
    form = build_questionnaire(SETTINGS, survey(
        {"type": "begin group", "name": "g", "label::sv": "Del A"},
        q("q1", "select_one ja_nej", required="yes", key="stable.q1", number="1"),
        q("q1a", max_chars="1000", relevant="${q1} = 'ja'", round="final"),
        {"type": "begin_table rows", "name": "t", "label::sv": "Tabell",
         "warning": "column-sum(., 'count') = respondent('municipality_count')"},
        q("count", "integer", required="yes", min="0", max="respondent('municipality_count')"),
        {"type": "end table"},
        {"type": "end_group"},
        q("m", "select_multiple multi", max_selections="1"),
    ), CHOICES)
    group = form.body[0]
    assert isinstance(group, Group) and group.label.sv == "Del A"
    assert [i.name for i in form.items()] == ["q1", "q1a", "t", "m"]
    q1 = form.item("q1")
    assert q1 is not None and q1.key == "stable.q1" and q1.number == "1" and q1.required
    q1a = form.item("q1a")
    assert q1a is not None and not isinstance(q1a, Table)
    assert q1a.max_chars == 1000 and q1a.round is RoundKind.FINAL and q1a.key == "q1a"
    table = form.item("t")
    assert isinstance(table, Table) and table.rows_list == "rows"
    assert [c.type for c in table.columns] == [QuestionType.INTEGER]
    assert form.settings.respondent is RespondentType.RSS
    assert form.settings.rounds == (RoundKind.INTERIM, RoundKind.FINAL)
    assert form.options(form.item("m"))[1].exclusive is True  # type: ignore[arg-type]


def test_unknown_choice_list() -> None:
    assert issues(q("a", "select_one nope")) == [
        "survey, row 2, column type: unknown choice list 'nope'"
    ]


def test_bad_expression_names_position() -> None:
    assert issues(q("a", relevant="${b} = = 1"), q("b")) == [
        "survey, row 2, column relevant: Unexpected '=' at position 8 in '${b} = = 1'"
    ]


def test_duplicate_name_and_key() -> None:
    assert issues(q("a", key="k"), q("a"), q("b", key="k")) == [
        "survey, row 3, column name: duplicate name 'a'",
        "survey, row 4, column key: duplicate key 'k' (also used by 'a')",
    ]


def test_unknown_reference_and_unknown_option() -> None:
    assert issues(
        q("a", "select_one ja_nej"),
        q("b", relevant="${zz} = 1"),
        q("c", relevant="selected(${a}, 'kanske')"),
        q("d", relevant="selected(${b}, 'x')"),
    ) == [
        "survey, row 3, column relevant: unknown question ${zz}",
        "survey, row 4, column relevant: 'a' has no option 'kanske'",
        "survey, row 5, column relevant: selected() needs a select question, 'b' is not one",
    ]


def test_unclosed_and_unopened_groups() -> None:
    assert issues({"type": "begin group", "name": "g", "label::sv": "G"}, q("a")) == [
        "survey, row 2, column type: 'begin group' 'g' is never closed"
    ]
    assert issues(q("a"), {"type": "end group"}) == [
        "survey, row 3, column type: 'end group' without 'begin group'"
    ]
    assert issues({"type": "begin table rows", "name": "t", "label::sv": "T"}, q("c", "integer"),
                  {"type": "end group"}) == [
        "survey, row 4, column type: 'end group' where 'end table' was expected for table 't' "
        "(row 2)",
        "survey, row 2, column type: 'begin table' 't' is never closed",
    ]


def test_type_specific_columns_are_checked() -> None:
    assert issues(
        q("a", "integer", max_chars="10"),
        q("b", max_selections="2"),
        q("c", cannot_estimate__sv="x") | {"cannot_estimate::sv": "Kan inte uppskattas"},
        q("d", "integer", decimals="1"),
        q("e", max_chars="many"),
    ) == [
        "survey, row 2, column max_chars: only text questions take max_chars",
        "survey, row 3, column max_selections: only select_multiple questions take max_selections",
        "survey, row 4, column cannot_estimate__sv: unknown column 'cannot_estimate__sv'; "
        "did you mean 'cannot_estimate::sv'?",
        "survey, row 4, column cannot_estimate::sv: only number questions take cannot_estimate::sv",
        "survey, row 5, column decimals: only decimal and percentage questions take decimals",
        "survey, row 6, column max_chars: expected a whole number, got 'many'",
    ]


def test_unknown_type_fact_round_and_respondent() -> None:
    problems = issues(
        q("a", "geopoint"),
        q("b", "integer", max="respondent('population')"),
        q("c", round="midterm"),
        q("d", respondent="county"),
    )
    assert problems[0].startswith("survey, row 2, column type: unknown type 'geopoint' (")
    assert problems[1:] == [
        "survey, row 3, column max: Unknown respondent fact 'population' (known: code, "
        "county_code, kind, municipality_count) at position 12 in \"respondent('population')\"",
        "survey, row 4, column round: unknown value 'midterm' (allowed: interim, final, both)",
        "survey, row 5, column respondent: unknown value 'county' (allowed: region, rss, "
        "municipality)",
    ]


def test_current_value_only_where_it_means_something() -> None:
    assert issues(q("a", relevant=". = 1")) == [
        "survey, row 2, column relevant: '.' (the current value) is not allowed here"
    ]


def test_round_must_belong_to_the_form() -> None:
    settings = [SheetRow(2, {"form_id": "t", "version": "1", "form_title::sv": "T",
                             "respondent": "region"})]
    assert issues(q("a", round="interim"), settings=settings) == [
        "survey, row 2, column round: round 'interim' is not among the form's rounds"
    ]


def test_settings_problems() -> None:
    settings = [SheetRow(2, {"form_id": "bad id", "final_deadline": "31/3/2024"})]
    assert issues(q("a"), settings=settings) == [
        "settings, row 2, column form_id: missing or invalid form_id 'bad id'",
        "settings, row 2, column version: missing version",
        "settings, row 2, column respondent: missing respondent type",
        "settings, row 2, column form_title::sv: missing title",
        "settings, row 2, column final_deadline: expected a date YYYY-MM-DD, got '31/3/2024'",
    ]


def test_choice_problems() -> None:
    choices = [
        SheetRow(2, {"list_name": "l", "name": "a", "label::sv": "A"}),
        SheetRow(3, {"list_name": "l", "name": "a", "label::sv": "A igen"}),
        SheetRow(4, {"list_name": "l", "name": "b", "label::sv": "", "exclusive": "kanske"}),
    ]
    with pytest.raises(DefinitionError) as info:
        build_questionnaire(SETTINGS, survey(q("x", "select_one l")), choices)
    assert [str(i) for i in info.value.issues] == [
        "choices, row 3, column name: duplicate option 'a' in list 'l' (first on row 2)",
        "choices, row 4, column label::sv: option 'b' has no label",
        "choices, row 4, column exclusive: expected yes or no, got 'kanske'",
    ]


def test_all_problems_are_reported_at_once() -> None:
    problems = issues(q("a", "select_one nope"), q("a", relevant="${zz}"))
    assert len(problems) == 3
