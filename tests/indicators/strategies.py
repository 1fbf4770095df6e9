"""Hypothesis strategies: random but valid register data over a few real municipalities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from naravard.indicators.data import RegisterData, table_from_rows

from .helpers import assessment, contact, cost, episode, listing, mhc, person, pop, unit

YEARS = (2022, 2023)
MUNIS = ("0114", "0180", "1280", "2584")
UNITS = {"VC1": "0114", "VC2": "1280", "VC3": "0180"}
DIAGNOSES = ("I509", "I110", "J441", "J459", "E119", "J189", "S720", "N390", "K359")
CLINICIANS = ("C1", "C2", "C3", "C4")
PROFESSIONS = ("doctor", "doctor", "nurse", "physiotherapist", "other")


def _day(draw: Any, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))


@st.composite
def register_data(draw: Any) -> RegisterData:
    """Persons over two years (moves, deaths, leap-day births), events that reference them."""
    n = draw(st.integers(1, 7))
    persons: list[dict[str, Any]] = []
    alive_years: dict[int, list[int]] = {}
    for pid in range(1, n + 1):
        sex = draw(st.sampled_from("KM"))
        birth = draw(st.sampled_from([dt.date(1940, 2, 29), dt.date(1958, 1, 3),
                                      dt.date(2003, 12, 31)])) if draw(st.booleans()) else (
            dt.date(1925, 1, 1) + dt.timedelta(days=draw(st.integers(0, 30000))))
        death_year = draw(st.sampled_from([None, None, 2022, 2023]))
        years = [y for y in YEARS if death_year is None or y <= death_year]
        alive_years[pid] = years
        for y in years:
            death = _day(draw, y) if y == death_year else None
            persons.append(person(pid, sex, birth, muni=draw(st.sampled_from(MUNIS)), year=y,
                                  death=death))
    population = [
        pop(m, s, draw(st.integers(0, 100)), draw(st.integers(0, 40)), year=y)
        for y in YEARS for m in MUNIS for s in "KM" if draw(st.booleans())
    ]
    population = list({(r["year"], r["municipality_code"], r["sex"], r["age"]): r
                        for r in population}.values())
    pids = st.sampled_from(sorted(alive_years))
    episodes = []
    for _ in range(draw(st.integers(0, 4))):
        pid = draw(pids)
        dis = _day(draw, draw(st.sampled_from(alive_years[pid])))
        for _ in range(draw(st.integers(1, 4))):
            adm = dis - dt.timedelta(days=draw(st.integers(0, 6)))
            episodes.append(episode(
                len(episodes) + 1, pid, adm, dis, diag=draw(st.sampled_from(DIAGNOSES)),
                planned=draw(st.booleans()),
                frm=draw(st.sampled_from(["home", "other_hospital", "special_housing"])),
                to=draw(st.sampled_from(["home", "transfer", "death", "special_housing"])),
                mvo=draw(st.sampled_from(["101", "101", "931"])),
                muni=draw(st.sampled_from(MUNIS)),
                other=draw(st.lists(st.sampled_from(DIAGNOSES), max_size=2)),
            ))
            dis = dis + dt.timedelta(days=draw(st.integers(0, 35)))
            if dis.year not in alive_years[pid]:
                break
    contacts = []
    for _ in range(draw(st.integers(0, 6))):
        pid = draw(pids)
        year = draw(st.sampled_from(alive_years[pid]))
        for _ in range(draw(st.integers(1, 6))):
            day = _day(draw, year)
            level = draw(st.sampled_from(["primary", "primary", "primary", "emergency"]))
            uid = draw(st.sampled_from(sorted(UNITS))) if level == "primary" else "ED1"
            contacts.append(contact(
                len(contacts) + 1, pid, day, level=level,
                prof=draw(st.sampled_from(PROFESSIONS)), clin=draw(st.sampled_from(CLINICIANS)),
                mode=draw(st.sampled_from(["physical", "physical", "video", "phone", "letter"])),
                unit=uid, muni=draw(st.sampled_from(MUNIS)),
                region=UNITS.get(uid, "0180")[:2],
            ))
    listings = []
    for pid, years in alive_years.items():
        for y in years:
            if draw(st.booleans()):
                start = draw(st.sampled_from([dt.date(y, 1, 1), _day(draw, y)]))
                end = draw(st.sampled_from([dt.date(y + 1, 1, 1), dt.date(y, 12, 31)]))
                if end > start:
                    listings.append(listing(
                        pid, draw(st.sampled_from(sorted(UNITS))), start, end,
                        doctor=draw(st.sampled_from([None, "C1", "C2"]))))
    care = [mhc(pid, 12, draw(st.sampled_from([True, True, False])), year=y)
            for pid, years in alive_years.items() for y in years if draw(st.booleans())]
    cases = []
    for case_id in range(1, draw(st.integers(0, 10)) + 1):
        day = _day(draw, draw(st.sampled_from(YEARS)))
        done = None if draw(st.integers(0, 4)) == 0 else day + dt.timedelta(
            days=draw(st.integers(0, 6)))
        uid = draw(st.sampled_from(sorted(UNITS)))
        cases.append(assessment(case_id, draw(st.sampled_from("KM")), day, done,
                                prof=draw(st.sampled_from(PROFESSIONS)),
                                chose_later=draw(st.booleans()), unit_id=uid,
                                region=UNITS[uid][:2]))
    costs = [cost(r, lvl, draw(st.integers(0, 10**9)), year=y)
             for y in YEARS for r in ("01", "12")
             for lvl in ("primary_care", "specialised_somatic", "dental_care")]
    units = [unit(u, m) for u, m in UNITS.items()] + [
        unit("ED1", "0180", kind="emergency_department"), unit("H01", "0180", kind="hospital")]
    tables = {
        "persons": persons, "population": population, "inpatient_episodes": episodes,
        "outpatient_contacts": contacts, "care_units": units, "listings": listings,
        "municipal_health_care": care, "assessments": cases, "costs": costs,
    }
    return RegisterData.from_tables(
        {name: table_from_rows(name, rows) for name, rows in tables.items()})
