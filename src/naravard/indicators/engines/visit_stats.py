"""Per-patient visit statistics for continuity, vectorised with NumPy (the DuckDB engine's path).

Input: the visits of one year in any continuity scope, one row each, with ``person_id``, ``day``
(any day number, e.g. the day of the year), ``contact_id``, ``cl`` (the clinician, missing ones
as ``''``) and one boolean column ``s0``, ``s1``, … per scope. Output: one row per patient with,
for each scope ``k``, the visits ``n{k}``, Σ_j n_j² over clinicians ``sq{k}``, the largest n_j
``mx{k}``, the number of clinicians ``m{k}`` and the number of consecutive visit pairs with the
same clinician ``same{k}`` — the table
:meth:`naravard.indicators.engines.sql.CellQueries.visit_stats` computes in SQL.

Why not SQL: the sequential pairs need each patient's visits in (date, contact id) order. At
national scale (about 47 million primary-care visits a year) a SQL window sorts all of them per
scope, and the per-clinician counts need a second pass grouping by patient and clinician. Here
both come from sorting packed 64-bit integer keys, which NumPy does in about a second:
(patient, day, contact rank) for the order, then (patient, clinician) for the counts. All of it
is exact integer arithmetic; if a key does not fit in 63 bits the code falls back to slower
sorts with the same result.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]
STATS = ("n", "sq", "mx", "m", "same")


def _bits(n: int) -> int:
    """Bits needed for the values 0 … n − 1."""
    return max(int(n - 1).bit_length(), 1)


def _run_starts(values: npt.NDArray[np.int64]) -> IntArray:
    """Start positions of the runs of equal values in sorted ``values``."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.empty(values.size, dtype=bool)
    change[0] = True
    np.not_equal(values[1:], values[:-1], out=change[1:])
    return np.flatnonzero(change).astype(np.int64)


def _contact_rank(contact_id: IntArray) -> tuple[IntArray, npt.NDArray[np.int32]]:
    """(rows in ascending contact id order, each row's position in that order)."""
    n = contact_id.size
    bits = _bits(n)
    if int(contact_id.min()) >= 0 and int(contact_id.max()).bit_length() + bits <= 63:
        by_id = contact_id << bits
        by_id |= np.arange(n, dtype=np.int64)
        by_id.sort()
        by_id &= (1 << bits) - 1
    else:
        by_id = np.argsort(contact_id, kind="stable").astype(np.int64)
    rank = np.empty(n, dtype=np.int32)
    rank[by_id] = np.arange(n, dtype=np.int32)
    return by_id, rank


def stats_schema(scopes: int) -> pa.Schema:
    """Columns of :func:`visit_stats` for ``scopes`` scopes."""
    fields = [pa.field("year", pa.int16()), pa.field("person_id", pa.int64())]
    for k in range(scopes):
        fields += [pa.field(f"{name}{k}", pa.int64()) for name in STATS]
    return pa.schema(fields)


def visit_stats(visits: pa.Table, scopes: int, year: int) -> pa.Table:
    """Per patient and scope in ``year``: visits, Σ n_j², max n_j, clinicians, same pairs."""
    n = visits.num_rows
    if n == 0:
        return stats_schema(scopes).empty_table()
    clinicians = pc.dictionary_encode(visits["cl"]).combine_chunks()
    codes = clinicians.indices.to_numpy()
    day = visits["day"].to_numpy().astype(np.int64)
    day -= int(day.min())
    bd, br = _bits(int(day.max()) + 1), _bits(n)
    people = visits["person_id"].to_numpy()
    dictionary: pa.Array | None = None
    if int(people.min()) < 0 or _bits(int(people.max()) + 1) + bd + br > 63:
        persons = pc.dictionary_encode(visits["person_id"]).combine_chunks()
        people, dictionary = persons.indices.to_numpy(), persons.dictionary
    bp = _bits(int(people.max()) + 1)
    flags = [visits[f"s{k}"].to_numpy(zero_copy_only=False) for k in range(scopes)]
    by_id, rank = _contact_rank(visits["contact_id"].to_numpy().astype(np.int64))
    del visits
    if bp + bd + br <= 63:
        key = people.astype(np.int64) << (bd + br)
        key |= day << br
        key |= rank
        del day, rank
        key.sort()
        rows = by_id[key & ((1 << br) - 1)]
        key >>= bd + br
        patient = key
    else:
        rows = np.lexsort((rank, day, people)).astype(np.int64)
        patient = people[rows].astype(np.int64)
    del by_id
    starts = _run_starts(patient)
    groups = starts.size
    first = pa.array(patient[starts])
    person_ids = first if dictionary is None else pc.take(dictionary, first)
    g = np.zeros(n, dtype=np.int64)
    g[starts[1:]] = 1
    np.cumsum(g, out=g)
    del patient
    cl = codes[rows].astype(np.int64)
    sorted_flags = [f[rows] for f in flags]
    del rows, flags
    bc = _bits(len(clinicians.dictionary))
    columns: dict[str, pa.Array] = {
        "year": pa.array(np.full(groups, year, dtype=np.int16)),
        "person_id": person_ids.cast(pa.int64()),
    }
    for k, flag in enumerate(sorted_flags):
        sel = np.flatnonzero(flag)
        gk, ck = g[sel], cl[sel]
        del sel
        same = (gk[1:] == gk[:-1]) & (ck[1:] == ck[:-1])
        columns[f"same{k}"] = pa.array(np.bincount(gk[1:][same], minlength=groups)
                                       .astype(np.int64))
        del same
        columns[f"n{k}"] = pa.array(np.bincount(gk, minlength=groups).astype(np.int64))
        packed = gk << bc
        packed |= ck
        del gk, ck
        packed.sort()
        run_at = _run_starts(packed)
        lengths = np.diff(np.append(run_at, packed.size))
        run_group = packed[run_at] >> bc
        del packed, run_at
        sq = np.bincount(run_group, weights=(lengths * lengths).astype(np.float64),
                         minlength=groups)
        columns[f"sq{k}"] = pa.array(np.rint(sq).astype(np.int64))
        columns[f"m{k}"] = pa.array(np.bincount(run_group, minlength=groups).astype(np.int64))
        mx = np.zeros(groups, dtype=np.int64)
        person_at = _run_starts(run_group)
        if person_at.size:
            mx[run_group[person_at]] = np.maximum.reduceat(lengths, person_at)
        columns[f"mx{k}"] = pa.array(mx)
    return pa.table({name: columns[name] for name in stats_schema(scopes).names},
                    schema=stats_schema(scopes))
