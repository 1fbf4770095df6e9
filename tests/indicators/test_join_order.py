"""The DuckDB engine builds the contact cube with its join as written — the contacts probing a
hash table built on the person-years — and gives the same cells as when the optimiser orders
it; the connection's own setting is restored afterwards."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest

from naravard.indicators.data import RegisterData
from naravard.indicators.engines import duckdb_engine
from naravard.indicators.engines.duckdb_engine import DuckDBEngine, planned
from naravard.indicators.engines.sql import CellQueries

from .helpers import D, contact, data, person, unit
from .test_piece_release import _plans, _registers


def _disabled(con: duckdb.DuckDBPyConnection) -> set[str]:
    value = con.sql("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    return set(filter(None, str(value or "").split(",")))


def test_joins_as_written_only_inside_and_the_setting_comes_back() -> None:
    con = duckdb.connect()
    known = {str(r[0]) for r in con.sql("SELECT name FROM duckdb_optimizers()").fetchall()}
    ordering = {"join_order", "build_side_probe_side"} & known  # those this DuckDB has
    assert "join_order" in ordering
    with planned(con, "contact_cube"):
        assert _disabled(con) == ordering
    assert _disabled(con) == set()
    with planned(con, "py"):  # other pieces: the optimiser decides
        assert _disabled(con) == set()
    # an optimiser the caller turned off stays off, inside and after; also after an error
    con.execute("SET disabled_optimizers = 'top_n'")
    with pytest.raises(duckdb.Error), planned(con, "contact_cube"):
        assert _disabled(con) == {"top_n", *ordering}
        con.execute("SELECT * FROM no_such_table")
    assert _disabled(con) == {"top_n"}


def _scans(node: dict[str, Any]) -> list[str]:
    """The tables a plan node reads, depth first."""
    own = [str(node.get("extra_info", {}).get("Table", ""))] if "SCAN" in node["name"] else []
    return own + [t for child in node.get("children", []) for t in _scans(child)]


def _joins(node: dict[str, Any]) -> list[dict[str, Any]]:
    own = [node] if node["name"] == "HASH_JOIN" else []
    return own + [j for child in node.get("children", []) for j in _joins(child)]


def _many_people_few_visits() -> RegisterData:
    """Registers shaped like the national ones for the optimiser: more person-years than the
    doctor visits it expects after the contacts' filter (on these, DuckDB left to itself
    builds its hash table on the contacts)."""
    return data(
        persons=[person(i, "KM"[i % 2], D(1950 + i % 50, 1 + i % 12, 1))
                 for i in range(1, 5001)],
        care_units=[unit("VC1"), unit("VC2", "1280")],
        outpatient_contacts=[
            contact(i, 1 + (i * 37) % 5000, D(2023, 1 + i % 12, 1 + i % 28),
                    mode="video" if i % 5 == 0 else "physical",
                    unit="VC1" if i % 3 else "VC2")
            for i in range(1, 1001)],
    )


def test_the_contact_cube_builds_its_hash_table_on_the_person_years() -> None:
    # (with AS_WRITTEN empty, DuckDB 2.0 builds it on the contacts here, and this fails)
    regs = _many_people_few_visits()
    engine = DuckDBEngine(threads=1)
    con = engine._connect(regs)
    plans = [p for p in _plans() if p.kind == "distance_share"]
    made: dict[str, str] = {}

    class Recording(duckdb_engine._DuckRun):
        def materialise(self, name: str, sql: str) -> None:
            made[name] = sql
            super().materialise(name, sql)

    queries = CellQueries(Recording(con), regs, plans, [2023])
    con.sql(queries.sql(plans[0])).fetchall()
    assert {"py", "contact_cube"} <= made.keys()
    with planned(con, "contact_cube"):
        tree = json.loads(con.sql("EXPLAIN (FORMAT json) " + made["contact_cube"])
                          .fetchall()[0][1])
    con.close()
    (join,) = [j for root in tree for j in _joins(root)]
    probe, build = join["children"]
    assert any(t.endswith(".py") for t in _scans(build))
    assert not any(t.endswith(".py") for t in _scans(probe))


def test_the_cells_are_those_of_the_optimisers_order(monkeypatch: pytest.MonkeyPatch) -> None:
    regs, plans = _registers(), _plans()
    pinned = DuckDBEngine(threads=1).cells(regs, plans, [2023]).to_pylist()
    monkeypatch.setattr(duckdb_engine, "AS_WRITTEN", frozenset())
    free = DuckDBEngine(threads=1).cells(regs, plans, [2023]).to_pylist()
    assert pinned == free
    assert any(r["indicator"] == "distance_share_doctor_visits" and r["numerator"] > 0
               for r in pinned)
