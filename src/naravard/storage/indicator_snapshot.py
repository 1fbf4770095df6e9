"""What a data snapshot is: its input files with their checksums, and its care units."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from naravard.indicators.data import RegisterData

_CHUNK = 1 << 20


@dataclass(frozen=True)
class SnapshotInfo:
    """Identity and provenance of one set of register data (or of a loaded result file)."""

    checksum: str
    label: str
    source: str
    engine: str
    years: tuple[int, ...]
    files: Mapping[str, str] = field(default_factory=dict)
    disclosed_input: bool = False
    demo: bool = False


@dataclass(frozen=True)
class CareUnit:
    """A care unit as results refer to it."""

    care_unit_id: str
    name: str
    region_code: str
    municipality_code: str
    kind: str


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def input_files(root: Path, tables: Sequence[str]) -> dict[str, str]:
    """Relative path → SHA-256 of every Parquet file of ``tables`` under ``root``."""
    out: dict[str, str] = {}
    for name in sorted(set(tables)):
        folder = root / name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.parquet")):
            out[path.relative_to(root).as_posix()] = file_sha256(path)
    return out


def combined_checksum(files: Mapping[str, str]) -> str:
    """One checksum over file names and contents (independent of the order given)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\t{files[name]}\n".encode())
    return digest.hexdigest()


def care_units_of(data: RegisterData) -> list[CareUnit]:
    """The care units of the data (empty when the table is absent)."""
    if not data.has("care_units"):
        return []
    columns = ["care_unit_id", "name", "region_code", "municipality_code", "kind"]
    return [CareUnit(**{c: str(u[c]) for c in columns})
            for u in data.arrow("care_units").select(columns).to_pylist()]
