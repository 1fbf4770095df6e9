"""NumPy visit statistics against a direct computation, including the wide-key fallbacks."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from itertools import pairwise
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.indicators.engines.visit_stats import STATS, compact, stats_schema, visit_stats

SCOPES = 2


def _direct(rows: list[dict[str, Any]]) -> dict[tuple[int, int], dict[str, int]]:
    by_person: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_person[(r["year"], r["person_id"])].append(r)
    out: dict[tuple[int, int], dict[str, int]] = {}
    for key, visits in by_person.items():
        visits.sort(key=lambda r: (r["contact_date"], r["contact_id"]))
        stats: dict[str, int] = {}
        for k in range(SCOPES):
            seq = [r["cl"] for r in visits if r[f"s{k}"]]
            counts = Counter(seq)
            stats |= {f"n{k}": len(seq), f"sq{k}": sum(c * c for c in counts.values()),
                      f"mx{k}": max(counts.values(), default=0), f"m{k}": len(counts),
                      f"same{k}": sum(1 for a, b in pairwise(seq) if a == b)}
        out[key] = stats
    return out


@st.composite
def visits(draw: st.DrawFn) -> list[dict[str, Any]]:
    big = draw(st.booleans())
    people = draw(st.lists(st.integers(-3 if big else 1, 2**62 if big else 50), min_size=1,
                           max_size=5, unique=True))
    kind = draw(st.sampled_from(["dense", "sparse", "repeated"]))
    top = 2**62 if big else (60 if kind != "sparse" else 10_000)
    ids = draw(st.lists(st.integers(1, top), min_size=1, max_size=40,
                        unique=kind != "repeated"))
    rows = []
    for cid in ids:
        flags = draw(st.lists(st.booleans(), min_size=SCOPES, max_size=SCOPES))
        if not any(flags):
            flags[0] = True
        year = draw(st.sampled_from([2021, 2023]))
        rows.append({
            "year": year, "person_id": draw(st.sampled_from(people)),
            "contact_date": dt.date(year, 1, 1) + dt.timedelta(days=draw(st.integers(0, 5))),
            "contact_id": cid, "cl": draw(st.sampled_from(["", "A", "B", "C"])),
            **{f"s{k}": f for k, f in enumerate(flags)},
        })
    return rows


SCHEMA = pa.schema([("person_id", pa.int64()), ("day", pa.int32()), ("contact_id", pa.int64()),
                    ("cl", pa.string())] + [(f"s{k}", pa.bool_()) for k in range(SCOPES)])


def _stats(rows: list[dict[str, Any]]) -> dict[tuple[int, int], dict[str, Any]]:
    """Computed year by year, as the engine does."""
    out = {}
    for year in sorted({r["year"] for r in rows}):
        table = pa.Table.from_pylist(
            [{**r, "day": r["contact_date"].toordinal()} for r in rows if r["year"] == year],
            schema=SCHEMA)
        for r in visit_stats(table, SCOPES, year).to_pylist():
            out[(r.pop("year"), r.pop("person_id"))] = r
    return out


@settings(max_examples=150, deadline=None)
@given(visits())
def test_matches_direct_computation(rows: list[dict[str, Any]]) -> None:
    assert _stats(rows) == _direct(rows)


def test_hand_worked_patient() -> None:
    # Visits in (date, id) order: A B A A (the 3rd and 4th share a day; id breaks the tie).
    rows = [
        {"year": 2023, "person_id": 7, "contact_date": dt.date(2023, 3, 1), "contact_id": 40,
         "cl": "A", "s0": True, "s1": True},
        {"year": 2023, "person_id": 7, "contact_date": dt.date(2023, 2, 1), "contact_id": 90,
         "cl": "B", "s0": False, "s1": True},
        {"year": 2023, "person_id": 7, "contact_date": dt.date(2023, 3, 1), "contact_id": 10,
         "cl": "A", "s0": True, "s1": True},
        {"year": 2023, "person_id": 7, "contact_date": dt.date(2023, 1, 5), "contact_id": 99,
         "cl": "A", "s0": True, "s1": True},
    ]
    [(key, r)] = _stats(rows).items()
    assert key == (2023, 7)
    # scope 0 (no B): A A A → 3 visits, 9, max 3, 1 clinician, 2 same pairs;
    # scope 1: A B A A → 4 visits, 3² + 1² = 10, max 3, 2 clinicians, 1 same pair.
    assert r == {"n0": 3, "sq0": 9, "mx0": 3, "m0": 1,
                 "same0": 2, "n1": 4, "sq1": 10, "mx1": 3, "m1": 2, "same1": 1}


def test_empty() -> None:
    assert visit_stats(SCHEMA.empty_table(), SCOPES, 2023).num_rows == 0


def _table(rows: list[dict[str, int]]) -> pa.Table:
    return pa.Table.from_pylist([{"year": 2023, **r} for r in rows], schema=stats_schema(SCOPES))


def test_compact_drops_patients_no_plan_counts_and_narrows() -> None:
    rows = [
        # 3 visits in scope 0: counted there
        {"person_id": 1, "n0": 3, "sq0": 5, "mx0": 2, "m0": 2, "same0": 1,
         "n1": 0, "sq1": 0, "mx1": 0, "m1": 0, "same1": 0},
        # 2 and 1 visits: below both minimums
        {"person_id": 2, "n0": 2, "sq0": 4, "mx0": 2, "m0": 1, "same0": 1,
         "n1": 1, "sq1": 1, "mx1": 1, "m1": 1, "same1": 0},
        # 2 visits in scope 1, whose minimum is 2
        {"person_id": 3, "n0": 0, "sq0": 0, "mx0": 0, "m0": 0, "same0": 0,
         "n1": 2, "sq1": 4, "mx1": 2, "m1": 1, "same1": 1},
    ]
    out = compact(_table(rows), [3, 2])
    assert [f.type for f in out.schema][2:] == [pa.int32()] * (len(STATS) * SCOPES)
    assert out.schema.field("person_id").type == pa.int64()
    assert out.to_pylist() == [{"year": 2023, **rows[0]}, {"year": 2023, **rows[2]}]


def test_compact_keeps_64_bits_when_a_sum_of_squares_needs_them() -> None:
    # one clinician seen 50 000 times: Σ n_j² = 2 500 000 000 > 2**31 − 1
    row = {"person_id": 9, "n0": 50_000, "sq0": 2_500_000_000, "mx0": 50_000, "m0": 1,
           "same0": 49_999, "n1": 0, "sq1": 0, "mx1": 0, "m1": 0, "same1": 0}
    out = compact(_table([row]), [3, 3])
    assert out.schema == stats_schema(SCOPES)
    assert out.to_pylist() == [{"year": 2023, **row}]


@settings(max_examples=60, deadline=None)
@given(visits(), st.lists(st.integers(1, 4), min_size=SCOPES, max_size=SCOPES))
def test_compact_keeps_exactly_the_counted_patients(rows: list[dict[str, Any]],
                                                    minimums: list[int]) -> None:
    year = rows[0]["year"]
    table = pa.Table.from_pylist(
        [{**r, "day": r["contact_date"].toordinal()} for r in rows if r["year"] == year],
        schema=SCHEMA)
    full = visit_stats(table, SCOPES, year).to_pylist()
    kept = [r for r in full if any(r[f"n{k}"] >= m for k, m in enumerate(minimums))]
    assert compact(visit_stats(table, SCOPES, year), minimums).to_pylist() == kept
