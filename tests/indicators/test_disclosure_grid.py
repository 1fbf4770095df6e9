"""Disclosure control on the whole grid of synthetic registers: every indicator, 290
municipalities, the care units inside them, months and variants. Secondary suppression must
never stop while a masked count can still be worked out from the published cells (the audit
of :func:`naravard.indicators.disclosure.exposed`, which the property tests check against
rational arithmetic on small tables written apart from the implementation)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute, unit_municipality
from naravard.indicators.data import RegisterData
from naravard.indicators.disclosure import (
    _relations,
    _variant_links,
    exposed,
    shipped_rule,
    suppress_variants,
    table_key,
)
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.finalise import publication_order
from naravard.indicators.synth.generate import synthesise


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], dict[str, str]]:
    root: Path = tmp_path_factory.mktemp("grid") / "registers"
    synthesise(0.001, [2023], 11, root)
    data = RegisterData.from_directory(root)
    table = compute(data, [2023], engine=DuckDBEngine(threads=1))
    return table.to_pylist(), unit_municipality(data)


@pytest.mark.parametrize("shrink", [1, 5])
def test_no_masked_count_follows_from_the_published_cells(
        grid: tuple[list[dict[str, Any]], dict[str, str]], shrink: int) -> None:
    """At the synthetic registers' own small counts, and with every count divided by 5."""
    rows, units = grid
    catalogue, rule = shipped_catalogue(), shipped_rule()
    definitions = {d.id: d for d in catalogue.definitions}
    rows = [dict(r) for r in rows]
    for r in rows:
        if r["numerator"] is not None and definitions[r["indicator"]].disclosure == "counts":
            r["numerator"] = float(int(r["numerator"]) // shrink)
    tables: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(rows, key=publication_order):
        tables[table_key(r)].append(r)
    years: dict[tuple[str, str], list[list[dict[str, Any]]]] = defaultdict(list)
    for (indicator, _, year), table in tables.items():
        years[(indicator, year)].append(table)
    masked_in_all = 0
    for (indicator, year), subs in years.items():
        d = definitions[indicator]
        if d.disclosure in ("none", "derived"):
            continue
        masks = suppress_variants(subs, d, rule, units)
        offsets = [sum(len(t) for t in subs[:k]) for k in range(len(subs))]
        rels = [(p + off, [k + off for k in kids]) for t, off in zip(subs, offsets, strict=True)
                for p, kids in _relations(t, d, units)]
        masked = {i + off for m, off in zip(masks, offsets, strict=True) for i in m}
        masked_in_all += len(masked)
        flat = [r for t in subs for r in t]
        open_cells = exposed(rels + _variant_links(subs, offsets, d), masked)
        assert [flat[c] for c in open_cells if flat[c]["numerator"]] == [], (indicator, year)
    assert masked_in_all > 1000  # the grid has many small cells to protect
