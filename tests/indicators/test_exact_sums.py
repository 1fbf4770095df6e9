"""Fractional numerators come out the same whatever order the values are added in."""

from __future__ import annotations

import random
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute_cells
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.finalise import rollup_table
from naravard.indicators.plan import CELL_SCHEMA

from .helpers import D, contact, data, listing, person, unit


@pytest.mark.parametrize("sql_only", [False, True])
def test_continuity_sums_are_exact(sql_only: bool) -> None:
    # Ten women each see ten doctors once: UPC = 1/10 each. Ten doubles 0.1 added one by one
    # give 0.9999999999999999; the exact sum of the values is 1.
    people = [person(p, "K", D(1950, 1, 1)) for p in range(1, 11)]
    visits = [contact(100 * p + j, p, D(2023, 1 + j, 10), clin=f"C{j}")
              for p in range(1, 11) for j in range(10)]
    regs = data(persons=people, outpatient_contacts=visits, care_units=[unit("VC1")],
                listings=[listing(p, "VC1", D(2023, 1, 1), D(2024, 1, 1)) for p in range(1, 11)])
    assert sum([0.1] * 10) != 1.0
    d = shipped_catalogue().definition("continuity_primary_care")
    cells = compute_cells(regs, [2023], [d], DuckDBEngine(threads=1, sql_only=sql_only))
    upc = [c for c in cells.to_pylist()
           if c["variant"] == "upc_doctor" and c["area_level"] == "municipality"]
    assert [(c["numerator"], c["denominator"]) for c in upc] == [(1.0, 10.0)]


def _cells(values: list[float]) -> pa.Table:
    """One cell per value: women and men of municipalities of one region, which the roll-up
    adds to T, to the region and to Riket."""
    return pa.Table.from_pylist([
        {"indicator": "continuity_primary_care", "variant": "coc_all", "period": "2023",
         "area_level": "municipality", "area_code": f"01{i // 2:02d}", "sex": "KM"[i % 2],
         "age_group": "", "numerator": v, "denominator": 1.0}
        for i, v in enumerate(values)], schema=CELL_SCHEMA)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.fractions(0, 1, max_denominator=97).map(float), min_size=2, max_size=40),
       st.randoms(use_true_random=False))
def test_rollup_does_not_depend_on_the_order_of_cells(values: list[float],
                                                      rnd: random.Random) -> None:
    cells = _cells(values)
    order = list(range(cells.num_rows))
    rnd.shuffle(order)
    d = shipped_catalogue().definition("continuity_primary_care")

    def sums(table: pa.Table) -> dict[Any, Any]:
        return {k: dict(v) for k, v in rollup_table(table, [d])[("continuity_primary_care",
                                                                  "coc_all")].items()}

    assert sums(cells.take(order)) == sums(cells)
