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

from concurrent.futures import ThreadPoolExecutor

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


def _contact_order(contact_id: IntArray) -> tuple[IntArray, IntArray]:
    """(an order number per row that sorts like the contact id, the row of each number).

    Dense ids (the usual case) are their own order numbers: the row of each comes from a
    lookup table. Otherwise the rows are ranked by id with one sort.
    """
    n = contact_id.size
    low, high = int(contact_id.min()), int(contact_id.max())
    if high - low < 4 * n:
        number = contact_id - low
        row_of = np.full(high - low + 1, -1, dtype=np.int64)
        row_of[number] = np.arange(n, dtype=np.int64)
        if np.array_equal(row_of[number], np.arange(n, dtype=np.int64)):  # ids are unique
            return number, row_of
    bits = _bits(n)
    if low >= 0 and high.bit_length() + bits <= 63:
        row_of = contact_id << bits
        row_of |= np.arange(n, dtype=np.int64)
        row_of.sort()
        row_of &= (1 << bits) - 1
    else:
        row_of = np.argsort(contact_id, kind="stable").astype(np.int64)
    number = np.empty(n, dtype=np.int64)
    number[row_of] = np.arange(n, dtype=np.int64)
    return number, row_of


def _scope(g: IntArray, cl: IntArray, flag: npt.NDArray[np.bool_], groups: int,
           bc: int) -> dict[str, IntArray]:
    """The statistics of one scope from visits sorted by patient, date and contact."""
    if flag.all():
        gk, ck = g, cl
    else:
        sel = np.flatnonzero(flag)
        gk, ck = g[sel], cl[sel]
        del sel
    same = (gk[1:] == gk[:-1]) & (ck[1:] == ck[:-1])
    out = {"same": np.bincount(gk[1:][same], minlength=groups).astype(np.int64),
           "n": np.bincount(gk, minlength=groups).astype(np.int64)}
    del same
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
    out["sq"] = np.rint(sq).astype(np.int64)
    out["m"] = np.bincount(run_group, minlength=groups).astype(np.int64)
    mx = np.zeros(groups, dtype=np.int64)
    person_at = _run_starts(run_group)
    if person_at.size:
        mx[run_group[person_at]] = np.maximum.reduceat(lengths, person_at)
    out["mx"] = mx
    return out


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
    number, row_of = _contact_order(visits["contact_id"].to_numpy().astype(np.int64))
    del visits
    bo = _bits(int(number.max()) + 1)
    if bp + bd + bo <= 63:
        key = people.astype(np.int64) << (bd + bo)
        key |= day << bo
        key |= number
        del day, number
        key.sort()
        rows = row_of[key & ((1 << bo) - 1)]
        key >>= bd + bo
        patient = key
    else:
        rows = np.lexsort((number, day, people)).astype(np.int64)
        patient = people[rows].astype(np.int64)
    del row_of
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
    # The scopes are independent; NumPy releases the GIL in sorts and counts, so two threads
    # use both cores of a small machine.
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda f: _scope(g, cl, f, groups, bc), sorted_flags))
    for k, stats in enumerate(done):
        for name in STATS:
            columns[f"{name}{k}"] = pa.array(stats[name])
    return pa.table({name: columns[name] for name in stats_schema(scopes).names},
                    schema=stats_schema(scopes))
