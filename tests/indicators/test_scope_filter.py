"""The factored continuity-scope filter selects and flags exactly the rows of each scope."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.indicators.engines.sql import DUCKDB, CellQueries

LEVELS = ("primary", "specialist", "emergency")
PROFESSIONS = ("doctor", "nurse", "other")
MODES = ("physical", "video", "phone", "letter")


def _queries(scopes: list[tuple[tuple[str, ...], ...]]) -> CellQueries:
    q = CellQueries.__new__(CellQueries)
    q.d = DUCKDB
    q.scopes = scopes
    return q


def _subset(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), min_size=1, unique=True).map(
        lambda v: tuple(sorted(v)))


scope = st.tuples(_subset(LEVELS), _subset(PROFESSIONS), _subset(MODES))
row = st.tuples(st.sampled_from((*LEVELS, None)), st.sampled_from((*PROFESSIONS, None)),
                st.sampled_from((*MODES, None)))


@settings(max_examples=60, deadline=None)
@given(st.lists(scope, min_size=1, max_size=3, unique=True), st.lists(row, min_size=1,
                                                                     max_size=30))
def test_filter_and_flags_match_the_scope_conditions(scopes, rows):
    where, flags = _queries(scopes).scope_filter()
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
