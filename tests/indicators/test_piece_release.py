"""The DuckDB engine frees each shared piece once no later plan reads it, with the same cells."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import Request
from naravard.indicators.data import RegisterData
from naravard.indicators.engines import duckdb_engine
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.engines.sql import last_uses
from naravard.indicators.plan import Plan, make_plans

from .helpers import (
    D,
    assessment,
    contact,
    cost,
    data,
    episode,
    listing,
    mhc,
    person,
    pop,
    unit,
)


def _registers() -> RegisterData:
    people = [person(1, "K", D(1935, 5, 1)), person(2, "M", D(1950, 2, 3))]
    return data(
        persons=people,
        population=[pop("0114", "K", 88, 40), pop("0114", "M", 73, 60)],
        inpatient_episodes=[episode(1, 1, D(2023, 3, 1), D(2023, 3, 5)),
                            episode(2, 1, D(2023, 3, 20), D(2023, 3, 22))],
        outpatient_contacts=[contact(10 + i, 1 + i % 2, D(2023, 1 + i, 3),
                                     clin="C1" if i % 3 else "C2",
                                     mode="video" if i == 4 else "physical")
                             for i in range(8)],
        care_units=[unit("VC1")],
        listings=[listing(1, "VC1", D(2023, 1, 1), D(2024, 1, 1), doctor="C1"),
                  listing(2, "VC1", D(2023, 1, 1), D(2024, 1, 1))],
        municipal_health_care=[mhc(1, 12, True)],
        assessments=[assessment(1, "K", D(2023, 4, 3), D(2023, 4, 4))],
        costs=[cost("01", "primary", 400), cost("01", "specialist", 600)],
    )


def _plans() -> list[Plan]:
    cat = shipped_catalogue()
    return make_plans(cat, Request(tuple(cat.definitions), (2023,)).sources(cat))


def _run(engine: DuckDBEngine, plans: list[Plan], regs: RegisterData,
         monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[tuple[str, set[str]]]]:
    """Cells, and after each plan its label and the pieces still held by the connection."""
    connections: list[duckdb.DuckDBPyConnection] = []
    connect = DuckDBEngine._connect

    def spy(self: DuckDBEngine, data: RegisterData) -> duckdb.DuckDBPyConnection:
        connections.append(connect(self, data))
        if len(connections) == 1:
            register_views.update(names())
        return connections[-1]

    def names() -> set[str]:
        con = connections[0]  # the plans' connection (the visit statistics open their own)
        rows = con.sql("SELECT table_name FROM duckdb_tables() WHERE temporary UNION ALL "
                       "SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()
        return {name for (name,) in rows}

    def held() -> set[str]:
        return names() - register_views

    register_views: set[str] = set()

    monkeypatch.setattr(DuckDBEngine, "_connect", spy)
    after: list[tuple[str, set[str]]] = []
    cells = engine.cells(regs, plans, [2023], progress=lambda label: after.append((label, held())))
    monkeypatch.undo()
    return cells.to_pylist(), after


@pytest.mark.parametrize("sql_only", [False, True])
def test_pieces_are_freed_after_their_last_reader(sql_only: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    regs, plans = _registers(), _plans()
    engine = DuckDBEngine(threads=1, sql_only=sql_only)
    cells, after = _run(engine, plans, regs, monkeypatch)
    monkeypatch.setattr(duckdb_engine, "last_uses", lambda *args: {})  # free nothing
    kept_cells, kept = _run(engine, plans, regs, monkeypatch)
    assert cells == kept_cells
    assert len(cells) > 0

    labels = [label for label, _ in after]
    assert len(labels) == len(plans)
    first = next(i for i, label in enumerate(labels) if label.startswith("continuity_"))
    assert all(label.startswith("continuity_") for label in labels[first:])
    # without freeing, everything made stays to the end
    everything = kept[-1][1]
    assert {"py", "contact_cube", "assessment_cube", "visit_stats", "continuity_cube"} <= (
        everything)
    # person-years, transfer chains, readmission flags and the cubes are gone before the
    # continuity plans; the 31 December listing they read stays
    before = after[first - 1][1]
    assert before and all(name.startswith("listed_") or name == "visit_stats"
                          for name in before), before
    # the first continuity plan builds its cube from the statistics and that listing, which
    # then go; the cube goes after the last plan
    assert after[first][1] == {"continuity_cube"}
    assert after[-1][1] == set()


def test_last_uses_follow_the_queries() -> None:
    regs, plans = _registers(), _plans()
    order = sorted(range(len(plans)), key=lambda i: plans[i].kind == "continuity")
    last = last_uses(regs, plans, [2023], order)
    kinds = [plans[i].kind for i in order]
    first_continuity = kinds.index("continuity")
    assert last["continuity_cube"] == len(order) - 1
    assert last["visit_stats"] == first_continuity
    assert last["py"] < first_continuity
    listed = [name for name, at in last.items() if name.startswith("listed_")]
    assert listed and max(last[name] for name in listed) == first_continuity
