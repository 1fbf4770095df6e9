"""Validate register data against the data model; report every problem with table, column, rows."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from naravard.indicators.data import RegisterData
from naravard.indicators.schema import Column, TableSpec, table
from naravard.reference.organisations import OrgKind, shipped_organisations


@dataclass(frozen=True)
class Problem:
    """One problem in the data: which table and column, what is wrong, how many rows."""

    table: str
    column: str
    problem: str
    rows: int
    examples: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.column == "*":
            return f"{self.table}: {self.problem}"
        ex = f" (e.g. {', '.join(self.examples)})" if self.examples else ""
        return f"{self.table}.{self.column}: {self.problem}: {self.rows} row(s){ex}"


class ValidationError(ValueError):
    """Register data that break the data model; ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"register data has {len(self.problems)} problem(s):\n{lines}")


_FAMILIES: dict[str, tuple[str, ...]] = {
    "integer": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT", "HUGEINT"),
    "string": ("VARCHAR",),
    "date": ("DATE",),
    "boolean": ("BOOLEAN",),
    "string list": ("VARCHAR[]",),
}


def _family(dtype: pa.DataType) -> str:
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "string"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_list(dtype):
        return "string list"
    raise TypeError(f"unsupported type in the data model: {dtype}")


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _value_checks(col: Column) -> list[tuple[str, str]]:
    """(problem text, SQL condition that flags a bad row) for one column."""
    name = f'"{col.name}"'
    checks: list[tuple[str, str]] = []
    if not col.nullable:
        checks.append(("missing value", f"{name} IS NULL"))
    if col.allowed is not None:
        checks.append((f"value not one of {', '.join(col.allowed)}",
                       f"{name} NOT IN ({_sql_list(col.allowed)})"))
    if col.pattern is not None:
        if pa.types.is_list(col.type):
            cond = f"len(list_filter({name}, lambda x: NOT regexp_matches(x, '{col.pattern}'))) > 0"
        else:
            cond = f"NOT regexp_matches({name}, '{col.pattern}')"
        checks.append((f"value does not match {col.pattern}", cond))
    if col.min_value is not None:
        checks.append((f"value below {col.min_value}", f"{name} < {col.min_value}"))
    if col.max_value is not None:
        checks.append((f"value above {col.max_value}", f"{name} > {col.max_value}"))
    if col.org_check is not None:
        ref = "__ref_municipality" if col.org_check == "municipality" else "__ref_region"
        checks.append((f"unknown {col.org_check} code",
                       f"{name} NOT IN (SELECT code FROM {ref})"))  # noqa: S608 -- fixed names
    return checks


def _register_reference(con: duckdb.DuckDBPyConnection) -> None:
    orgs = shipped_organisations()
    munis = [o.code for o in orgs if o.kind is OrgKind.MUNICIPALITY]
    regions = [o.code for o in orgs if o.kind is OrgKind.REGION]
    con.register("__ref_municipality", pa.table({"code": munis}))
    con.register("__ref_region", pa.table({"code": regions}))


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...] | None:
    """The first row of ``sql``, with the result read to its end (so the connection is free)."""
    rows = con.execute(sql).fetchall()
    return rows[0] if rows else None


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = _one(con, sql)
    return int(row[0]) if row is not None and row[0] is not None else 0


def _examples(con: duckdb.DuckDBPyConnection, name: str, column: str, cond: str) -> tuple[str, ...]:
    rows = con.execute(
        f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM {name} WHERE {cond} LIMIT 3'  # noqa: S608 -- schema identifiers
    ).fetchall()
    return tuple(repr(r[0]) if r[0] is not None else "empty" for r in rows)


def _count_value_checks(con: duckdb.DuckDBPyConnection, name: str,
                        checks: Sequence[tuple[str, str, str]]) -> dict[int, int]:
    """Bad rows per check, for checks that depend only on one string column's value.

    The checks are evaluated on the distinct values of their columns with the row counts of
    each value (one pass over the table, grouping by each column), which is much cheaper than
    matching patterns and reference lists row by row; the counts are the same.
    """
    if not checks:
        return {}
    columns = sorted({c for c, _, _ in checks})
    cols = ", ".join(f'"{c}"' for c in columns)
    flags = ", ".join(f'grouping("{c}") AS "__g_{c}"' for c in columns)
    sets = ", ".join(f'("{c}")' for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE __values AS SELECT {cols}, {flags}, "  # noqa: S608
                f"count(*) AS __n FROM {name} GROUP BY GROUPING SETS ({sets})").fetchall()
    select = ", ".join(f'coalesce(sum(__n) FILTER (WHERE "__g_{c}" = 0 AND {cond}), 0)'
                       for c, _, cond in checks)
    row = _one(con, f"SELECT {select} FROM __values")  # noqa: S608 -- schema
    con.execute("DROP TABLE __values").fetchall()
    assert row is not None
    return {i: int(bad) for i, bad in enumerate(row)}


@dataclass(frozen=True)
class _Keys:
    """Integer or date key columns of a table as SQL expressions, with their ranges."""

    table: str
    exprs: tuple[str, ...]
    lows: tuple[int, ...]
    highs: tuple[int, ...]
    rows: int


def _int_expr(sql_type: str | None, column: str) -> str | None:
    """``column`` as a BIGINT expression (dates as day numbers), or None for other types."""
    if sql_type in _FAMILIES["integer"]:
        return f'CAST("{column}" AS BIGINT)'
    if sql_type == "DATE":
        return f"CAST(\"{column}\" - DATE '1970-01-01' AS BIGINT)"
    return None


class _Ranges:
    """Row counts and (min, max, values present) of integer and date columns, so that each is
    read once per validation: the table checks fill it in passing, the key checks use it."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.columns: dict[tuple[str, str], tuple[int | None, int | None, int]] = {}

    @staticmethod
    def select(exprs: Sequence[str]) -> str:
        """SELECT items giving the row count and each expression's range."""
        return ", ".join(["count(*)", *(f"min({e}), max({e}), count({e})" for e in exprs)])

    def store(self, name: str, columns: Sequence[str], row: Sequence[Any]) -> None:
        """Remember the result of :meth:`select` for ``columns`` of ``name``."""
        self.rows[name] = int(row[0])
        for i, c in enumerate(columns):
            lo, hi, present = row[1 + 3 * i: 4 + 3 * i]
            self.columns[(name, c)] = (None if lo is None else int(lo),
                                       None if hi is None else int(hi), int(present))


def _keys(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[str],
          ranges: _Ranges) -> _Keys | None:
    """The key columns of ``name`` as integers (dates as day numbers) with their ranges; None if
    one is not an integer or date column or has missing values."""
    types = {row[0]: str(row[1]) for row in con.execute(f"DESCRIBE {name}").fetchall()}
    exprs = [_int_expr(types.get(c), c) for c in columns]
    if any(e is None for e in exprs):
        return None
    known = [e for e in exprs if e is not None]
    unknown = [c for c in columns if (name, c) not in ranges.columns]
    if unknown or name not in ranges.rows:
        row = _one(con, f"SELECT {_Ranges.select([known[columns.index(c)] for c in unknown])} "  # noqa: S608
                        f"FROM {name}")
        assert row is not None
        ranges.store(name, unknown, row)
    rows = ranges.rows[name]
    found = [ranges.columns[(name, c)] for c in columns]
    if any(present != rows for _, _, present in found):
        return None
    if rows == 0:
        return _Keys(name, tuple(known), (0,) * len(known), (0,) * len(known), 0)
    return _Keys(name, tuple(known), tuple(int(lo or 0) for lo, _, _ in found),
                 tuple(int(hi or 0) for _, hi, _ in found), rows)


def _widths(lows: Sequence[int], highs: Sequence[int]) -> list[int] | None:
    """Bits per column for values lows … highs, or None if together they exceed 63 bits."""
    widths = [max(int(hi - lo).bit_length(), 1) for lo, hi in zip(lows, highs, strict=True)]
    return widths if sum(widths) <= 63 else None


def _packed(con: duckdb.DuckDBPyConnection, keys: _Keys, lows: Sequence[int],
            widths: Sequence[int]) -> Iterator[npt.NDArray[np.int64]]:
    """The key of every row packed into one non-negative 64-bit integer, in chunks.

    DuckDB packs (in parallel, without materialising the columns); NumPy gets one column.
    """
    parts, shift = [], sum(widths)
    for expr, lo, width in zip(keys.exprs, lows, widths, strict=True):
        shift -= width
        parts.append(f"(({expr} - {int(lo)}) << {shift})")
    sql = f"SELECT {' | '.join(parts)} AS k FROM {keys.table}"  # noqa: S608 -- schema
    for chunk in con.sql(sql).to_arrow_table().column(0).chunks:
        yield chunk.to_numpy()


def _dense(span: int, rows: int) -> bool:
    """Whether a lookup table of ``span`` entries is affordable for ``rows`` rows."""
    return span <= max(8 * rows, 1 << 20)


def _rows_in_duplicates(packed: npt.NDArray[np.int64]) -> int:
    """Rows whose packed key occurs more than once."""
    if _dense(int(packed.max()) + 1 if packed.size else 0, packed.size):
        counts = np.bincount(packed)
        return int(counts[counts > 1].sum())
    packed = np.sort(packed)
    same = packed[1:] == packed[:-1]
    in_run = np.zeros(packed.size, dtype=bool)
    in_run[1:] |= same
    in_run[:-1] |= same
    return int(np.count_nonzero(in_run))


def _duplicate_rows(con: duckdb.DuckDBPyConnection, name: str, key: Sequence[str],
                    ranges: _Ranges) -> int:
    """Rows whose key occurs more than once.

    Integer and date keys are packed into one 64-bit integer per row and counted with NumPy
    (much faster than grouping tens of millions of distinct keys): dense keys (the usual
    case, sequential ids) are marked in a table of seen keys, linear in the rows, and only if
    some key repeats are the rows counted exactly; sparse keys are sorted. Other keys are
    grouped in SQL.
    """
    keys = _keys(con, name, key, ranges)
    if keys is not None and keys.rows == 0:
        return 0
    widths = None if keys is None else _widths(keys.lows, keys.highs)
    if keys is not None and widths is not None:
        chunks = _packed(con, keys, keys.lows, widths)
        span = 1 << sum(widths)
        if _dense(span, keys.rows):
            seen = np.zeros(span, dtype=bool)
            kept = []
            for chunk in chunks:
                seen[chunk] = True
                kept.append(chunk)
            if np.count_nonzero(seen) == keys.rows:
                return 0
            return _rows_in_duplicates(np.concatenate(kept))
        return _rows_in_duplicates(np.concatenate(list(chunks)))
    cols = ", ".join(f'"{k}"' for k in key)
    return _count(con, f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {name} "  # noqa: S608
                       f"GROUP BY {cols} HAVING count(*) > 1)")


def _rows_not_found(con: duckdb.DuckDBPyConnection, source: str, target: str,
                    columns: Sequence[tuple[str, str]], ranges: _Ranges) -> int | None:
    """Rows of ``source`` whose (column, …) is not among ``target``'s (target column, …).

    Integer keys whose packed values are dense get a presence table and one lookup per row
    (linear, instead of a hash join of tens of millions of rows); None when that does not apply
    (the caller then asks SQL).
    """
    src = _keys(con, source, [s for s, _ in columns], ranges)
    tgt = _keys(con, target, [t for _, t in columns], ranges)
    if src is None or tgt is None:
        return None
    if src.rows == 0 or tgt.rows == 0:
        return src.rows
    lows = [min(a, b) for a, b in zip(src.lows, tgt.lows, strict=True)]
    highs = [max(a, b) for a, b in zip(src.highs, tgt.highs, strict=True)]
    widths = _widths(lows, highs)
    if widths is None or not _dense(1 << sum(widths), src.rows + tgt.rows):
        return None
    present = np.zeros(1 << sum(widths), dtype=bool)
    for chunk in _packed(con, tgt, lows, widths):
        present[chunk] = True
    return src.rows - sum(int(np.count_nonzero(present[chunk]))
                          for chunk in _packed(con, src, lows, widths))


def _check_table(con: duckdb.DuckDBPyConnection, spec: TableSpec,
                 ranges: _Ranges) -> list[Problem]:
    name = spec.name
    problems: list[Problem] = []
    total = _count(con, f"SELECT count(*) FROM {name}")  # noqa: S608 -- schema identifier
    described = {row[0]: str(row[1]) for row in con.execute(f"DESCRIBE {name}").fetchall()}
    usable: list[Column] = []
    for col in spec.columns:
        if col.name not in described:
            problems.append(Problem(name, col.name, "column missing", total))
            continue
        family = _family(col.type)
        if described[col.name] not in _FAMILIES[family]:
            problems.append(Problem(name, col.name,
                                    f"type {described[col.name]}, expected {family}", total))
            continue
        usable.append(col)
    problems.extend(
        Problem(name, extra, "column not in the data model", total)
        for extra in described
        if extra not in spec.column_names
    )
    usable_names = {c.name for c in usable}
    checks: list[tuple[str, str, str]] = []
    by_value: set[int] = set()
    for col in usable:
        col_checks = _value_checks(col)
        # a string column with checks on its values is grouped by value anyway, and its
        # missing values are then the count of the NULL group
        grouped = pa.types.is_string(col.type) and any(
            text != "missing value" for text, _ in col_checks)
        for text, cond in col_checks:
            if grouped:
                by_value.add(len(checks))
            checks.append((col.name, text, cond))
    for rc in spec.row_checks:
        needed = {c for c in spec.column_names if c in rc.sql}
        if needed <= usable_names:
            checks.append((rc.column, f"rule broken: {rc.text}", f"NOT ({rc.sql})"))
    value_level = sorted(by_value)
    counted = _count_value_checks(con, name, [checks[i] for i in value_level])
    bad_rows = {value_level[j]: bad for j, bad in counted.items()}
    row_level = [i for i in range(len(checks)) if i not in by_value]
    # the ranges of key and reference columns come with the same scan
    keyed = {*spec.key, *(r.column for r in spec.references), "year"}
    as_ints = {c.name: _int_expr(described[c.name], c.name) for c in usable if c.name in keyed}
    ranged = [c for c, e in as_ints.items() if e is not None]
    exprs = [e for e in as_ints.values() if e is not None]
    select = ", ".join([*(f"count_if({checks[i][2]})" for i in row_level),
                        _Ranges.select(exprs)])
    row = _one(con, f"SELECT {select} FROM {name}")  # noqa: S608 -- schema
    assert row is not None
    bad_rows.update(zip(row_level, (int(x or 0) for x in row[:len(row_level)]), strict=True))
    ranges.store(name, ranged, row[len(row_level):])
    for i, (column, text, cond) in enumerate(checks):
        bad = bad_rows.get(i, 0)
        if bad:
            problems.append(Problem(name, column, text, bad, _examples(con, name, column, cond)))
    if set(spec.key) <= usable_names:
        dup = _duplicate_rows(con, name, spec.key, ranges)
        if dup:
            problems.append(Problem(name, ", ".join(spec.key), "duplicate key", dup))
    if spec.no_overlap is not None and set(spec.no_overlap) <= usable_names:
        group, start, end = spec.no_overlap
        overlap = _count(
            con,
            f"SELECT count(*) FROM (SELECT {start}, lag({end}) OVER "  # noqa: S608
            f"(PARTITION BY {group} ORDER BY {start}) AS prev_end FROM {name}) "
            f"WHERE {start} < prev_end",
        )
        if overlap:
            problems.append(Problem(name, start, f"spells overlap for the same {group}", overlap))
    return problems


def _check_references(con: duckdb.DuckDBPyConnection, spec: TableSpec,
                      present: set[str], ranges: _Ranges) -> list[Problem]:
    problems: list[Problem] = []
    for ref in spec.references:
        if ref.target_table not in present:
            continue
        target = table(ref.target_table)
        by_year = spec.partitioned_by_year and target.partitioned_by_year
        if by_year:
            cond = (f"NOT EXISTS (SELECT 1 FROM {target.name} t "  # noqa: S608 -- schema names
                    f"WHERE t.{ref.target_column} = s.{ref.column} AND t.year = s.year)")
            where = f"in {target.name} for the same year"
        else:
            cond = (f"NOT EXISTS (SELECT 1 FROM {target.name} t "  # noqa: S608 -- schema names
                    f"WHERE t.{ref.target_column} = s.{ref.column})")
            where = f"in {target.name}"
        pairs = [(ref.column, ref.target_column)]
        if by_year:
            pairs.insert(0, ("year", "year"))
        bad = _rows_not_found(con, spec.name, target.name, pairs, ranges)
        if bad is None:
            bad = _count(con, f"SELECT count(*) FROM {spec.name} s WHERE {cond}")  # noqa: S608
        if bad:
            problems.append(Problem(spec.name, ref.column, f"value not found {where}", bad))
    return problems


def _connection(data: RegisterData, names: Iterable[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")  # counts and key sets only
    _register_reference(con)
    for name in names:
        RegisterData.subset(data, name).attach(con)
    return con


def validate(data: RegisterData, required: Iterable[str] = ()) -> list[Problem]:
    """Every problem in ``data``; tables in ``required`` must be present.

    Tables are checked two at a time (largest first), each thread on a DuckDB connection of
    its own, so one table's NumPy key checks overlap with another's SQL; problems are listed in
    the order of the tables all the same.
    """
    problems: list[Problem] = [
        Problem(name, "*", "table missing", 0) for name in required if not data.has(name)
    ]
    con = duckdb.connect()
    opened: list[duckdb.DuckDBPyConnection] = [con]
    local = threading.local()
    try:
        con.execute("SET enable_progress_bar = false")
        readable: list[str] = []
        for name in data.names():
            try:
                single = RegisterData.subset(data, name)
                single.attach(con)
                con.execute(f"SELECT * FROM {name} LIMIT 0").fetchall()  # noqa: S608 -- schema
                readable.append(name)
            except (duckdb.Error, OSError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                problems.append(Problem(name, "*", f"cannot be read: {first}", 0))
        present = set(readable)
        sizes = {name: _count(con, f"SELECT count(*) FROM {name}") for name in readable}  # noqa: S608
        largest_first = sorted(readable, key=lambda n: -sizes[n])
        ranges = _Ranges()

        def mine() -> duckdb.DuckDBPyConnection:
            if not hasattr(local, "con"):
                local.con = _connection(data, readable)
                opened.append(local.con)
            return local.con  # type: ignore[no-any-return]

        with ThreadPoolExecutor(max_workers=2) as pool:
            checked = {name: pool.submit(lambda n: _check_table(mine(), table(n), ranges), name)
                       for name in largest_first}
            # The references are checked beside the tables' own checks rather than after them,
            # so the largest table's reference check need not wait for its value checks; the
            # finding is used only if the referring columns have no problem of their own.
            referenced = {
                name: pool.submit(lambda n: _check_references(mine(), table(n), present,
                                                              ranges), name)
                for name in largest_first if table(name).references
            }
            per_table = {name: checked[name].result() for name in readable}
            for name in readable:
                problems.extend(per_table[name])
            for name in readable:
                if name not in referenced:
                    continue
                broken = {p.column for p in per_table[name]}
                if any(r.column in broken for r in table(name).references):
                    referenced[name].exception()  # waited for; a failure there is expected
                    continue
                problems.extend(referenced[name].result())
    finally:
        for c in opened:
            c.close()
    return problems


def check(data: RegisterData, required: Iterable[str] = ()) -> None:
    """Raise :class:`ValidationError` naming every problem, if there is any."""
    problems = validate(data, required)
    if problems:
        raise ValidationError(problems)
