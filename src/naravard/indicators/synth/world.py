"""The fixed frame of a synthetic run: municipalities, population targets, regions, care units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from naravard.indicators.synth import rates
from naravard.reference.organisations import OrgKind, shipped_organisations
from naravard.reference.population import closest_date, shipped_dates, shipped_population


@dataclass(frozen=True)
class World:
    """Municipalities, their targets per year, region factors and care units."""

    municipalities: tuple[str, ...]          # codes, sorted
    muni_region: NDArray[np.int64]            # region index per municipality
    regions: tuple[str, ...]                  # region codes, sorted
    targets: dict[int, NDArray[np.int64]]     # year → scaled population on 31 December
    continuity: NDArray[np.float64]           # region factors in [0, 1]
    distance: NDArray[np.float64]
    named: NDArray[np.float64]
    readmission: NDArray[np.float64]
    waits: NDArray[np.float64]
    costs: NDArray[np.float64]
    unit_ids: tuple[str, ...]                 # every care unit
    unit_muni: NDArray[np.int64]              # municipality index per unit
    unit_kind: tuple[str, ...]
    centre_first: NDArray[np.int64]           # first health-centre unit index per municipality
    centre_count: NDArray[np.int64]           # number of health centres per municipality
    doctor_first: NDArray[np.int64]           # per unit: first doctor number
    doctor_count: NDArray[np.int64]
    nurse_first: NDArray[np.int64]
    nurse_count: NDArray[np.int64]
    hospital: NDArray[np.int64]               # per region: main hospital unit index
    hospital_b: NDArray[np.int64]             # per region: second hospital (transfers)
    emergency: NDArray[np.int64]              # per region: emergency department unit index

    def region_of_unit(self, unit: NDArray[np.int64]) -> NDArray[np.int64]:
        """Region index of each unit."""
        return np.asarray(self.muni_region[self.unit_muni[unit]], dtype=np.int64)


def _targets(municipalities: Sequence[str], years: Sequence[int],
             scale: float) -> dict[int, NDArray[np.int64]]:
    counts = shipped_population()
    dates = shipped_dates()
    out: dict[int, NDArray[np.int64]] = {}
    for year in sorted({*years, min(years) - 1}):
        day = closest_date(dates, dt.date(year, 12, 31))
        totals = {c.org_code: c.count for c in counts if c.ref_date == day and c.sex == "T"}
        out[year] = np.array([max(1, round(totals[m] * scale)) for m in municipalities],
                             dtype=np.int64)
    return out


def build_world(scale: float, years: Sequence[int], rng: np.random.Generator) -> World:
    """The frame for ``years`` at ``scale``; region factors drawn from ``rng``."""
    orgs = shipped_organisations()
    munis = tuple(sorted(o.code for o in orgs if o.kind is OrgKind.MUNICIPALITY))
    regions = tuple(sorted(o.code for o in orgs if o.kind is OrgKind.REGION))
    region_index = {r: i for i, r in enumerate(regions)}
    muni_region = np.array([region_index[m[:2]] for m in munis], dtype=np.int64)
    targets = _targets(munis, years, scale)
    first_target = targets[min(targets)]
    factors = rng.random((6, len(regions)))
    unit_ids: list[str] = []
    unit_muni: list[int] = []
    unit_kind: list[str] = []
    centre_first = np.zeros(len(munis), dtype=np.int64)
    centre_count = np.zeros(len(munis), dtype=np.int64)
    doctors: list[int] = []
    nurses: list[int] = []
    for m, code in enumerate(munis):
        n = max(1, round(first_target[m] / rates.LISTED_PER_HEALTH_CENTRE))
        centre_first[m], centre_count[m] = len(unit_ids), n
        listed = first_target[m] / n
        for k in range(n):
            unit_ids.append(f"VC{code}{k + 1:02d}")
            unit_muni.append(m)
            unit_kind.append("health_centre")
            doctors.append(max(3, round(listed * rates.DOCTORS_PER_LISTED)))
            nurses.append(max(3, round(listed * rates.NURSES_PER_LISTED)))
    hospital = np.zeros(len(regions), dtype=np.int64)
    hospital_b = np.zeros(len(regions), dtype=np.int64)
    emergency = np.zeros(len(regions), dtype=np.int64)
    for r, code in enumerate(regions):
        seat = int(np.flatnonzero(muni_region == r)[np.argmax(first_target[muni_region == r])])
        for kind, prefix, store in (("hospital", "SH", hospital), ("hospital", "SB", hospital_b),
                                    ("emergency_department", "AK", emergency)):
            store[r] = len(unit_ids)
            unit_ids.append(f"{prefix}{code}")
            unit_muni.append(seat)
            unit_kind.append(kind)
            doctors.append(0)
            nurses.append(0)
    doctor_count = np.array(doctors, dtype=np.int64)
    nurse_count = np.array(nurses, dtype=np.int64)
    return World(
        municipalities=munis,
        muni_region=muni_region,
        regions=regions,
        targets=targets,
        continuity=factors[0],
        distance=factors[1],
        named=factors[2],
        readmission=factors[3],
        waits=factors[4],
        costs=factors[5],
        unit_ids=tuple(unit_ids),
        unit_muni=np.array(unit_muni, dtype=np.int64),
        unit_kind=tuple(unit_kind),
        centre_first=centre_first,
        centre_count=centre_count,
        doctor_first=np.concatenate([[0], np.cumsum(doctor_count)[:-1]]).astype(np.int64),
        doctor_count=doctor_count,
        nurse_first=np.concatenate([[0], np.cumsum(nurse_count)[:-1]]).astype(np.int64),
        nurse_count=nurse_count,
        hospital=hospital,
        hospital_b=hospital_b,
        emergency=emergency,
    )
