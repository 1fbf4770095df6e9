"""The contact cube's filter selects exactly the contacts some cube plan counts."""

from __future__ import annotations

from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.indicators.engines.sql import DUCKDB, CellQueries

COLUMNS = {"c.care_level": ("primary", "specialist", "emergency"),
           "c.profession": ("doctor", "nurse", "other"),
           "c.mode": ("physical", "video", "phone", "letter")}


def _subset(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), min_size=1, unique=True).map(
        lambda v: tuple(sorted(v)))


# emergency-visit plans constrain the care level only, distance plans all three columns
plan_filter = st.one_of(
    st.fixed_dictionaries({"c.care_level": _subset(COLUMNS["c.care_level"])}),
    st.fixed_dictionaries({c: _subset(v) for c, v in COLUMNS.items()}),
)


def _queries(filters: list[dict[str, tuple[str, ...]]]) -> CellQueries:
    q = CellQueries.__new__(CellQueries)
    q.d = DUCKDB
    q.cube_plans = list(range(len(filters)))  # type: ignore[arg-type]
    q._cube_filter = lambda plan: filters[plan]  # type: ignore[method-assign]
    return q


@settings(max_examples=80, deadline=None)
@given(st.lists(plan_filter, min_size=1, max_size=5),
       st.lists(st.tuples(*(st.sampled_from(v) for v in COLUMNS.values())), min_size=1,
                max_size=30))
def test_where_selects_the_contacts_of_any_plan(filters: list[Any], rows: list[Any]) -> None:
    where = _queries(filters)._cube_where()
    con = duckdb.connect()
    con.execute("CREATE TABLE c (i INTEGER, care_level VARCHAR, profession VARCHAR, "
                "mode VARCHAR)")
    con.executemany("INSERT INTO c VALUES (?, ?, ?, ?)", [(i, *r) for i, r in enumerate(rows)])
    got = {r[0] for r in con.sql(f"SELECT i FROM c WHERE {where}").fetchall()}
    names = list(COLUMNS)
    want = {i for i, row in enumerate(rows)
            if any(all(row[names.index(col)] in values for col, values in f.items())
                   for f in filters)}
    assert got == want


def test_a_plan_whose_contacts_another_includes_adds_no_condition() -> None:
    video = {"c.care_level": ("primary",), "c.profession": ("doctor",),
             "c.mode": ("physical", "video")}
    phone = {"c.care_level": ("primary",), "c.profession": ("doctor",),
             "c.mode": ("phone", "physical", "video")}
    emergency = {"c.care_level": ("emergency",)}
    where = _queries([video, phone, emergency, video])._cube_where()
    assert where == ("((c.care_level = 'emergency')) OR ((c.care_level = 'primary') AND "
                     "(c.profession = 'doctor') AND (c.mode = 'phone' OR c.mode = 'physical' "
                     "OR c.mode = 'video'))")
