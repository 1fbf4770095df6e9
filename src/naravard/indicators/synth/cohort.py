"""The synthetic population: persons kept across years, with births, deaths, moves, immigration."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from naravard.indicators.synth import rates
from naravard.indicators.synth.world import World

# Columns of the stable per-person uniforms (drawn once, kept for life, so that states such as
# a chronic condition or a named doctor persist and accumulate with age).
U_CONDITIONS = (0, 1, 2, 3)      # heart failure, diabetes, asthma, COPD
U_LISTED, U_NAMED, U_SPECIAL, U_HOME_CARE, U_DOCTOR, U_NURSE = 4, 5, 6, 7, 8, 9
N_UNIFORMS = 10
EPOCH = np.datetime64("1970-01-01", "D")


def year_start(year: int) -> int:
    """Days from 1970-01-01 to 1 January of ``year``."""
    return int((np.datetime64(f"{year}-01-01", "D") - EPOCH).astype(np.int64))


def days_in(year: int) -> int:
    """Number of days in ``year``."""
    return year_start(year + 1) - year_start(year)


@dataclass
class Cohort:
    """Persons as parallel arrays (row i is one person)."""

    pid: NDArray[np.int64]
    birth: NDArray[np.int64]       # days since 1970-01-01
    male: NDArray[np.bool_]
    muni: NDArray[np.int64]        # municipality index (residence at the start of the year)
    unit: NDArray[np.int64]        # health centre the person is listed at (or would be)
    u: NDArray[np.uint16]          # stable uniforms × 65 535
    next_id: int

    @property
    def size(self) -> int:
        """Number of persons."""
        return int(self.pid.shape[0])

    def take(self, keep: NDArray[np.bool_]) -> Cohort:
        """The persons where ``keep`` is true."""
        return Cohort(self.pid[keep], self.birth[keep], self.male[keep], self.muni[keep],
                      self.unit[keep], self.u[keep], self.next_id)

    def uniform(self, column: int) -> NDArray[np.float64]:
        """Stable uniform ``column`` in [0, 1)."""
        return np.asarray(self.u[:, column].astype(np.float64) / 65_536.0, dtype=np.float64)


@dataclass
class YearState:
    """What happens to each person of the cohort during one year (day numbers within year)."""

    year: int
    entry: NDArray[np.int64]       # first day registered (0 = 1 January)
    last: NDArray[np.int64]        # last day alive in the year
    died: NDArray[np.bool_]
    muni_start: NDArray[np.int64]
    muni_end: NDArray[np.int64]
    move: NDArray[np.int64]        # day of the move; ≥ days in year when no move
    unit_start: NDArray[np.int64]
    unit_end: NDArray[np.int64]

    def residence(self, rows: NDArray[np.int64], day: NDArray[np.int64]) -> NDArray[np.int64]:
        """Municipality of residence of persons ``rows`` on day ``day``."""
        return np.where(day < self.move[rows], self.muni_start[rows], self.muni_end[rows])

    def unit_on(self, rows: NDArray[np.int64], day: NDArray[np.int64]) -> NDArray[np.int64]:
        """Health centre of persons ``rows`` on day ``day``."""
        return np.where(day < self.move[rows], self.unit_start[rows], self.unit_end[rows])


def _sex_for_age(age: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.bool_]:
    share = np.where(age >= 80, rates.MEN_SHARE_80_PLUS, rates.MEN_SHARE_UNDER_80)
    return np.asarray(rng.random(age.shape[0]) < share)


def _centre(world: World, muni: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.int64]:
    count = world.centre_count[muni]
    return np.asarray(world.centre_first[muni] + (rng.random(muni.shape[0]) * count).astype(
        np.int64), dtype=np.int64)


def _new_people(world: World, muni: NDArray[np.int64], age: NDArray[np.int64],
                birth: NDArray[np.int64], rng: np.random.Generator,
                first_id: int) -> Cohort:
    n = muni.shape[0]
    return Cohort(
        pid=np.arange(first_id, first_id + n, dtype=np.int64),
        birth=birth,
        male=_sex_for_age(age, rng),
        muni=muni,
        unit=_centre(world, muni, rng),
        u=rng.integers(0, 65_536, size=(n, N_UNIFORMS), dtype=np.uint16),
        next_id=first_id + n,
    )


def _ages(world: World, counts: NDArray[np.int64], scale: float, rng: np.random.Generator,
          young: bool = False) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(municipality, age) for ``counts`` persons per municipality."""
    munis = np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts)
    ages = np.empty(munis.shape[0], dtype=np.int64)
    pos = 0
    weights_cache: dict[float, np.ndarray] = {}
    for m, k in enumerate(counts):
        if k == 0:
            continue
        tilt = rates.older_tilt(int(world.targets[min(world.targets)][m] / scale))
        w = weights_cache.get(tilt)
        if w is None:
            w = rates.age_weights(tilt)
            if young:
                w = w * np.where(np.arange(w.shape[0]) < 60, 1.0, 0.15)
                w = w / w.sum()
            weights_cache[tilt] = w
        ages[pos:pos + k] = rng.choice(w.shape[0], size=int(k), p=w)
        pos += int(k)
    return munis, ages


def initial_cohort(world: World, first_year: int, scale: float,
                   rng: np.random.Generator) -> Cohort:
    """Persons alive on 1 January of ``first_year``, sized to the previous year-end target."""
    counts = world.targets[first_year - 1]
    munis, ages = _ages(world, counts, scale, rng)
    jan1 = year_start(first_year)
    birth = jan1 - np.round(ages * 365.25).astype(np.int64) - rng.integers(1, 365, ages.shape[0])
    return _new_people(world, munis, ages, birth, rng, 1)


def age_at(birth: NDArray[np.int64], day: int) -> NDArray[np.int64]:
    """Approximate completed years on ``day`` (days since 1970), for rates."""
    return np.asarray(np.floor((day - birth) / 365.2425).astype(np.int64), dtype=np.int64)


def advance(cohort: Cohort, world: World, year: int, scale: float,
            rng: np.random.Generator) -> tuple[Cohort, YearState]:
    """Add the year's births and immigrants and decide deaths and moves."""
    n_days = days_in(year)
    jan1 = year_start(year)
    n = cohort.size
    age = age_at(cohort.birth, jan1)
    died = rng.random(n) < rates.mortality(age, cohort.male)
    death_day = rng.integers(0, n_days, n)
    movers = rng.random(n) < rates.MOVE_RATE
    move_day = np.where(movers, rng.integers(1, n_days, n), n_days)
    move_day = np.where(died & (death_day <= move_day), n_days, move_day)
    target_next = world.targets[year].astype(np.float64)
    same_region = rng.random(n) < rates.MOVE_SAME_REGION
    new_muni = cohort.muni.copy()
    moving = np.flatnonzero(move_day < n_days)
    if moving.size:
        weights = target_next / target_next.sum()
        national = moving[~same_region[moving]]
        new_muni[national] = rng.choice(weights.shape[0], size=national.size, p=weights)
        local = moving[same_region[moving]]
        local_region = world.muni_region[cohort.muni[local]]
        for r in range(len(world.regions)):
            chosen = local[local_region == r]
            if not chosen.size:
                continue
            options = np.flatnonzero(world.muni_region == r)
            cum = np.cumsum(target_next[options])
            pick = np.searchsorted(cum / cum[-1], rng.random(chosen.size), side="right")
            new_muni[chosen] = options[np.minimum(pick, options.size - 1)]
    moved = new_muni != cohort.muni
    move_day = np.where(moved, move_day, n_days)
    new_unit = np.where(moved, _centre(world, new_muni, rng), cohort.unit)
    # births: per municipality, among those alive at the start
    alive_counts = np.bincount(cohort.muni, minlength=len(world.municipalities))
    births = rng.binomial(alive_counts, rates.BIRTH_RATE)
    baby_muni = np.repeat(np.arange(births.shape[0], dtype=np.int64), births)
    baby_day = rng.integers(0, n_days, baby_muni.shape[0])
    babies = _new_people(world, baby_muni, np.zeros(baby_muni.shape[0], dtype=np.int64),
                         jan1 + baby_day, rng, cohort.next_id)
    # immigrants fill the gap to the year-end target
    end_counts = np.bincount(new_muni[~died], minlength=len(world.municipalities)) + births
    gap = np.maximum(0, world.targets[year] - end_counts)
    imm_muni, imm_age = _ages(world, gap, scale, rng, young=True)
    imm_day = rng.integers(0, n_days, imm_muni.shape[0])
    imm_birth = jan1 + imm_day - np.round(imm_age * 365.25).astype(np.int64) - rng.integers(
        1, 365, imm_muni.shape[0])
    immigrants = _new_people(world, imm_muni, imm_age, imm_birth, rng, babies.next_id)
    everyone = Cohort(
        pid=np.concatenate([cohort.pid, babies.pid, immigrants.pid]),
        birth=np.concatenate([cohort.birth, babies.birth, immigrants.birth]),
        male=np.concatenate([cohort.male, babies.male, immigrants.male]),
        muni=np.concatenate([cohort.muni, babies.muni, immigrants.muni]),
        unit=np.concatenate([cohort.unit, babies.unit, immigrants.unit]),
        u=np.concatenate([cohort.u, babies.u, immigrants.u]),
        next_id=immigrants.next_id,
    )
    n_new = babies.size + immigrants.size
    zeros = np.zeros(n_new, dtype=np.int64)
    entry = np.concatenate([np.zeros(n, dtype=np.int64), baby_day, imm_day])
    all_died = np.concatenate([died, np.zeros(n_new, dtype=bool)])
    last = np.where(all_died, np.concatenate([death_day, zeros]), n_days - 1)
    last = np.maximum(last, entry)
    state = YearState(
        year=year,
        entry=entry,
        last=last,
        died=all_died,
        muni_start=everyone.muni.copy(),
        muni_end=np.concatenate([new_muni, babies.muni, immigrants.muni]),
        move=np.concatenate([move_day, np.full(n_new, n_days, dtype=np.int64)]),
        unit_start=everyone.unit.copy(),
        unit_end=np.concatenate([new_unit, babies.unit, immigrants.unit]),
    )
    return everyone, state


def survivors(cohort: Cohort, state: YearState) -> Cohort:
    """The cohort on 1 January of the next year: the living, at their year-end residence."""
    moved = Cohort(cohort.pid, cohort.birth, cohort.male, state.muni_end, state.unit_end,
                   cohort.u, cohort.next_id)
    return moved.take(~state.died)
