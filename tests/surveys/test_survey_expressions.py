"""The expression language: syntax errors with positions, and evaluation semantics."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naravard.surveys.expressions import (
    CANNOT_ESTIMATE,
    ExpressionError,
    SimpleContext,
    evaluate,
    parse_expression,
    tokenize,
)


def ev(source: str, values: dict[str, object] | None = None, current: object = None,
       facts: dict[str, object] | None = None) -> object:
    ctx = SimpleContext(values=values or {}, current_value=current, facts=facts or {})
    return evaluate(parse_expression(source), ctx)


def test_tokens_of_a_typical_relevance_rule() -> None:
    kinds = [(t.kind, t.text) for t in tokenize("${r7} = 'ja' and count-selected(${r17}) <= 5")]
    assert kinds == [
        ("ref", "r7"), ("op", "="), ("string", "ja"), ("name", "and"),
        ("name", "count-selected"), ("op", "("), ("ref", "r17"), ("op", ")"), ("op", "<="),
        ("number", "5"), ("end", ""),
    ]


@pytest.mark.parametrize(
    ("source", "message", "position"),
    [
        ("${r7} = 'ja", "Unterminated string", 8),
        ("${r7 = 'ja'", "Unterminated reference ${…}", 0),
        ("${r7} == 'ja'", "Unexpected '='", 7),
        ("${r7} = ", "Unexpected end of expression", 8),
        ("", "Empty expression", 0),
        ("foo(1)", "Unknown function 'foo'", 0),
        ("r7 = 'ja'", "Unknown name 'r7'; write ${r7} to refer to a question", 0),
        ("1 < 2 < 3", "Comparisons cannot be chained; use 'and'", 6),
        ("respondent('population')", "Unknown respondent fact 'population'", 11),
        ("selected(${q})", "selected() takes 2 argument(s), got 1", 0),
        ("(1 + 2", "Expected ')' but found end of expression", 6),
        ("${1abc}", "Invalid question name '1abc' in reference", 0),
        ("__import__('os')", "Unknown function '__import__'", 0),
        ("1 ; 2", "Unexpected character ';'", 2),
    ],
)
def test_syntax_errors_point_at_the_position(source: str, message: str, position: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(source)
    assert info.value.message.startswith(message)
    assert info.value.position == position
    assert f"at position {position + 1}" in str(info.value)


def test_error_message_shows_a_caret_under_the_problem() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(". >> 2")
    assert str(info.value).splitlines()[1:] == ["  . >> 2", "     ^"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", Decimal(7)),
        ("(1 + 2) * 3", Decimal(9)),
        ("7 div 2", Decimal("3.5")),
        ("7 mod 3", Decimal(1)),
        ("-2 + 5", Decimal(3)),
        ("1 div 0", None),
        ("0.1 + 0.2 = 0.3", True),
        ("'b' > 'a'", True),
        ("'2021-09' < '2022-03'", True),
        ("not(1 = 1)", False),
        ("not 1 = 2", True),
        ("true() and not false()", True),
        ("if(1 > 2, 'x', 'y')", "y"),
        ("coalesce(${missing}, 'fallback')", "fallback"),
        ("min(3, 1, 2)", Decimal(1)),
        ("max(3, ${missing}, 2)", Decimal(3)),
        ("string-length('åäö')", Decimal(3)),
        ("number('12,5')", Decimal("12.5")),
    ],
)
def test_evaluation(source: str, expected: object) -> None:
    assert ev(source) == expected


def test_references_and_current_value() -> None:
    values = {"r7": "ja", "n": 4, "multi": ["o1", "o3"], "text": "hej"}
    assert ev("${r7} = 'ja'", values) is True
    assert ev("${n} * 2 = 8", values) is True
    assert ev("selected(${multi}, 'o3')", values) is True
    assert ev("selected(${multi}, 'o2')", values) is False
    assert ev("count-selected(${multi})", values) == Decimal(2)
    assert ev("string-length(${text})", values) == Decimal(3)
    assert ev(". >= 0 and . <= 10", current=11) is False
    assert ev(". >= 0 and . <= 10", current=10) is True


def test_empty_values_compare_like_empty_strings_and_never_order() -> None:
    assert ev("${nothing} = ''") is True
    assert ev("${nothing} != ''") is False
    assert ev("${nothing} < 5") is False
    assert ev("${nothing} > 5") is False
    assert ev("${nothing} + 1") is None


def test_cannot_estimate_is_not_a_number() -> None:
    assert ev(". > 0", current=CANNOT_ESTIMATE) is False
    assert ev(". = 'cannot_estimate'", current=CANNOT_ESTIMATE) is True


def test_respondent_facts_and_table_functions() -> None:
    table = {"ja": {"count": 4}, "nej": {"count": 1}, "no_answer": {"count": 1}}
    facts = {"municipality_count": 6}
    assert ev("column-sum(., 'count') = respondent('municipality_count')", current=table,
              facts=facts) is True
    assert ev("cell(., 'nej', 'count')", current=table) == Decimal(1)
    assert ev("cell(., 'absent', 'count')", current=table) is None


def test_expression_metadata() -> None:
    expr = parse_expression("selected(${r3}, 'o5') and ${r2} = 'ja' or . > 1")
    assert expr.references() == {"r3", "r2"}
    assert expr.selected_options() == [("r3", "o5", 16)]
    assert expr.uses_current() is True
    filt = parse_expression("kind = respondent('kind')", allow_choice_columns=True)
    assert filt.choice_columns() == {"kind"}
    assert parse_expression("${a}  =  1") != parse_expression("${a} = 1")
    assert parse_expression("${a} = 1") == parse_expression("${a} = 1")


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6))
def test_arithmetic_agrees_with_decimal(a: int, b: int) -> None:
    values = {"a": a, "b": b}
    assert ev("${a} + ${b}", values) == Decimal(a) + Decimal(b)
    assert ev("${a} - ${b}", values) == Decimal(a) - Decimal(b)
    assert ev("${a} * ${b}", values) == Decimal(a) * Decimal(b)
    assert ev("${a} < ${b}", values) is (a < b)
    assert ev("${a} = ${b}", values) is (a == b)
