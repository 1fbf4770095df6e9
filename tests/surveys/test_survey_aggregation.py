"""RSS aggregation of the municipal questions A–T, checked against a hand-counted county."""

from __future__ import annotations

import dataclasses

import pytest

from naravard.surveys.aggregation import (
    NO_ANSWER,
    aggregate_municipal_answers,
    check_aggregation,
)
from naravard.surveys.catalog import find_form, shipped_forms
from naravard.surveys.model import Group, Node, Questionnaire, Table
from naravard.surveys.respondents import county_municipalities, facts_for_organisation
from naravard.surveys.validation import validate_answers

FORMS = list(shipped_forms())
RSS = find_form(FORMS, "gonv-2023-rss").form
MUNICIPAL = find_form(FORMS, "gonv-2023-municipality").form
HALLAND = ("1315", "1380", "1381", "1382", "1383", "1384")

# Four of Halland's six municipalities have answered (hand-made example data).
ANSWERS: dict[str, dict[str, object]] = {
    "1315": {"a": ["r01", "r29"], "a_other": "Digitala träffpunkter", "c": ["r06"],
             "i": "ja", "i_2": "Arbetsgrupp för SVOD", "j_1": "kan_inte_bedomas",
             "h": ["o1", "o3"], "n": "nej"},
    "1380": {"a": ["r01", "r04"], "c": ["r01", "r02"], "i": "nej", "j_1": "ja",
             "h": ["o3", "o4"], "n": "ja"},
    "1383": {"a": ["r04"], "c": ["r01"], "i": "ja", "i_2": "Förstudie", "j_1": "ja",
             "h": ["o3"]},
    "1384": {"a": ["r01"], "c": ["r01", "r05"], "j_1": "nej", "n": "ja"},
}


def test_halland_has_six_municipalities() -> None:
    assert county_municipalities("13") == HALLAND
    assert facts_for_organisation("RSS13").municipality_count == 6


def test_the_shipped_rss_form_fits_the_municipal_questions() -> None:
    assert check_aggregation(RSS, MUNICIPAL) == []
    aggregated = {i.name: i.aggregate for i in RSS.items() if i.aggregate}
    assert aggregated["s1"] == "a" and aggregated["s24a"] == "m_other"
    assert len(aggregated) == 28  # the 27 questions of the note's index, plus s15's "other" text


def test_counts_with_the_municipalities_behind_them() -> None:
    result = aggregate_municipal_answers(RSS, MUNICIPAL, ANSWERS, HALLAND)
    s1 = result.for_item("s1")
    assert s1 is not None and s1.source == "a" and s1.expected == 6
    assert s1.answered == ("1315", "1380", "1383", "1384")
    by_option = {c.option: (c.count, c.municipalities) for c in s1.counts}
    assert by_option["r01"] == (3, ("1315", "1380", "1384"))
    assert by_option["r04"] == (2, ("1380", "1383"))
    assert by_option["r29"] == (1, ("1315",))
    assert by_option["r02"] == (0, ())
    s4 = result.for_item("s4")
    assert s4 is not None
    assert [s4.count(r) for r in ("r01", "r02", "r03", "r04", "r05", "r06")] == [3, 1, 0, 0, 1, 1]
    s17 = result.for_item("s17")
    assert s17 is not None
    assert [(c.option, c.count, c.municipalities) for c in s17.counts] == [
        ("ja", 2, ("1315", "1383")), ("nej", 1, ("1380",)),
        (NO_ANSWER, 3, ("1381", "1382", "1384")),
    ]
    s19 = result.for_item("s19")
    assert s19 is not None
    assert [c.count for c in s19.counts] == [2, 1, 1, 2]
    s15 = result.for_item("s15")
    assert s15 is not None and s15.count("o3") == 3 and s15.count("o1") == 1
    assert "s15" not in result.prefill  # the RSS makes its own choice of at most five


def test_texts_are_listed_beside_the_question() -> None:
    result = aggregate_municipal_answers(RSS, MUNICIPAL, ANSWERS, HALLAND)
    s18 = result.for_item("s18")
    assert s18 is not None
    assert [(t.municipality, t.text) for t in s18.texts] == [
        ("1315", "Arbetsgrupp för SVOD"), ("1383", "Förstudie")
    ]
    s2 = result.for_item("s2")
    assert s2 is not None and [t.text for t in s2.texts] == ["Digitala träffpunkter"]


def test_prefill_is_a_valid_rss_answer_within_the_county_bound() -> None:
    result = aggregate_municipal_answers(RSS, MUNICIPAL, ANSWERS, HALLAND)
    assert result.prefill["s25"] == {"ja": {"count": 2}, "nej": {"count": 1},
                                     "no_answer": {"count": 3}}
    tables = [i.name for i in RSS.items() if isinstance(i, Table)]
    assert sorted(result.prefill) == sorted(tables)
    validated = validate_answers(RSS, dict(result.prefill), facts_for_organisation("RSS13"),
                                 for_submission=False)
    assert validated.errors == ()
    assert [w.name for w in validated.warnings] == []  # sum rows add up to 6


def test_answers_from_outside_the_county_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the county: 0180"):
        aggregate_municipal_answers(RSS, MUNICIPAL, {"0180": {"a": ["r01"]}}, HALLAND)


def with_aggregate(form: Questionnaire, name: str, aggregate: str) -> Questionnaire:
    def swap(node: Node) -> Node:
        if isinstance(node, Group):
            return dataclasses.replace(node, children=tuple(swap(c) for c in node.children))
        return dataclasses.replace(node, aggregate=aggregate) if node.name == name else node

    return dataclasses.replace(form, body=tuple(swap(n) for n in form.body))


def test_broken_references_are_found() -> None:
    assert check_aggregation(with_aggregate(RSS, "s1", "zz"), MUNICIPAL) == [
        "gonv-2023-rss: s1 aggregates 'zz', which is not a question of gonv-2023-municipality"
    ]
    assert check_aggregation(with_aggregate(RSS, "s17", "b"), MUNICIPAL) == [
        "gonv-2023-rss: s17 aggregates 'b': a count table needs a select question",
        "gonv-2023-rss: s17 aggregates 'b': rows ['ja', 'nej'] are not options there",
    ]
    assert check_aggregation(with_aggregate(RSS, "s3", "a"), MUNICIPAL) == [
        "gonv-2023-rss: s3 aggregates 'a': a text question needs a text question"
    ]
    assert check_aggregation(with_aggregate(RSS, "s15", "c"), MUNICIPAL) == [
        "gonv-2023-rss: s15 aggregates 'c': the option lists differ"
    ]
