"""Answer validation: types, limits, bounds, relevance, completeness; nothing is ever dropped."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.surveys.expressions import CANNOT_ESTIMATE
from naravard.surveys.model import RespondentType, RoundKind
from naravard.surveys.respondents import RespondentFacts
from naravard.surveys.validation import (
    ValidationResult,
    format_number,
    to_jsonable,
    unanswered_summary,
    validate_answers,
)
from naravard.surveys.yamlform import read_yaml_form

FORM = read_yaml_form(
    """
settings: {form_id: t, version: '1', form_title::sv: Test, respondent: rss, rounds: interim final}
survey:
  - {type: begin group, name: del_a, label::sv: Del A}
  - {type: select_one ja_nej, name: q1, label::sv: Fråga 1, number: '1', required: 'yes'}
  - {type: text, name: q1a, label::sv: Om ja, number: 1a, relevant: "${q1} = 'ja'",
     required: 'yes', max_chars: '10'}
  - {type: select_multiple groups, name: q2, label::sv: Målgrupper, required: 'yes',
     max_selections: '2'}
  - {type: text, name: q2_other, label::sv: Annan, relevant: "selected(${q2}, 'other')",
     required: 'yes'}
  - {type: integer, name: q3, label::sv: Antal, required: 'yes', min: '0',
     cannot_estimate::sv: Antal kan inte uppskattas, constraint: '. != 13',
     constraint_message::sv: Inte 13, constraint_message::en: Not 13}
  - {type: percentage, name: q4, label::sv: Andel, decimals: '1',
     cannot_estimate::sv: Andelen kan inte uppskattas}
  - {type: decimal, name: q5, label::sv: Index, decimals: '3', min: '0'}
  - {type: date, name: q6, label::sv: Datum}
  - {type: year_month, name: q7, label::sv: Månad}
  - {type: note, name: n1, label::sv: Info}
  - {type: end group}
  - {type: begin group, name: del_b, label::sv: Del B, relevant: "${q1} != 'nej'"}
  - {type: begin table rows, name: t, label::sv: Antal kommuner, number: '8',
     warning: "column-sum(., 'count') = respondent('municipality_count')",
     warning_message::sv: Summan bör vara antalet kommuner}
  - {type: integer, name: count, label::sv: Antal, required: 'yes', min: '0',
     max: "respondent('municipality_count')"}
  - {type: end table}
  - {type: text, name: final_only, label::sv: Bara i slutredovisningen, round: final,
     required: 'yes'}
  - {type: text, name: interim_only, label::sv: Bara i delredovisningen, round: interim}
  - {type: end group}
choices:
  ja_nej:
    - {name: ja, label::sv: Ja, label::en: 'Yes'}
    - {name: nej, label::sv: Nej, label::en: 'No'}
  groups:
    - {name: old, label::sv: Äldre, label::en: Older people}
    - {name: young, label::sv: Barn och unga, label::en: Children}
    - {name: other, label::sv: Annan målgrupp, label::en: Other}
    - {name: none, label::sv: Ingen särskild målgrupp, label::en: No particular group,
       exclusive: 'yes'}
  rows:
    - {name: ja, label::sv: Ja}
    - {name: nej, label::sv: Nej}
    - {name: no_answer, label::sv: Inte lämnat svar}
""",
    name="test.yaml",
)
HALLAND = RespondentFacts(RespondentType.RSS, "RSS13", "13", municipality_count=6)

COMPLETE = {
    "q1": "ja", "q1a": "Kort svar", "q2": ["old", "other"], "q2_other": "Nyanlända",
    "q3": "12", "q4": "58,4", "q5": "0.812", "q6": "2024-03-31", "q7": "2023-11",
    "t": {"ja": {"count": 4}, "nej": {"count": "1"}, "no_answer": {"count": 1}},
    "final_only": "Text",
}


def check(answers: dict[str, object], **kwargs: object) -> ValidationResult:
    return validate_answers(FORM, answers, HALLAND, **kwargs)  # type: ignore[arg-type]


def codes(result: ValidationResult) -> list[tuple[str, str, str | None]]:
    return [(e.name, e.code, e.row) for e in result.errors]


def test_a_complete_valid_answer_set() -> None:
    result = check(COMPLETE, round_kind=RoundKind.FINAL)
    assert result.ok and result.warnings == ()
    assert result.values == {
        "q1": "ja", "q1a": "Kort svar", "q2": ["old", "other"], "q2_other": "Nyanlända",
        "q3": 12, "q4": Decimal("58.4"), "q5": Decimal("0.812"), "q6": "2024-03-31",
        "q7": "2023-11",
        "t": {"ja": {"count": 4}, "nej": {"count": 1}, "no_answer": {"count": 1}},
        "final_only": "Text",
    }
    assert result.completeness.answered == 7 and result.completeness.required == 7
    assert result.completeness.percent() == Decimal("100.0")


def test_type_errors_keep_every_value_as_given() -> None:
    answers = {**COMPLETE, "q3": "tolv", "q4": "abc", "q6": "31/3/2024", "q7": "2023-13",
               "q1": "kanske"}
    result = check(answers, round_kind=RoundKind.FINAL)
    assert codes(result) == [
        ("q1", "option", None), ("q3", "integer", None), ("q4", "number", None),
        ("q6", "date", None), ("q7", "year_month", None),
    ]
    assert result.values["q3"] == "tolv" and result.values["q6"] == "31/3/2024"
    assert result.values["q1a"] == "Kort svar"  # other answers untouched
    messages = {e.name: (e.text("sv"), e.text("en")) for e in result.errors}
    assert messages["q3"] == ("Ange ett heltal, till exempel 12.", "Enter a whole number.")
    assert messages["q1"] == ("Okänt svarsalternativ: kanske.", "Unknown option: kanske.")
    assert messages["q7"][0] == "Ange år och månad som ÅÅÅÅ-MM, till exempel 2021-09."


def test_max_chars_counts_characters_including_spaces_and_line_breaks() -> None:
    assert check({**COMPLETE, "q1a": "a b\r\nc d e"}).errors == ()
    result = check({**COMPLETE, "q1a": "a b\r\nc d e f"})
    assert [(e.name, e.code, e.text()) for e in result.errors] == [
        ("q1a", "max_chars", "Texten är 11 tecken lång; högst 10 tecken får användas.")
    ]
    assert result.values["q1a"] == "a b\nc d e f"


def test_select_multiple_exclusive_and_maximum() -> None:
    result = check({**COMPLETE, "q2": ["old", "none"]})
    assert [(e.code, e.text(), e.text("en")) for e in result.errors] == [(
        "exclusive",
        "”Ingen särskild målgrupp” kan inte kombineras med andra svarsalternativ.",
        "“No particular group” cannot be combined with other options.",
    )]
    result = check({**COMPLETE, "q2": "old young other"})
    assert [(e.code, e.text()) for e in result.errors] == [
        ("max_selections", "Välj högst 2 svarsalternativ (du har valt 3).")
    ]
    assert result.values["q2"] == ["old", "young", "other"]
    assert check({**COMPLETE, "q2": ["other", "old", "old"]}).values["q2"] == ["old", "other"]


def test_cannot_estimate_is_exclusive_with_a_number() -> None:
    result = check({**COMPLETE, "q3": CANNOT_ESTIMATE, "q4": CANNOT_ESTIMATE})
    assert result.ok and result.values["q3"] == CANNOT_ESTIMATE
    result = check({**COMPLETE, "q5": CANNOT_ESTIMATE})
    assert [(e.name, e.code) for e in result.errors] == [("q5", "cannot_estimate")]


def test_bounds_constraints_and_decimals() -> None:
    result = check({**COMPLETE, "q3": -1, "q4": "100,5", "q5": "1.2345"})
    assert [(e.name, e.code, e.text()) for e in result.errors] == [
        ("q3", "min", "Värdet får inte vara mindre än 0."),
        ("q4", "max", "Värdet får inte vara större än 100."),
        ("q5", "decimals", "Ange högst 3 decimaler."),
    ]
    result = check({**COMPLETE, "q3": 13})
    assert [(e.code, e.text(), e.text("en")) for e in result.errors] == [
        ("constraint", "Inte 13", "Not 13")
    ]
    assert check({**COMPLETE, "q4": "58.45"}).errors[0].text() == "Ange högst 1 decimal."
    assert check({**COMPLETE, "q3": "1 100"}).values["q3"] == 1100


def test_respondent_relative_bound_and_sum_warning() -> None:
    table = {"ja": {"count": 7}, "nej": {"count": 0}, "no_answer": {"count": 0}}
    result = check({**COMPLETE, "t": table})
    assert [(e.name, e.code, e.row, e.column, e.text()) for e in result.errors] == [
        ("t", "max", "ja", "count", "Värdet får inte vara större än 6.")
    ]
    fine = {"ja": {"count": 6}, "nej": {"count": 0}, "no_answer": {"count": 0}}
    assert check({**COMPLETE, "t": fine}).ok
    uneven = {"ja": {"count": 2}, "nej": {"count": 0}, "no_answer": {"count": 0}}
    result = check({**COMPLETE, "t": uneven})
    assert result.ok
    assert [(w.name, w.code, w.text()) for w in result.warnings] == [
        ("t", "warning", "Summan bör vara antalet kommuner")
    ]
    stockholm = RespondentFacts(RespondentType.RSS, "RSS01", "01", municipality_count=26)
    result = validate_answers(FORM, {**COMPLETE, "t": table}, stockholm)
    assert result.ok and [w.code for w in result.warnings] == ["warning"]  # 7 != 26
    assert [w.code for w in validate_answers(FORM, {**COMPLETE, "t": fine}, None).warnings] == [
        "bound_unknown", "bound_unknown", "bound_unknown", "warning"
    ]


def test_missing_table_cells_are_required_one_by_one() -> None:
    result = check({**COMPLETE, "t": {"ja": {"count": 0}, "zz": {"count": 1}}})
    assert [(e.code, e.row, e.column) for e in result.errors] == [
        ("row", "zz", None), ("required", "nej", "count"), ("required", "no_answer", "count")
    ]
    assert result.errors[1].text() == "Fältet måste fyllas i (skriv 0 om svaret är noll)."
    assert "t" in result.completeness.unanswered


def test_irrelevant_answers_are_kept_but_not_submitted_or_checked() -> None:
    answers = {**COMPLETE, "q1": "nej", "q1a": "x" * 50, "q2": ["old"], "q2_other": "kvar"}
    result = check(answers, round_kind=RoundKind.FINAL)
    assert result.ok
    assert result.values["q1a"] == "x" * 50 and result.values["q2_other"] == "kvar"
    submitted = result.submission_values()
    assert "q1a" not in submitted and "q2_other" not in submitted
    assert "t" not in submitted and "final_only" not in submitted  # del_b hidden when q1 = nej
    assert result.relevant == {"q1", "q2", "q3", "q4", "q5", "q6", "q7"}


def test_rounds_leave_out_questions_of_the_other_report() -> None:
    interim = check(COMPLETE, round_kind=RoundKind.INTERIM)
    assert "final_only" not in interim.relevant and "interim_only" in interim.relevant
    assert interim.completeness.required == 6
    final = check(COMPLETE, round_kind=RoundKind.FINAL)
    assert "final_only" in final.relevant and "interim_only" not in final.relevant


def test_required_and_completeness_for_drafts_and_submission() -> None:
    answers = {"q1": "ja", "q2": ["none"], "q3": "kanske"}
    draft = check(answers, for_submission=False, round_kind=RoundKind.FINAL)
    assert codes(draft) == [("q3", "integer", None)]
    assert draft.completeness.answered == 2
    assert draft.completeness.required == 6
    assert draft.completeness.unanswered == ("q1a", "q3", "t", "final_only")
    assert draft.completeness.percent() == Decimal("33.3")
    submit = check(answers, round_kind=RoundKind.FINAL)
    assert [(e.name, e.code) for e in submit.errors if e.code == "required"] == [
        ("q1a", "required"), ("t", "required"), ("t", "required"), ("t", "required"),
        ("final_only", "required"),
    ]
    summary = unanswered_summary(FORM, draft)
    assert [(s.name, s.number, s.label.sv, s.section.sv) for s in summary] == [
        ("q1a", "1a", "Om ja", "Del A"), ("q3", "", "Antal", "Del A"),
        ("t", "8", "Antal kommuner", "Del B"), ("final_only", "", "Bara i slutredovisningen",
                                                  "Del B"),
    ]


def test_unknown_questions_and_notes_are_reported_not_dropped() -> None:
    result = check({**COMPLETE, "zz": "?", "n1": "svar"})
    assert [(e.name, e.code) for e in result.errors] == [("zz", "unknown"), ("n1", "note")]
    assert result.values["zz"] == "?" and result.values["n1"] == "svar"
    assert result.unknown == ("zz", "n1")
    assert result.errors[0].text() == "Frågan zz finns inte i formuläret."


def test_items_for_another_respondent_type_are_not_asked() -> None:
    form = read_yaml_form(
        """
settings: {form_id: r, version: '1', form_title::sv: R, respondent: region}
survey:
  - {type: text, name: both, label::sv: Alla, required: 'yes'}
  - {type: text, name: rss_only, label::sv: Bara RSS, required: 'yes', respondent: rss}
""")
    region = validate_answers(form, {"rss_only": "x"}, {"kind": "region"}, for_submission=False)
    assert region.relevant == {"both"} and region.completeness.required == 1
    assert region.values == {"rss_only": "x"} and region.submission_values() == {}
    rss = validate_answers(form, {}, {"kind": "rss"}, for_submission=False)
    assert rss.relevant == {"both", "rss_only"}


def test_choice_filter() -> None:
    form = read_yaml_form(
        """
settings: {form_id: f, version: '1', form_title::sv: F, respondent: region}
survey:
  - {type: select_one kinds, name: k, label::sv: K, choice_filter: "kind = respondent('kind')"}
choices:
  kinds:
    - {name: a, label::sv: A, kind: region}
    - {name: b, label::sv: B, kind: rss}
""")
    facts = {"kind": "region"}
    assert validate_answers(form, {"k": "a"}, facts).ok
    assert [e.code for e in validate_answers(form, {"k": "b"}, facts).errors] == ["option"]


def test_format_number() -> None:
    assert format_number(Decimal("1234567.5")) == "1\u202f234\u202f567,5"
    assert format_number(-1100, "en") == "-1,100"
    assert format_number(-5) == "\u22125"


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.integers(-50, 50), st.text(max_size=6),
                 st.decimals(allow_nan=False, allow_infinity=False, places=2)))
def test_accepted_numbers_always_meet_their_constraints(raw: object) -> None:
    result = check({**COMPLETE, "q3": raw})
    if not result.errors_for("q3"):
        value = result.values.get("q3")
        if value is not None and value != CANNOT_ESTIMATE:
            assert isinstance(value, int) and value >= 0 and value != 13


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 8),
    st.decimals(min_value=-5, max_value=120, places=1),
    st.lists(st.sampled_from(["old", "young", "other", "none"]), max_size=4),
    st.text(max_size=14),
)
def test_validation_is_sound_and_save_then_load_is_lossless(
    count: int, share: Decimal, groups: list[str], text: str
) -> None:
    answers = {**COMPLETE, "t": {"ja": {"count": count}, "nej": {"count": 0},
                                 "no_answer": {"count": 0}},
               "q4": share, "q2": groups, "q1a": text}
    result = check(answers)
    errors = {(e.name, e.code) for e in result.errors}
    assert (("t", "max") in errors) == (count > 6)
    assert (("q4", "min") in errors or ("q4", "max") in errors) == (not 0 <= share <= 100)
    chosen = set(groups)
    assert (("q2", "exclusive") in errors) == ("none" in chosen and len(chosen) > 1)
    assert (("q2", "max_selections") in errors) == (len(chosen) > 2)
    again = check(to_jsonable(result.values))
    assert again.values == result.values
    assert again.errors == result.errors
