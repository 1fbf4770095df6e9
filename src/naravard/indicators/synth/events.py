"""Events of one chunk of persons in one year, as Arrow tables ready to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from naravard.indicators.schema import table as spec
from naravard.indicators.synth import rates
from naravard.indicators.synth.cohort import (
    U_CONDITIONS,
    U_DOCTOR,
    U_HOME_CARE,
    U_LISTED,
    U_NAMED,
    U_NURSE,
    U_SPECIAL,
    Cohort,
    YearState,
    age_at,
    days_in,
    year_start,
)
from naravard.indicators.synth.world import World

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

DOCTOR_BASE, NURSE_BASE, OTHER_BASE = 1_000_000, 2_000_000, 3_000_000
CODES = rates.GENERAL_DIAGNOSES + tuple(c for name in rates.CONDITIONS
                                        for c in rates.CHRONIC_CODES[name])
CHRONIC_FIRST = {name: CODES.index(rates.CHRONIC_CODES[name][0]) for name in rates.CONDITIONS}
MVO = np.array(["931" if c.startswith("F") else "311" if c.startswith("S") else "101"
                for c in CODES])
PROFESSIONS = tuple(rates.PROFESSION_MIX)
PROFESSION_P = np.array([rates.PROFESSION_MIX[p] for p in PROFESSIONS])
DOCTOR, NURSE = PROFESSIONS.index("doctor"), PROFESSIONS.index("nurse")
MODES = ("physical", "video", "phone", "letter")
ADMITTED = ("home", "other_hospital", "special_housing", "other")
DISCHARGED = ("home", "transfer", "special_housing", "death", "other")
ASSESSORS = tuple(rates.ASSESSMENT_PROFESSIONS)
ASSESSOR_P = np.array([rates.ASSESSMENT_PROFESSIONS[p] for p in ASSESSORS])


@dataclass
class Counters:
    """Running ids, so that ids are unique across chunks and years."""

    episode: int = 1
    contact: int = 1
    case: int = 1

    def take(self, name: str, n: int) -> IntArray:
        """``n`` fresh ids for ``name``."""
        first = int(getattr(self, name))
        setattr(self, name, first + n)
        return np.arange(first, first + n, dtype=np.int64)


@dataclass
class Names:
    """Arrow dictionaries for codes stored as text."""

    munis: pa.Array
    regions: pa.Array
    units: pa.Array
    extra: dict[str, pa.Array] = field(default_factory=dict)

    @classmethod
    def of(cls, world: World) -> Names:
        """Dictionaries of ``world``."""
        return cls(pa.array(world.municipalities), pa.array(world.regions),
                   pa.array(world.unit_ids))

    def words(self, values: tuple[str, ...]) -> pa.Array:
        """A cached dictionary of ``values``."""
        key = "|".join(values)
        if key not in self.extra:
            self.extra[key] = pa.array(values)
        return self.extra[key]


def text(index: IntArray, names: pa.Array, mask: BoolArray | None = None) -> pa.Array:
    """Strings ``names[index]`` (null where ``mask``)."""
    idx = pa.array(index.astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, names).cast(pa.string())


def dates(jan1: int, day: IntArray, mask: BoolArray | None = None) -> pa.Array:
    """Dates from day numbers within the year starting on day ``jan1`` (days since 1970)."""
    return pa.array((jan1 + day).astype(np.int32), mask=mask).cast(pa.date32())


def ids(numbers: IntArray, mask: BoolArray | None = None) -> pa.Array:
    """Numeric ids as text."""
    return pa.array(numbers, mask=mask).cast(pa.string())


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = spec(name).file_schema()
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def _reorder(order: IntArray, *arrays: NDArray[Any]) -> list[NDArray[Any]]:
    """Each array in ``order``."""
    return [a[order] for a in arrays]


def _uniform_day(rng: np.random.Generator, lo: IntArray, hi: IntArray) -> IntArray:
    return np.asarray(lo + (rng.random(lo.shape[0]) * (hi - lo + 1)).astype(np.int64),
                      dtype=np.int64)


@dataclass
class ChunkOutput:
    """Tables of one chunk, by table name and partition year."""

    tables: dict[tuple[str, int], list[pa.Table]] = field(default_factory=dict)

    def add(self, name: str, year: int, table: pa.Table) -> None:
        """Add rows for ``name`` in partition ``year``."""
        if table.num_rows:
            self.tables.setdefault((name, year), []).append(table)


class ChunkGenerator:
    """Generates every table's rows for a slice of the cohort in one year."""

    def __init__(self, world: World, names: Names, cohort: Cohort, state: YearState,
                 rows: IntArray, rng: np.random.Generator, counters: Counters,
                 next_year_open: bool) -> None:
        self.w, self.names, self.c, self.s = world, names, cohort, state
        self.rows, self.rng, self.counters = rows, rng, counters
        self.year = state.year
        self.n_days = days_in(self.year)
        self.jan1 = year_start(self.year)
        self.next_open = next_year_open
        self.age = age_at(cohort.birth[rows], self.jan1 + 182)
        self.entry = state.entry[rows]
        self.last = state.last[rows]
        self.died = state.died[rows]
        self.frac = (self.last - self.entry + 1) / self.n_days
        self.u = cohort.u[rows].astype(np.float64) / 65_536.0
        self.cond = np.stack([
            self.u[:, U_CONDITIONS[k]] < rates.band_lookup(
                rates.PREVALENCE_BANDS, rates.PREVALENCE[name], self.age)
            for k, name in enumerate(rates.CONDITIONS)], axis=1)
        self.special = self.u[:, U_SPECIAL] < rates.band_lookup(
            rates.MHC_BANDS, rates.SPECIAL_HOUSING, self.age)
        self.home_care = ~self.special & (self.u[:, U_HOME_CARE] < rates.band_lookup(
            rates.MHC_BANDS, rates.HOME_HEALTH_CARE, self.age))
        region_end = world.muni_region[state.muni_end[rows]]
        named_p = np.array([rates.named_doctor_probability(self.year, f) for f in world.named])
        self.listed = self.u[:, U_LISTED] < rates.LISTED_SHARE
        self.named = self.listed & np.where(
            self.special, self.u[:, U_NAMED] < rates.NAMED_DOCTOR_SPECIAL_HOUSING,
            self.u[:, U_NAMED] < named_p[region_end])
        self.out = ChunkOutput()

    # --- helpers -----------------------------------------------------------------------------

    def _repeat(self, counts: IntArray) -> tuple[IntArray, IntArray]:
        """(local person index, day) for ``counts`` events per person, on days alive."""
        local = np.repeat(np.arange(self.rows.shape[0], dtype=np.int64), counts)
        return local, _uniform_day(self.rng, self.entry[local], self.last[local])

    def _usual(self, unit: IntArray, local: IntArray, first: IntArray, count: IntArray,
               column: int) -> IntArray:
        return np.asarray(first[unit] + (self.u[local, column] * count[unit]).astype(np.int64),
                          dtype=np.int64)

    # --- tables ------------------------------------------------------------------------------

    def persons(self) -> None:
        rows, c, s = self.rows, self.c, self.s
        self.out.add("persons", self.year, _table("persons", {
            "person_id": pa.array(c.pid[rows]),
            "sex": text(c.male[rows].astype(np.int64), self.names.words(("K", "M"))),
            "birth_date": pa.array(c.birth[rows].astype(np.int32)).cast(pa.date32()),
            "death_date": dates(self.jan1, self.last, mask=~self.died),
            "municipality_code": text(s.muni_end[rows], self.names.munis),
        }))

    def contacts(self) -> None:
        rng, w, s = self.rng, self.w, self.s
        any_cond = self.cond.any(axis=1)
        # primary care
        rate = rates.band_lookup(rates.PRIMARY_BANDS, rates.PRIMARY_RATE, self.age) + (
            rates.PRIMARY_CHRONIC_EXTRA * any_cond)
        local, day = self._repeat(rng.poisson(rate * self.frac))
        n = int(local.shape[0])
        person = self.rows[local]
        unit = s.unit_on(person, day)
        region = w.region_of_unit(unit)
        prof = rng.choice(len(PROFESSIONS), size=n, p=PROFESSION_P)
        is_doc, is_nurse = prof == DOCTOR, prof == NURSE
        video = np.array([rates.video_share(self.year, f) for f in w.distance])[region]
        video = np.where(is_doc, video, video * 0.5)
        phone = np.where(is_doc, rates.PHONE_SHARE["doctor"],
                         np.where(is_nurse, rates.PHONE_SHARE["nurse"],
                                  rates.PHONE_SHARE["other"]))
        draw = rng.random(n)
        mode = np.where(draw < video, 1, np.where(draw < video + phone, 2, np.where(
            draw < video + phone + rates.LETTER_SHARE, 3, 0)))
        usual_p = np.array([rates.usual_doctor_probability(self.year, f)
                            for f in w.continuity])[region]
        usual_p = usual_p + rates.NAMED_DOCTOR_BONUS * self.named[local] + np.where(
            is_nurse, rates.NURSE_BONUS, 0.0)
        keep = rng.random(n) < usual_p
        doc = np.where(keep, self._usual(unit, local, w.doctor_first, w.doctor_count, U_DOCTOR),
                       w.doctor_first[unit] + (rng.random(n) * w.doctor_count[unit]).astype(
                           np.int64))
        nurse = np.where(keep, self._usual(unit, local, w.nurse_first, w.nurse_count, U_NURSE),
                         w.nurse_first[unit] + (rng.random(n) * w.nurse_count[unit]).astype(
                             np.int64))
        other = unit * 3 + rng.integers(0, 3, n)
        clinician = np.where(is_doc, DOCTOR_BASE + doc,
                             np.where(is_nurse, NURSE_BASE + nurse, OTHER_BASE + other))
        primary = (local, day, unit, prof, mode, clinician, np.zeros(n, dtype=np.int64))
        # emergency departments and specialist care at the residence region's hospital
        ed_local, ed_day = self._repeat(rng.poisson(
            rates.band_lookup(rates.ED_BANDS, rates.ED_RATE, self.age) * self.frac))
        ed_region = w.muni_region[s.residence(self.rows[ed_local], ed_day)]
        m = int(ed_local.shape[0])
        ed = (ed_local, ed_day, w.emergency[ed_region], np.full(m, DOCTOR), np.zeros(m,
              dtype=np.int64), np.zeros(m, dtype=np.int64), np.ones(m, dtype=np.int64))
        sp_local, sp_day = self._repeat(rng.poisson(
            rates.band_lookup(rates.SPECIALIST_BANDS, rates.SPECIALIST_RATE, self.age)
            * self.frac))
        k = int(sp_local.shape[0])
        sp_region = w.muni_region[s.residence(self.rows[sp_local], sp_day)]
        sp_draw = rng.random(k)
        specialist = (sp_local, sp_day, w.hospital[sp_region],
                      np.where(rng.random(k) < 0.7, DOCTOR, NURSE),
                      np.where(sp_draw < 0.03, 1, np.where(sp_draw < 0.15, 2, 0)),
                      np.zeros(k, dtype=np.int64), np.full(k, 2, dtype=np.int64))
        parts = [primary, ed, specialist]
        local = np.concatenate([p[0] for p in parts])
        day = np.concatenate([p[1] for p in parts])
        unit = np.concatenate([p[2] for p in parts])
        prof = np.concatenate([p[3] for p in parts])
        mode = np.concatenate([p[4] for p in parts])
        clinician = np.concatenate([p[5] for p in parts])
        level = np.concatenate([p[6] for p in parts])
        order = np.lexsort((local, day))
        (local, day, unit, prof, mode, clinician, level) = _reorder(
            order, local, day, unit, prof, mode, clinician, level)
        total = int(local.shape[0])
        person = self.rows[local]
        self.out.add("outpatient_contacts", self.year, _table("outpatient_contacts", {
            "contact_id": pa.array(self.counters.take("contact", total)),
            "person_id": pa.array(self.c.pid[person]),
            "contact_date": dates(self.jan1, day),
            "residence_municipality": text(s.residence(person, day), self.names.munis),
            "region_code": text(w.region_of_unit(unit), self.names.regions),
            "care_unit_id": text(unit, self.names.units),
            "care_level": text(level, self.names.words(("primary", "emergency", "specialist"))),
            "profession": text(prof, self.names.words(PROFESSIONS)),
            "clinician_id": ids(clinician, mask=level != 0),
            "mode": text(mode, self.names.words(MODES)),
            "main_diagnosis": pa.nulls(total, pa.string()),
        }))

    def inpatient(self) -> None:
        rng, w, s = self.rng, self.w, self.s
        old = self.age >= 65
        general_n = rng.poisson(rates.band_lookup(rates.INPATIENT_BANDS, rates.INPATIENT_RATE,
                                                  self.age) * self.frac)
        local, adm = self._repeat(general_n)
        size = int(local.shape[0])
        young_pick = rng.choice(len(rates.GENERAL_DIAGNOSES), size=local.shape[0],
                                p=rates.GENERAL_WEIGHTS_YOUNG / rates.GENERAL_WEIGHTS_YOUNG.sum())
        old_pick = rng.choice(len(rates.GENERAL_DIAGNOSES), size=local.shape[0],
                              p=rates.GENERAL_WEIGHTS_OLD / rates.GENERAL_WEIGHTS_OLD.sum())
        diag = np.where(old[local], old_pick, young_pick)
        planned_g: BoolArray = np.asarray(rng.random(size) < rates.PLANNED_GENERAL)
        parts: list[tuple[IntArray, IntArray, IntArray, BoolArray]] = [
            (local, adm, np.asarray(diag, dtype=np.int64), planned_g)]
        for k, name in enumerate(rates.CONDITIONS):
            counts = rng.poisson(rates.CHRONIC_ADMISSIONS[name] * self.cond[:, k] * self.frac)
            cl, cadm = self._repeat(counts)
            codes = rates.CHRONIC_CODES[name]
            cdiag = np.asarray(CODES.index(codes[0]) + rng.integers(0, len(codes), cl.shape[0]),
                               dtype=np.int64)
            parts.append((cl, cadm, cdiag,
                          np.asarray(rng.random(int(cl.shape[0])) < rates.PLANNED_CHRONIC)))
        # deaths in hospital end with a stay on the day of death
        dying = np.flatnonzero(self.died & (rng.random(int(self.rows.shape[0]))
                                            < rates.IN_HOSPITAL_DEATH))
        death_diag = rng.choice(len(rates.GENERAL_DIAGNOSES), size=dying.shape[0],
                                p=rates.GENERAL_WEIGHTS_OLD / rates.GENERAL_WEIGHTS_OLD.sum())
        local = np.concatenate([p[0] for p in parts] + [dying])
        adm = np.concatenate([p[1] for p in parts] + [self.last[dying]])
        diag = np.concatenate([p[2] for p in parts] + [death_diag])
        planned = np.concatenate([p[3] for p in parts] + [np.zeros(dying.shape[0], bool)])
        n = int(local.shape[0])
        mean = np.where(old[local], rates.MEAN_STAY_OLD, rates.MEAN_STAY_YOUNG)
        stay = rng.geometric(1.0 / (mean + 1.0)) - 1
        is_death = np.zeros(n, dtype=bool)
        is_death[n - dying.shape[0]:] = True
        adm = np.where(is_death, np.maximum(self.entry[local], adm - stay), adm)
        limit = np.where(self.died[local], self.last[local],
                         self.n_days + 300 if self.next_open else self.n_days - 1)
        dis = np.where(is_death, self.last[local], np.minimum(adm + stay, limit))
        frm = np.where(self.special[local], 2, 0)
        to = np.where(is_death, 3, np.where(self.special[local], 2,
                                            np.where(rng.random(n) < 0.05, 4, 0)))
        hospital = w.hospital[w.muni_region[s.residence(self.rows[local], adm)]]
        elsewhere = rng.random(n) < rates.OTHER_REGION_SHARE
        hospital = np.where(elsewhere, w.hospital[rng.integers(0, len(w.regions), n)], hospital)
        # transfers: a follow-on stay admitted on the discharge day at another hospital
        moves = (~is_death) & (dis < self.n_days) & (rng.random(n) < rates.TRANSFER_SHARE)
        t = np.flatnonzero(moves)
        to = np.where(moves, 1, to)
        t_stay = rng.geometric(1.0 / (rates.MEAN_STAY_OLD + 1.0), t.shape[0]) - 1
        t_local, t_adm = local[t], dis[t]
        t_dis = np.minimum(t_adm + t_stay, limit[t])
        t_to = np.where(self.special[t_local], 2, 0)
        t_hospital = w.hospital_b[w.region_of_unit(hospital[t])]
        end = dis.copy()
        end[t] = t_dis
        # readmissions after unplanned stays at 65+
        readm_p = np.array([rates.readmission_rate(f) for f in w.readmission])
        region_idx = w.region_of_unit(hospital)
        cand = (~planned) & (~is_death) & old[local] & (
            rng.random(n) < readm_p[region_idx])
        gap = rng.geometric(0.07, n)
        r_adm_all = end + gap
        ok = cand & (gap <= 40) & (r_adm_all <= self.last[local]) & (r_adm_all < self.n_days)
        r = np.flatnonzero(ok)
        r_local, r_adm = local[r], r_adm_all[r]
        r_stay = rng.geometric(1.0 / (rates.MEAN_STAY_OLD + 1.0), r.shape[0]) - 1
        r_dis = np.minimum(r_adm + r_stay, limit[r])
        r_diag = np.where(rng.random(r.shape[0]) < 0.4, diag[r], rng.choice(
            len(rates.GENERAL_DIAGNOSES), size=r.shape[0],
            p=rates.GENERAL_WEIGHTS_OLD / rates.GENERAL_WEIGHTS_OLD.sum()))
        all_local = np.concatenate([local, t_local, r_local])
        all_adm = np.concatenate([adm, t_adm, r_adm])
        all_dis = np.concatenate([dis, t_dis, r_dis])
        all_diag = np.concatenate([diag, diag[t], r_diag])
        all_planned = np.concatenate([planned, np.zeros(t.shape[0] + r.shape[0], bool)])
        all_frm = np.concatenate([frm, np.ones(t.shape[0], dtype=np.int64), frm[r]])
        all_to = np.concatenate([to, t_to, np.where(self.special[r_local], 2, 0)])
        all_unit = np.concatenate([hospital, t_hospital,
                                   w.hospital[w.muni_region[s.residence(self.rows[r_local],
                                                                        r_adm)]]])
        self._write_episodes(all_local, all_adm, all_dis, all_diag, all_planned, all_frm,
                             all_to, all_unit)

    def _write_episodes(self, local: IntArray, adm: IntArray, dis: IntArray, diag: IntArray,
                        planned: BoolArray, frm: IntArray, to: IntArray, unit: IntArray) -> None:
        s, w = self.s, self.w
        order = np.lexsort((adm, local))
        (local, adm, dis, diag, planned, frm, to, unit) = _reorder(
            order, local, adm, dis, diag, planned, frm, to, unit)
        n = int(local.shape[0])
        person = self.rows[local]
        # secondary diagnoses: the person's other chronic conditions
        has = self.cond[local].copy()
        for k, name in enumerate(rates.CONDITIONS):
            has[:, k] &= ~np.isin(diag, [CODES.index(c) for c in rates.CHRONIC_CODES[name]])
        counts = has.sum(axis=1)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        flat = np.nonzero(has)[1]
        values = text(np.array([CHRONIC_FIRST[rates.CONDITIONS[k]] for k in flat],
                               dtype=np.int64), self.names.words(CODES))
        other = pa.ListArray.from_arrays(pa.array(offsets), values)
        episode_ids = self.counters.take("episode", n)
        for year, in_year in ((self.year, dis < self.n_days), (self.year + 1, dis >= self.n_days)):
            sel = np.flatnonzero(in_year)
            if not sel.size:
                continue
            self.out.add("inpatient_episodes", year, _table("inpatient_episodes", {
                "episode_id": pa.array(episode_ids[sel]),
                "person_id": pa.array(self.c.pid[person[sel]]),
                "care_unit_id": text(unit[sel], self.names.units),
                "region_code": text(w.region_of_unit(unit[sel]), self.names.regions),
                "residence_municipality": text(s.residence(person[sel], adm[sel]),
                                               self.names.munis),
                "admission_date": dates(self.jan1, adm[sel]),
                "discharge_date": dates(self.jan1, dis[sel]),
                "planned": pa.array(planned[sel]),
                "admitted_from": text(frm[sel], self.names.words(ADMITTED)),
                "discharged_to": text(to[sel], self.names.words(DISCHARGED)),
                "mvo": text(diag[sel], pa.array(MVO)),
                "main_diagnosis": text(diag[sel], self.names.words(CODES)),
                "other_diagnoses": other.take(pa.array(sel)),
            }))

    def listings(self) -> None:
        s, w = self.s, self.w
        listed = np.flatnonzero(self.listed)
        moved = listed[s.move[self.rows[listed]] < self.n_days]
        end = np.where(self.died, self.last + 1, self.n_days)
        local = np.concatenate([listed, moved])
        person = self.rows[local]
        first_part = np.arange(local.shape[0]) >= listed.shape[0]
        is_moved = np.isin(local, moved)
        start = np.where(first_part, s.move[person], self.entry[local])
        stop = np.where(is_moved & ~first_part, s.move[person], end[local])
        unit = np.where(first_part | ~is_moved, s.unit_end[person], s.unit_start[person])
        doctor = self._usual(unit, local, w.doctor_first, w.doctor_count, U_DOCTOR)
        nurse = self._usual(unit, local, w.nurse_first, w.nurse_count, U_NURSE)
        care_contact = (self.age[local] >= 75) | self.cond[local].any(axis=1)
        order = np.lexsort((start, local))
        (local, person, start, stop, unit, doctor, nurse, care_contact) = _reorder(
            order, local, person, start, stop, unit, doctor, nurse, care_contact)
        self.out.add("listings", self.year, _table("listings", {
            "person_id": pa.array(self.c.pid[person]),
            "care_unit_id": text(unit, self.names.units),
            "valid_from": dates(self.jan1, start),
            "valid_to": dates(self.jan1, stop),
            "named_doctor_id": ids(DOCTOR_BASE + doctor, mask=~self.named[local]),
            "named_care_contact_id": ids(NURSE_BASE + nurse, mask=~care_contact),
        }))

    def municipal_care(self) -> None:
        month_of = (np.datetime64(f"{self.year}-01-01") + np.arange(self.n_days)).astype(
            "datetime64[M]").astype(np.int64) % 12 + 1
        who = np.flatnonzero(self.special | self.home_care)
        first, last = month_of[self.entry[who]], month_of[self.last[who]]
        counts = last - first + 1
        local = np.repeat(who, counts)
        offset = np.arange(local.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
        month = np.repeat(first, counts) + offset
        person = self.rows[local]
        self.out.add("municipal_health_care", self.year, _table("municipal_health_care", {
            "person_id": pa.array(self.c.pid[person]),
            "municipality_code": text(self.s.muni_end[person], self.names.munis),
            "month": pa.array(month.astype(np.int8)),
            "special_housing": pa.array(self.special[local]),
            "home_health_care": pa.array(self.home_care[local]),
        }))

    def assessments(self) -> None:
        rng, w = self.rng, self.w
        local, day = self._repeat(rng.poisson(rates.ASSESSMENTS_PER_PERSON * self.frac))
        n = int(local.shape[0])
        person = self.rows[local]
        unit = self.s.unit_on(person, day)
        region = w.region_of_unit(unit)
        p = np.array([rates.same_day_probability(f) for f in w.waits])[region]
        wait = rng.geometric(p) - 1
        chose = rng.random(n) < rates.PATIENT_CHOSE_LATER
        wait = np.where(chose, wait + rng.integers(7, 21, n), wait)
        missing = rng.random(n) < rates.NOT_COMPLETED
        order = np.lexsort((local, day))
        (local, day, unit, region, wait, chose, missing, person) = _reorder(
            order, local, day, unit, region, wait, chose, missing, person)
        self.out.add("assessments", self.year, _table("assessments", {
            "case_id": pa.array(self.counters.take("case", n)),
            "sex": text(self.c.male[person].astype(np.int64), self.names.words(("K", "M"))),
            "region_code": text(region, self.names.regions),
            "care_unit_id": text(unit, self.names.units),
            "contact_date": dates(self.jan1, day),
            "assessment_date": dates(self.jan1, day + wait, mask=missing),
            "profession": text(rng.choice(len(ASSESSORS), size=n, p=ASSESSOR_P),
                               self.names.words(ASSESSORS)),
            "patient_chose_later": pa.array(chose),
        }))

    def run(self) -> ChunkOutput:
        """Every table for the chunk."""
        self.persons()
        self.inpatient()
        self.contacts()
        self.listings()
        self.municipal_care()
        self.assessments()
        return self.out
