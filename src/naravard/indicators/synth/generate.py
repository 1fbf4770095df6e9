"""``naravard synth``: write a directory of synthetic registers, streamed in chunks.

Deterministic for a seed: every random stream is seeded from (seed, purpose, year, chunk), and
the chunk size is fixed, so the same call writes the same data. Memory is bounded by the person
arrays (about 60 bytes a person) plus one chunk of events.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from naravard.indicators.schema import TABLES_BY_NAME
from naravard.indicators.schema import table as spec
from naravard.indicators.synth import rates
from naravard.indicators.synth.cohort import (
    Cohort,
    YearState,
    advance,
    initial_cohort,
    survivors,
)
from naravard.indicators.synth.events import ChunkGenerator, Counters, Names, text
from naravard.indicators.synth.world import World, build_world

CHUNK_SIZE = 200_000
Progress = Callable[[str, float], None]
"""Called with a label and the fraction done (0–1)."""

_PURPOSE = {"world": 1, "cohort": 2, "year": 3, "chunk": 4}


def _rng(seed: int, purpose: str, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, _PURPOSE[purpose], *key]))


class Writers:
    """One Parquet writer per table and partition year, appended chunk by chunk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._open: dict[tuple[str, int | None], pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def write(self, name: str, year: int | None, data: pa.Table) -> None:
        """Append ``data`` to table ``name`` (partition ``year``)."""
        key = (name, year)
        if key not in self._open:
            folder = self.root / name / (f"year={year}" if year is not None else "")
            folder.mkdir(parents=True, exist_ok=True)
            self._open[key] = pq.ParquetWriter(folder / "part-0.parquet",
                                               spec(name).file_schema(), compression="zstd")
        self._open[key].write_table(data)
        self.rows[name] = self.rows.get(name, 0) + data.num_rows

    def close(self) -> None:
        """Close every file."""
        for writer in self._open.values():
            writer.close()
        self._open.clear()


@dataclass
class SynthSummary:
    """What a run wrote."""

    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    bytes: int = 0


def prepare_output(out: Path, overwrite: bool) -> None:
    """Create ``out``; refuse a non-empty directory unless ``overwrite`` (then only the
    register table folders are removed)."""
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{out} is not empty; use --overwrite to replace the tables")
        for child in out.iterdir():
            if child.is_dir() and child.name in TABLES_BY_NAME:
                shutil.rmtree(child)
    out.mkdir(parents=True, exist_ok=True)


def _care_units(world: World, names: Names) -> pa.Table:
    n = len(world.unit_ids)
    return pa.table({
        "care_unit_id": pa.array(world.unit_ids),
        "name": pa.array([f"{kind.replace('_', ' ').capitalize()} {uid}"
                          for uid, kind in zip(world.unit_ids, world.unit_kind, strict=True)]),
        "region_code": text(world.muni_region[world.unit_muni], names.regions),
        "municipality_code": text(world.unit_muni, names.munis),
        "kind": pa.array(world.unit_kind),
        "ownership": pa.array(["private" if i % 3 == 0 else "public" for i in range(n)]),
    }, schema=spec("care_units").file_schema())


def _population(world: World, cohort: Cohort, state: YearState, names: Names) -> pa.Table:
    alive = ~state.died
    years_born = cohort.birth[alive].astype("datetime64[D]").astype("datetime64[Y]").astype(
        np.int64) + 1970
    age = np.minimum(state.year - years_born, 120)
    muni = state.muni_end[alive]
    male = cohort.male[alive].astype(np.int64)
    key = (muni * 2 + male) * 121 + age
    counts = np.bincount(key, minlength=len(world.municipalities) * 2 * 121)
    nz = np.flatnonzero(counts)
    return pa.table({
        "year": pa.array(np.full(nz.shape[0], state.year, dtype=np.int16)),
        "municipality_code": text(nz // 242, names.munis),
        "sex": text((nz // 121) % 2, names.words(("K", "M"))),
        "age": pa.array((nz % 121).astype(np.int16)),
        "count": pa.array(counts[nz].astype(np.int64)),
    }, schema=spec("population").file_schema())


def _costs(world: World, state: YearState, names: Names) -> pa.Table:
    alive = ~state.died
    regions = np.bincount(world.muni_region[state.muni_end[alive]], minlength=len(world.regions))
    rows: list[tuple[int, str, str, int]] = []
    for r, inhabitants in enumerate(regions):
        total = inhabitants * rates.COST_PER_INHABITANT * (0.9 + 0.2 * world.costs[r])
        primary = rates.COST_SHARES["primary_care"] * (0.85 + 0.3 * world.continuity[r])
        shares = dict(rates.COST_SHARES, primary_care=primary)
        rows += [(r, "region", level, round(total * share)) for level, share in shares.items()]
        rows.append((r, "municipality", "other_health_care",
                     round(inhabitants * rates.MUNICIPAL_COST_PER_INHABITANT)))
    return pa.table({
        "year": pa.array(np.full(len(rows), state.year, dtype=np.int16)),
        "region_code": text(np.array([r[0] for r in rows], dtype=np.int64), names.regions),
        "funder": pa.array([r[1] for r in rows]),
        "care_level": pa.array([r[2] for r in rows]),
        "cost_sek": pa.array([r[3] for r in rows], pa.int64()),
    }, schema=spec("costs").file_schema())


def synthesise(scale: float, years: Sequence[int], seed: int, out: Path, *,
               progress: Progress | None = None, overwrite: bool = False,
               chunk_size: int = CHUNK_SIZE) -> SynthSummary:
    """Write synthetic registers for ``years`` at ``scale`` (1 = all of Sweden) under ``out``."""
    if not 0 < scale <= 1:
        raise ValueError(f"scale must be in (0, 1], got {scale}")
    years = sorted(set(years))
    if not years or years != list(range(years[0], years[-1] + 1)):
        raise ValueError("years must be a consecutive range, e.g. 2019-2023")
    started = time.perf_counter()
    prepare_output(out, overwrite)
    world = build_world(scale, years, _rng(seed, "world"))
    names = Names.of(world)
    cohort = initial_cohort(world, years[0], scale, _rng(seed, "cohort"))
    counters = Counters()
    writers = Writers(out)
    try:
        writers.write("care_units", None, _care_units(world, names))
        populations: list[pa.Table] = []
        costs: list[pa.Table] = []
        for y_index, year in enumerate(years):
            cohort, state = advance(cohort, world, year, scale, _rng(seed, "year", year))
            n_chunks = max(1, -(-cohort.size // chunk_size))
            for k in range(n_chunks):
                rows = np.arange(k * chunk_size, min((k + 1) * chunk_size, cohort.size),
                                 dtype=np.int64)
                generator = ChunkGenerator(world, names, cohort, state, rows,
                                           _rng(seed, "chunk", year, k), counters,
                                           next_year_open=year + 1 in years)
                for (name, part), tables in generator.run().tables.items():
                    for t in tables:
                        writers.write(name, part, t)
                if progress is not None:
                    progress(f"{year}: chunk {k + 1}/{n_chunks}",
                             (y_index + (k + 1) / n_chunks) / len(years))
            populations.append(_population(world, cohort, state, names))
            costs.append(_costs(world, state, names))
            cohort = survivors(cohort, state)
        writers.write("population", None, pa.concat_tables(populations))
        writers.write("costs", None, pa.concat_tables(costs))
    finally:
        writers.close()
    size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    return SynthSummary(out, dict(writers.rows), time.perf_counter() - started, size)
