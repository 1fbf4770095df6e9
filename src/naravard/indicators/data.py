"""Where register tables come from: a directory of Parquet datasets or in-memory Arrow tables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from naravard.indicators.schema import TABLES_BY_NAME, TableSpec, table


class DataError(ValueError):
    """Register data that cannot be read; the message names the table and the path."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class RegisterData:
    """A set of register tables, each either a Parquet dataset on disk or an Arrow table.

    On disk, table ``T`` lives in ``DIR/T/``; tables partitioned by year use hive directories
    ``DIR/T/year=YYYY/*.parquet`` (the ``year`` column is taken from the directory name).
    """

    def __init__(self, *, root: Path | None, tables: Mapping[str, pa.Table]) -> None:
        self._root = root
        self._tables = dict(tables)

    @classmethod
    def from_directory(cls, root: Path | str) -> RegisterData:
        """Tables found under ``root`` (unknown sub-directories are an error)."""
        path = Path(root)
        if not path.is_dir():
            raise DataError(f"register data directory not found: {path}")
        for child in sorted(path.iterdir()):
            if child.is_dir() and child.name not in TABLES_BY_NAME and not child.name.startswith(
                "."
            ):
                known = ", ".join(TABLES_BY_NAME)
                raise DataError(f"{child}: unknown register table {child.name!r}; known: {known}")
        return cls(root=path, tables={})

    @classmethod
    def from_tables(cls, tables: Mapping[str, pa.Table]) -> RegisterData:
        """In-memory tables (used by tests and the reference engine's fixtures)."""
        for name in tables:
            table(name)
        return cls(root=None, tables=tables)

    def subset(self, name: str) -> RegisterData:
        """Only table ``name`` of these data."""
        if name in self._tables:
            return RegisterData(root=None, tables={name: self._tables[name]})
        return _Only(self._root, name)

    @property
    def root(self) -> Path | None:
        """The directory, if the data are on disk."""
        return self._root

    def names(self) -> list[str]:
        """Names of the tables present, in data-model order."""
        return [spec.name for spec in TABLES_BY_NAME.values() if self.has(spec.name)]

    def has(self, name: str) -> bool:
        """Whether table ``name`` is present."""
        if name in self._tables:
            return True
        if self._root is None:
            return False
        folder = self._root / name
        return folder.is_dir() and any(folder.rglob("*.parquet"))

    def scan_sql(self, name: str) -> str:
        """A DuckDB table expression reading table ``name``."""
        spec = table(name)
        if name in self._tables:
            return f"__reg_{name}"
        if self._root is None or not self.has(name):
            raise DataError(f"register table {name} is missing")
        pattern = str(self._root / name / "**" / "*.parquet")
        if spec.partitioned_by_year:
            return (
                f"read_parquet({_quote(pattern)}, hive_partitioning = true, "
                "hive_types = {'year': SMALLINT})"
            )
        return f"read_parquet({_quote(pattern)}, hive_partitioning = false)"

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create one view per present table in ``con``, named after the table."""
        for name in self.names():
            if name in self._tables:
                con.register(f"__reg_{name}", self._tables[name])
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {self.scan_sql(name)}")  # noqa: S608 -- names come from the schema

    def arrow(self, name: str) -> pa.Table:
        """Table ``name`` read whole into memory (for small data and the reference engine)."""
        spec = table(name)
        if name in self._tables:
            return self._tables[name]
        if self._root is None or not self.has(name):
            raise DataError(f"register table {name} is missing")
        folder = self._root / name
        partitioning = (
            ds.partitioning(pa.schema([pa.field("year", pa.int16())]), flavor="hive")
            if spec.partitioned_by_year
            else None
        )
        dataset = ds.dataset(folder, format="parquet", partitioning=partitioning)
        return dataset.to_table()

    def years(self, name: str) -> list[int]:
        """Distinct years present in table ``name`` (empty if absent or without a year)."""
        spec = table(name)
        if "year" not in spec.column_names or not self.has(name):
            return []
        if name not in self._tables and spec.partitioned_by_year and self._root is not None:
            found = {
                int(sub.name.split("=", 1)[1])
                for sub in (self._root / name).iterdir()
                if sub.is_dir() and sub.name.startswith("year=") and any(sub.glob("*.parquet"))
            }
            return sorted(found)
        if name in self._tables:
            column = self._tables[name].column("year")
        else:
            assert self._root is not None
            column = ds.dataset(self._root / name, format="parquet").to_table(
                columns=["year"]).column("year")
        return sorted(int(y) for y in pc.unique(column).to_pylist() if y is not None)

    def spec(self, name: str) -> TableSpec:
        """The data-model entry for table ``name``."""
        return table(name)


def table_from_rows(name: str, rows: list[dict[str, object]]) -> pa.Table:
    """Register table ``name`` as Arrow from plain rows (with ``year`` if partitioned)."""
    return pa.Table.from_pylist(rows, schema=table(name).arrow_schema())


def write_table(root: Path | str, name: str, data: pa.Table, part: str = "part-0") -> list[Path]:
    """Write ``data`` as register table ``name`` under ``root`` (hive year directories if
    partitioned); returns the files written."""
    spec = table(name)
    folder = Path(root) / name
    written: list[Path] = []
    if not spec.partitioned_by_year:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{part}.parquet"
        pq.write_table(data, path)
        return [path]
    years = sorted({int(y) for y in data.column("year").to_pylist()})
    for year in years:
        chunk = data.filter(pc.equal(data.column("year"), year)).drop_columns(["year"])
        sub = folder / f"year={year}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"{part}.parquet"
        pq.write_table(chunk, path)
        written.append(path)
    return written


class _Only(RegisterData):
    """One on-disk table of a register directory."""

    def __init__(self, root: Path | None, name: str) -> None:
        super().__init__(root=root, tables={})
        self._name = name

    def names(self) -> list[str]:
        """Just the one table, if present."""
        return [self._name] if self.has(self._name) else []
