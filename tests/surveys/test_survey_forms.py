"""The shipped questionnaires match the notes: numbering, types, limits, conditions, rounds."""

from __future__ import annotations

import datetime as dt

import pytest

from naravard.surveys.catalog import find_form, shipped_forms
from naravard.surveys.demo import demo_answer_sets
from naravard.surveys.expressions import CANNOT_ESTIMATE
from naravard.surveys.model import (
    Question,
    Questionnaire,
    QuestionType,
    RespondentType,
    RoundKind,
    Table,
)
from naravard.surveys.respondents import facts_for_organisation
from naravard.surveys.validation import validate_answers

FORMS = list(shipped_forms())


def form(form_id: str) -> Questionnaire:
    return find_form(FORMS, form_id).form


def numbered(f: Questionnaire) -> list[str]:
    return [i.number for i in f.items() if i.number]


def question(f: Questionnaire, name: str) -> Question:
    item = f.item(name)
    assert isinstance(item, Question), name
    return item


def limits(f: Questionnaire) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for item in f.items():
        if isinstance(item, Question) and item.number and item.type is QuestionType.TEXT:
            assert item.max_chars is not None
            out.setdefault(item.max_chars, []).append(item.number)
    return out


def test_shipped_catalogue() -> None:
    assert [(e.form.form_id, e.form.version, e.form.settings.respondent) for e in FORMS] == [
        ("gonv-2021-region", "1", RespondentType.REGION),
        ("gonv-2021-rss", "1", RespondentType.RSS),
        ("gonv-2023-municipality", "1", RespondentType.MUNICIPALITY),
        ("gonv-2023-region", "1", RespondentType.REGION),
        ("gonv-2023-rss", "1", RespondentType.RSS),
        ("municipal-survey-2019", "1", RespondentType.MUNICIPALITY),
    ]


def test_region_2023_numbering_types_and_limits() -> None:
    f = form("gonv-2023-region")
    expected = [str(n) for n in range(1, 35)] + [str(n) for n in range(36, 39)]
    expected += ["39a", "39b", "40a", "40b"] + [str(n) for n in range(41, 47)]
    for sub in ("7a", "8a", "11a", "13a", "14a", "15a", "18a", "19a", "42a", "43a", "46a"):
        expected.append(sub)
    assert sorted(numbered(f)) == sorted(expected)
    assert len(numbered(f)) == 58 and "35" not in numbered(f)
    yes_no = [q.number for q in f.items()
              if isinstance(q, Question) and q.number and q.list_name == "ja_nej"]
    assert yes_no == ["2", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "18", "19",
                      "32", "42", "43", "44", "46"]
    assert limits(f) == {
        5000: ["29", "41"],
        1000: ["7a", "8a", "13a", "15a", "19a"],
        3000: ["11a", "14a", "16", "26", "39a", "39b", "40a", "40b", "43a", "46a"],
    }
    r17 = question(f, "r17")
    assert r17.type is QuestionType.SELECT_MULTIPLE and r17.max_selections == 5
    assert [c.name for c in f.options(r17)][-1] == "o14"
    r22 = question(f, "r22")
    assert r22.type is QuestionType.PERCENTAGE and r22.decimals == 1
    assert r22.cannot_estimate.sv == "Andelen kan inte uppskattas"
    assert question(f, "r25").cannot_estimate.sv == "Indextal kan inte uppskattas"
    for name in ("r33", "r34", "r36", "r37"):
        q = question(f, name)
        assert q.type is QuestionType.INTEGER
        assert q.cannot_estimate.sv == "Antal kan inte uppskattas"
    assert question(f, "r7a").relevant is not None
    assert question(f, "r7a").relevant.source == "${r7} = 'ja'"  # type: ignore[union-attr]
    exclusive = {q.name: [c.name for c in f.options(q) if c.exclusive] for q in f.items()
                 if isinstance(q, Question) and q.type is QuestionType.SELECT_MULTIPLE}
    assert {k: v for k, v in exclusive.items() if v} == {
        "r3": ["o6"], "r4": ["o6"], "r20": ["o3"], "r27": ["o8"]
    }
    assert f.settings.final_deadline == dt.date(2024, 3, 31)


def test_rss_2023_count_tables_are_bounded_by_the_county() -> None:
    f = form("gonv-2023-rss")
    assert len(numbered(f)) == 35
    tables = [i for i in f.items() if isinstance(i, Table)]
    assert [(t.number, len(f.options(t))) for t in tables] == [
        ("1", 29), ("4", 6), ("6", 6), ("17", 3), ("19", 4), ("20", 4), ("23", 17), ("24", 7),
        ("25", 3), ("26", 3),
    ]
    assert sum(len(f.options(t)) for t in tables) == 82
    for table in tables:
        (column,) = table.columns
        assert column.type is QuestionType.INTEGER and column.required
        assert column.minimum is not None and column.minimum.source == "0"
        assert column.maximum is not None
        assert column.maximum.source == "respondent('municipality_count')"
    sums = [t.number for t in tables if t.warning and "column-sum" in t.warning.source]
    assert sums == ["17", "19", "20", "25", "26"]
    assert limits(f) == {
        1000: ["2", "5", "7", "13a", "18", "23a", "24a", "27a", "27b", "28a", "28b"],
        3000: ["3", "9", "10a", "11", "12"],
        5000: ["14", "21", "29"],
    }
    assert question(f, "s15").max_selections == 5


def test_municipal_questions_a_to_t() -> None:
    f = form("gonv-2023-municipality")
    assert numbered(f) == ["A", "B", "C", "D", "E", "F", "G", "H", "I.1", "I.2", "J.1", "J.2",
                           "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T"]


def test_stable_keys_link_the_same_question_across_forms() -> None:
    region, rss, municipal = (form("gonv-2023-region"), form("gonv-2023-rss"),
                              form("gonv-2023-municipality"))
    for key, names in {
        "steering.joint_action_plan": ("r5", "s8", None),
        "collaboration.areas_affected_2023": ("r17", "s15", "h"),
        "info_exchange.law_2022_913_started": ("r44", None, "i"),
    }.items():
        for f, name in zip((region, rss, municipal), names, strict=True):
            item = f.by_key(key)
            assert (item.name if item else None) == name
    r2021, s2021 = form("gonv-2021-region"), form("gonv-2021-rss")
    shared = {i.key for i in r2021.items()} & {i.key for i in s2021.items()}
    assert "covid2021.transition" in shared and "nara2021.vision_process" in shared


def test_2021_rounds_and_the_final_only_question() -> None:
    f = form("gonv-2021-region")
    assert f.settings.rounds == (RoundKind.INTERIM, RoundKind.FINAL)
    assert (f.settings.interim_deadline, f.settings.final_deadline) == (
        dt.date(2021, 9, 30), dt.date(2022, 3, 31))
    assert question(f, "g3_3").round is RoundKind.FINAL
    assert question(f, "g1_5a").round is RoundKind.INTERIM
    assert question(f, "g1_5b").round is RoundKind.FINAL
    facts = facts_for_organisation("13")
    interim = validate_answers(f, {}, facts, round_kind=RoundKind.INTERIM, for_submission=False)
    final = validate_answers(f, {}, facts, round_kind=RoundKind.FINAL, for_submission=False)
    assert set(final.relevant) - set(interim.relevant) == {"g1_5b", "g3_3"}
    assert set(interim.relevant) - set(final.relevant) == {"g1_5a"}
    table = f.item("g2")
    assert isinstance(table, Table)
    assert [c.type for c in table.columns] == [QuestionType.YEAR_MONTH] * 3
    rss = form("gonv-2021-rss")
    assert rss.settings.rounds == (RoundKind.INTERIM, RoundKind.FINAL)
    assert all(i.round is RoundKind.BOTH for i in rss.items())


def test_municipal_survey_2019() -> None:
    f = form("municipal-survey-2019")
    assert numbered(f) == ["1", "2", "2a", "3", "4"]
    q1 = f.item("q1")
    assert isinstance(q1, Table) and len(f.options(q1)) == 4
    q3 = f.item("q3")
    assert isinstance(q3, Table)
    assert [c.label.sv for c in f.options(q3)] == [
        "Sjuksköterska", "Specialistsjuksköterska", "Fysioterapeut", "Arbetsterapeut", "Dietist",
        "Farmaceut"]
    assert [c.label.sv for c in f.options(q3.columns[0])] == [
        "Brist", "Balans", "Överskott", "Vet inte", "Finns inte i kommunens verksamhet"]
    facts = facts_for_organisation("1384")
    answers = {"q1": {"political": {"answer": "ja"}}, "q2": "ja", "q2a": "ja"}
    result = validate_answers(f, answers, facts, for_submission=False)
    assert "q2a" not in result.relevant  # asked only when q2 = nej
    assert f.settings.final_deadline == dt.date(2020, 1, 27)


@pytest.mark.parametrize("answers", demo_answer_sets(), ids=lambda a: a.name)
def test_hallands_demo_answers_are_valid(answers: object) -> None:
    demo = answers  # a DemoAnswerSet
    f = find_form(FORMS, demo.form_id, demo.form_version).form  # type: ignore[attr-defined]
    facts = facts_for_organisation(demo.respondent)  # type: ignore[attr-defined]
    result = validate_answers(f, demo.answers, facts)  # type: ignore[attr-defined]
    assert [e for e in result.errors if e.code != "required"] == []
    assert result.warnings == ()
    required_given = {n for n in demo.answers  # type: ignore[attr-defined]
                      if n in result.relevant and f.item(n).required}  # type: ignore[union-attr]
    assert result.completeness.answered == len(required_given)
    assert set(demo.provenance.values()) <= {"legible", "inferred"}  # type: ignore[attr-defined]


def test_hallands_lost_answers_stay_unanswered_and_near_limit_texts_pass() -> None:
    region, rss = demo_answer_sets()
    f = form("gonv-2023-region")
    result = validate_answers(f, region.answers, facts_for_organisation("13"))
    lost = {"r3", "r5", "r9", "r10", "r12", "r17", "r18", "r20", "r22", "r23", "r24", "r25",
            "r30", "r31", "r32", "r33", "r34", "r36", "r37", "r38", "r44"}
    assert lost <= set(result.completeness.unanswered)
    assert len(str(region.answers["r7a"])) == 974
    assert len(str(region.answers["r15a"])) == 969
    s = form("gonv-2023-rss")
    result = validate_answers(s, rss.answers, facts_for_organisation("RSS13"))
    assert result.values["s23"] == {f"r{i:02d}": {"count": c} for i, c in enumerate(
        [4, 4, 5, 5, 6, 5, 6, 3, 5, 1, 3, 6, 5, 6, 6, 6, 3], start=1)}
    assert "s21" not in result.relevant  # e-mailed separately; the placeholder text is kept
    assert str(result.values["s21"]).startswith("Texten får inte plats i mallen.")
    assert len(str(rss.answers["s11"])) == 2889 and len(str(rss.answers["s28b"])) == 972
    seven = {**rss.answers, "s23": {**rss.answers["s23"], "r01": {"count": 7}}}  # type: ignore[dict-item]
    errors = validate_answers(s, seven, facts_for_organisation("RSS13")).errors
    assert [(e.name, e.code, e.row) for e in errors if e.code != "required"] == [
        ("s23", "max", "r01")]


def test_number_questions_accept_cannot_estimate() -> None:
    f = form("gonv-2023-region")
    result = validate_answers(f, {"r33": CANNOT_ESTIMATE, "r22": "83,5", "r25": "0,41"},
                              facts_for_organisation("13"), for_submission=False)
    assert result.errors == ()
