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
both come from sorting packed 64-bit integer keys with NumPy's adaptive (stable) sort, which is
as fast as its quicksort on random keys and near-linear on keys that are already mostly in order
(register extracts usually come in patient order; the second key is always in patient order):
(patient, day, input row) for the order, after which the few visits that share a patient and
day are reordered by contact id; then (patient, clinician, scope flags) once, a key whose rows
of any one scope are a sorted subsequence, for the per-clinician counts of every scope. All of
it is exact integer arithmetic; if the order key does not fit in 63 bits the code falls back to
a slower sort with the same result.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]
Numbers = npt.NDArray[np.signedinteger[Any]]  # 32- or 64-bit patient and clinician numbers
STATS = ("n", "sq", "mx", "m", "same")
INT32_MAX = 2**31 - 1


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
    return np.flatnonzero(change).astype(np.int64, copy=False)


def _by_contact_within_days(rows: IntArray, patient_day: IntArray,
                            contact_id: pa.ChunkedArray) -> None:
    """Reorder, in place, rows that share a patient and day by contact id (stable).

    ``rows`` are in (patient, day, input row) order and ``patient_day`` is the sorted
    (patient, day) key of each position. Same-day visits are few, so only they are sorted.
    """
    same = patient_day[1:] == patient_day[:-1]
    if not same.any():
        return
    tied = np.zeros(rows.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    sub = rows[at]
    ids = np.asarray(contact_id.to_numpy(), dtype=np.int64)[sub]
    rows[at] = sub[np.lexsort((ids, patient_day[at]))]


def _scope(g: Numbers, cl: Numbers, flag: npt.NDArray[np.bool_], starts: IntArray,
           groups: int) -> dict[str, IntArray]:
    """Visits and same-clinician pairs of one scope, from visits in (patient, date) order;
    ``starts`` are the positions where each patient's visits begin."""
    if flag.all():
        gk, ck = g, cl
        n = np.diff(starts, append=g.size)
    else:
        gk, ck = g[flag], cl[flag]
        n = np.bincount(gk, minlength=groups).astype(np.int64)
    same = gk[1:] == gk[:-1]
    same &= ck[1:] == ck[:-1]
    return {"same": np.bincount(gk[1:][same], minlength=groups).astype(np.int64), "n": n}


def _flag_runs(pairs: IntArray) -> tuple[IntArray, IntArray]:
    """(key, length) of each run of equal values in sorted ``pairs``."""
    run_at = _run_starts(pairs)
    return pairs[run_at], np.diff(np.append(run_at, pairs.size))


def _clinician_counts(run_key: IntArray, run_len: IntArray, bit: int, scopes: int, bc: int,
                      groups: int) -> dict[str, IntArray]:
    """Σ n_j², max n_j and clinicians per patient for the scope whose flag is ``bit``.

    ``run_key``/``run_len`` are the runs of the sorted (patient, clinician, scope flags) keys;
    the runs of one scope stay sorted by (patient, clinician), and a clinician's visits in the
    scope are the sum of the lengths of that clinician's runs with the scope's flag. The
    patients' sums are reductions over consecutive clinicians (exact integers).
    """
    mine = (run_key & (1 << bit)) != 0
    key = run_key[mine]
    key >>= scopes
    out = {name: np.zeros(groups, dtype=np.int64) for name in ("sq", "m", "mx")}
    if key.size == 0:
        return out
    # shifts in place and each array dropped once read: two of these run at once
    clinician_at = _run_starts(key)
    run_group = key[clinician_at]
    del key
    run_group >>= bc
    visits = np.add.reduceat(run_len[mine], clinician_at)
    del mine, clinician_at
    person_at = _run_starts(run_group)
    person = run_group[person_at]
    out["m"][person] = np.diff(person_at, append=run_group.size)
    del run_group
    out["mx"][person] = np.maximum.reduceat(visits, person_at)
    visits *= visits
    out["sq"][person] = np.add.reduceat(visits, person_at)
    return out


def stats_schema(scopes: int) -> pa.Schema:
    """Columns of :func:`visit_stats` for ``scopes`` scopes."""
    fields = [pa.field("year", pa.int16()), pa.field("person_id", pa.int64())]
    for k in range(scopes):
        fields += [pa.field(f"{name}{k}", pa.int64()) for name in STATS]
    return pa.schema(fields)


def _encode(values: pa.ChunkedArray) -> pa.DictionaryArray:
    """``values`` dictionary-encoded in one chunk."""
    return pc.dictionary_encode(values).combine_chunks()


def _range(values: pa.ChunkedArray) -> tuple[int, int]:
    """(min, max) of integer ``values`` without nulls."""
    found = pc.min_max(values)
    return int(found["min"].as_py()), int(found["max"].as_py())


def _packed_order_key(visits: pa.Table, day_lo: int, bd: int, br: int) -> IntArray:
    """(patient, day − ``day_lo``, input row) packed per row, built batch by batch (no
    whole-column copies of the patients and days)."""
    key = np.empty(visits.num_rows, dtype=np.int64)
    at = 0
    for batch in visits.select(["person_id", "day"]).to_batches():
        out = key[at: at + batch.num_rows]
        np.left_shift(batch.column(0).to_numpy(), bd + br, out=out)
        day = batch.column(1).to_numpy().astype(np.int64)
        day -= day_lo
        day <<= br
        out |= day
        out |= np.arange(at, at + batch.num_rows, dtype=np.int64)
        at += batch.num_rows
    return key


def _visit_order(visits: pa.Table) -> tuple[IntArray, IntArray]:
    """(input rows in (patient, date, contact id) order, patient of each position)."""
    n = visits.num_rows
    people_lo, people_hi = _range(visits["person_id"])
    day_lo, day_hi = _range(visits["day"])
    bp, bd, br = _bits(people_hi + 1), _bits(day_hi - day_lo + 1), _bits(n)
    if people_lo >= 0 and bp + bd + br <= 63:
        key = _packed_order_key(visits, day_lo, bd, br)
        key.sort(kind="stable")  # adaptive: near-linear on the usual patient-ordered extracts
        rows = key & ((1 << br) - 1)
        key >>= br
        _by_contact_within_days(rows, key, visits["contact_id"])
        key >>= bd
        return rows, key
    people = np.asarray(visits["person_id"].to_numpy(), dtype=np.int64)
    day = np.asarray(visits["day"].to_numpy(), dtype=np.int64)
    ids = np.asarray(visits["contact_id"].to_numpy(), dtype=np.int64)
    rows = np.lexsort((ids, day, people)).astype(np.int64)
    return rows, people[rows]


def visit_stats(visits: pa.Table, scopes: int, year: int) -> pa.Table:
    """Per patient and scope in ``year``: visits, Σ n_j², max n_j, clinicians, same pairs."""
    n = visits.num_rows
    if n == 0:
        return stats_schema(scopes).empty_table()
    # Encoding the clinicians (hashing tens of millions of strings) runs beside the sort.
    with ThreadPoolExecutor(max_workers=1) as pool:
        encoding = pool.submit(_encode, visits["cl"])
        rows, patient = _visit_order(visits)
        clinicians = encoding.result()
    starts = _run_starts(patient)
    groups = starts.size
    person_ids = pa.array(patient[starts])
    del patient
    # the clinician (dictionary index, 32 bits) and scope flags of each position; the input
    # goes before the patients' positions are numbered, so the two are never held together
    cl = clinicians.indices.to_numpy()[rows]
    flags = [visits[f"s{k}"].to_numpy(zero_copy_only=False)[rows] for k in range(scopes)]
    bc = _bits(len(clinicians.dictionary))
    del rows, visits, clinicians
    if _bits(groups) + bc + scopes > 63:
        raise ValueError(f"too many patients ({groups}) and clinicians for 64-bit keys")
    # the patient's number at each position, in 32 bits while the numbers fit
    g = np.zeros(n, dtype=np.int32 if groups <= INT32_MAX else np.int64)
    g[starts[1:]] = 1
    np.cumsum(g, out=g)
    # (patient, clinician, scope flags) sorted once serves every scope; built in place
    pairs = g.astype(np.int64)
    pairs <<= bc
    np.bitwise_or(pairs, cl, out=pairs)
    pairs <<= scopes
    for k, f in enumerate(flags):
        np.bitwise_or(pairs, np.int64(1 << k), out=pairs, where=f)
    columns: dict[str, pa.Array] = {
        "year": pa.array(np.full(groups, year, dtype=np.int16)),
        "person_id": person_ids,
    }
    # NumPy releases the GIL in sorts and counts, so two threads use both cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        sequences = [pool.submit(_scope, g, cl, f, starts, groups) for f in flags]
        pairs.sort(kind="stable")  # already in patient order: only within-patient runs to sort
        run_key, run_len = _flag_runs(pairs)
        del pairs
        counts = list(pool.map(
            lambda k: _clinician_counts(run_key, run_len, k, scopes, bc, groups), range(scopes)))
        done = [s.result() | c for s, c in zip(sequences, counts, strict=True)]
    for k, stats in enumerate(done):
        for name in STATS:
            columns[f"{name}{k}"] = pa.array(stats[name])
    return pa.table({name: columns[name] for name in stats_schema(scopes).names},
                    schema=stats_schema(scopes))


def compact(stats: pa.Table, minimums: list[int]) -> pa.Table:
    """``stats`` of :func:`visit_stats` without the patients no plan counts, in 32-bit integers
    where the values fit.

    A patient counts in a plan of scope ``k`` only with at least ``minimums[k]`` visits in it;
    the others' rows cannot change any cell. Σ n_j² is the largest statistic, so when every
    one fits in 32 bits all of them do. This keeps years of statistics small while they wait
    for the continuity query.
    """
    if minimums:
        keep = pc.greater_equal(stats["n0"], minimums[0])
        for k, least in enumerate(minimums[1:], start=1):
            keep = pc.or_(keep, pc.greater_equal(stats[f"n{k}"], least))
        stats = stats.filter(keep)
    largest = max((pc.max(stats[f"sq{k}"]).as_py() or 0 for k in range(len(minimums))),
                  default=0)
    if largest > INT32_MAX:
        return stats
    fields = [f if f.name in ("year", "person_id") else f.with_type(pa.int32())
              for f in stats.schema]
    return stats.cast(pa.schema(fields))

