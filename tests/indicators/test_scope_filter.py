"""The factored continuity-scope filter selects and flags exactly the rows of each scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.indicators.engines.sql import DUCKDB, CellQueries

LEVELS = ("primary", "specialist", "emergency")
PROFESSIONS = ("doctor", "nurse", "other")
MODES = ("physical", "video", "phone", "letter")


COLUMNS = {"care_level": LEVELS, "profession": PROFESSIONS, "mode": MODES}


def _queries(scopes: list[tuple[tuple[str, ...], ...]],
             complete: Iterable[str] = ()) -> CellQueries:
    q = CellQueries.__new__(CellQueries)
    q.d = DUCKDB
    q.scopes = scopes
    q.complete_values = {c: frozenset(COLUMNS[c]) for c in complete}
    return q


def _subset(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), min_size=1, unique=True).map(
        lambda v: tuple(sorted(v)))


scope = st.tuples(_subset(LEVELS), _subset(PROFESSIONS), _subset(MODES))


@st.composite
def case(draw: st.DrawFn) -> tuple[list[Any], set[str], list[tuple[str | None, ...]]]:
    """Scopes, the columns whose every value is known (never missing), and valid rows."""
    scopes = draw(st.lists(scope, min_size=1, max_size=3, unique=True))
    complete = draw(st.sets(st.sampled_from(sorted(COLUMNS))))
    cell = [st.sampled_from(values if name in complete else (*values, None))
            for name, values in COLUMNS.items()]
    rows = draw(st.lists(st.tuples(*cell), min_size=1, max_size=30))
    return scopes, complete, rows


@settings(max_examples=80, deadline=None)
@given(case())
def test_filter_and_flags_match_the_scope_conditions(drawn):
    scopes, complete, rows = drawn
    where, flags = _queries(scopes, complete).scope_filter()
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, care_level VARCHAR, profession VARCHAR, mode VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [(i, *r) for i, r in enumerate(rows)])
    cols = ", ".join(f"{f} AS s{k}" for k, f in enumerate(flags))
    got = {r[0]: r[1:] for r in con.sql(f"SELECT i, {cols} FROM t WHERE {where}").fetchall()}
    want = {}
    for i, (level, prof, mode) in enumerate(rows):
        inside = tuple(level in s[0] and prof in s[1] and mode in s[2] for s in scopes)
        if any(inside):
            want[i] = inside
    assert got == want


def test_a_scope_covering_the_union_needs_no_flag_condition():
    doctors = (("primary",), ("doctor",), ("phone", "physical", "video"))
    everyone = (("primary",), ("doctor", "nurse"), ("phone", "physical", "video"))
    where, flags = _queries([doctors, everyone]).scope_filter()
    assert flags == ["(profession = 'doctor')", "TRUE"]
    assert where == ("(care_level = 'primary') AND (profession = 'doctor' OR profession = "
                     "'nurse') AND (mode = 'phone' OR mode = 'physical' OR mode = 'video')")


def test_a_column_whose_union_holds_every_valid_value_is_not_tested():
    doctors = (("primary",), ("doctor",), MODES)
    everyone = (("primary",), PROFESSIONS, MODES)
    where, flags = _queries([doctors, everyone], complete=COLUMNS).scope_filter()
    assert flags == ["(profession = 'doctor')", "TRUE"]
    assert where == "(care_level = 'primary')"
    where, flags = _queries([everyone], complete=COLUMNS).scope_filter()
    assert (where, flags) == ("(care_level = 'primary')", ["TRUE"])
    where, _ = _queries([(LEVELS, PROFESSIONS, MODES)], complete=COLUMNS).scope_filter()
    assert where == "TRUE"


def test_the_data_model_lists_every_profession_and_mode_of_a_contact():
    assert CellQueries.complete_values == {
        "care_level": frozenset({"primary", "specialist", "emergency"}),
        "profession": frozenset({"doctor", "nurse", "physiotherapist", "occupational_therapist",
                                 "psychologist", "counsellor", "dietitian", "other"}),
        "mode": frozenset({"physical", "video", "phone", "letter"}),
    }
