"""Small builders for hand-written register rows (defaults keep fixtures short)."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable
from typing import Any

from naravard.indicators.data import RegisterData, table_from_rows

D = dt.date
Row = dict[str, Any]


def person(pid: int, sex: str, birth: dt.date, muni: str = "0114", year: int = 2023,
           death: dt.date | None = None) -> Row:
    return {"year": year, "person_id": pid, "sex": sex, "birth_date": birth,
            "death_date": death, "municipality_code": muni}


def pop(muni: str, sex: str, age: int, count: int, year: int = 2023) -> Row:
    return {"year": year, "municipality_code": muni, "sex": sex, "age": age, "count": count}


def episode(eid: int, pid: int, adm: dt.date, dis: dt.date, diag: str = "I509",
            planned: bool = False, frm: str = "home", to: str = "home", mvo: str = "101",
            muni: str = "0114", region: str = "01", unit: str = "H01",
            other: list[str] | None = None) -> Row:
    return {"year": dis.year, "episode_id": eid, "person_id": pid, "care_unit_id": unit,
            "region_code": region, "residence_municipality": muni, "admission_date": adm,
            "discharge_date": dis, "planned": planned, "admitted_from": frm,
            "discharged_to": to, "mvo": mvo, "main_diagnosis": diag,
            "other_diagnoses": other or []}


def contact(cid: int, pid: int, day: dt.date, level: str = "primary", prof: str = "doctor",
            clin: str | None = "C1", mode: str = "physical", unit: str = "VC1",
            muni: str = "0114", region: str = "01") -> Row:
    return {"year": day.year, "contact_id": cid, "person_id": pid, "contact_date": day,
            "residence_municipality": muni, "region_code": region, "care_unit_id": unit,
            "care_level": level, "profession": prof, "clinician_id": clin, "mode": mode,
            "main_diagnosis": None}


def unit(uid: str, muni: str = "0114", kind: str = "health_centre",
         ownership: str = "public") -> Row:
    return {"care_unit_id": uid, "name": f"Unit {uid}", "region_code": muni[:2],
            "municipality_code": muni, "kind": kind, "ownership": ownership}


def listing(pid: int, uid: str, start: dt.date, end: dt.date, doctor: str | None = None,
            contact_id: str | None = None) -> Row:
    return {"year": start.year, "person_id": pid, "care_unit_id": uid, "valid_from": start,
            "valid_to": end, "named_doctor_id": doctor, "named_care_contact_id": contact_id}


def mhc(pid: int, month: int, special: bool, muni: str = "0114", year: int = 2023,
        home: bool = False) -> Row:
    return {"year": year, "person_id": pid, "municipality_code": muni, "month": month,
            "special_housing": special, "home_health_care": home}


def assessment(cid: int, sex: str, contact_day: dt.date, assessed: dt.date | None,
               prof: str = "doctor", chose_later: bool = False, unit_id: str = "VC1",
               region: str = "01") -> Row:
    return {"year": contact_day.year, "case_id": cid, "sex": sex, "region_code": region,
            "care_unit_id": unit_id, "contact_date": contact_day, "assessment_date": assessed,
            "profession": prof, "patient_chose_later": chose_later}


def cost(region: str, level: str, sek: int, year: int = 2023, funder: str = "region") -> Row:
    return {"year": year, "region_code": region, "funder": funder, "care_level": level,
            "cost_sek": sek}


def data(**tables: list[Row]) -> RegisterData:
    """Register data from lists of rows keyed by table name."""
    return RegisterData.from_tables(
        {name: table_from_rows(name, rows) for name, rows in tables.items()}
    )


def race(work: Callable[[int], None], threads: int = 8) -> list[BaseException]:
    """Run ``work(0)`` … ``work(threads - 1)`` in threads started together, switching between
    them as often as Python can; what any of them raised."""
    failures: list[BaseException] = []
    start = threading.Barrier(threads)

    def run(seed: int) -> None:
        start.wait()
        try:
            work(seed)
        except BaseException as exc:  # reported to the caller
            failures.append(exc)

    running = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in running:
            t.start()
        for t in running:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    return failures
