"""The indicators part of ``naravard demo``: synthetic registers, computed and stored results.

Synthetic registers for 1 % of Sweden's population (years 2021–2023, a fixed seed) are written
to ``<data dir>/indicator-demo/registers``; every shipped indicator is computed from them and
stored as a snapshot marked as demo data. The computed results are kept beside the registers
(``results.parquet``, tagged with the registers' checksum), so a second database reuses them. At
this scale most published cells are not masked, so the pages show data (at smaller scales most
municipalities and care units would be masked). Running the step again adds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from naravard.config import load_settings
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute
from naravard.indicators.data import RegisterData
from naravard.indicators.synth.generate import synthesise
from naravard.storage import indicator_repo
from naravard.storage.indicator_snapshot import (
    SnapshotInfo,
    care_units_of,
    combined_checksum,
    input_files,
)

SCALE = 0.01
YEARS = (2021, 2022, 2023)
SEED = 7
FOLDER = "indicator-demo"
LABEL = "Synthetic registers (demo, 1 % of Sweden, seed 7)"


def _results(registers: Path, checksum: str, cache: Path) -> pa.Table:
    """The computed results, from ``cache`` when it was computed from the same registers with
    the same definition versions."""
    definitions = shipped_catalogue().definitions
    made_by = {"checksum": checksum, "definitions": {d.id: d.version for d in definitions}}
    if cache.is_file():
        table = pq.read_table(cache)
        meta = json.loads((table.schema.metadata or {}).get(b"naravard", b"{}"))
        if meta == made_by:
            return table
    data = RegisterData.from_directory(registers)
    table = compute(data, list(YEARS), definitions)
    meta_bytes = json.dumps(made_by).encode()
    pq.write_table(table.replace_schema_metadata({b"naravard": meta_bytes}), cache)
    return table


def indicator_demo(session: Session, data_dir: Path | None = None) -> str:
    """Store demo indicator results (once); returns a one-line summary."""
    if any(s.demo for s in indicator_repo.snapshots(session)):
        return "Indicators: demo results already stored."
    folder = (data_dir or load_settings().data_dir) / FOLDER
    registers = folder / "registers"
    if not (registers / "persons").is_dir():
        synthesise(SCALE, list(YEARS), SEED, registers, overwrite=True)
    data = RegisterData.from_directory(registers)
    files = input_files(registers, data.names())
    checksum = combined_checksum(files)
    results = _results(registers, checksum, folder / "results.parquet")
    info = SnapshotInfo(checksum, LABEL, str(registers), "duckdb", YEARS, files,
                        demo=True)
    outcome = indicator_repo.store_results(session, results, info, care_units_of(data),
                                           shipped_catalogue(), actor="demo")
    return (f"Indicators: {outcome.stored} results of {len(outcome.indicators)} indicators "
            f"stored from synthetic registers (scale {SCALE}, {YEARS[0]}–{YEARS[-1]}).")
