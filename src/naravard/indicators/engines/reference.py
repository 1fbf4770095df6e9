"""The reference engine: plain Python loops over rows, written to be read, for small data.

It states the semantics every other engine must reproduce; the hypothesis differential test
compares the DuckDB engine with it cell by cell.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from naravard.indicators.codelists import matches
from naravard.indicators.continuity import eligible, index_value
from naravard.indicators.data import RegisterData
from naravard.indicators.engines.base import Done, Progress, data_end, report_each
from naravard.indicators.plan import CELL_KEY, CELL_SCHEMA, CELL_SUMS, Plan, age_on
from naravard.indicators.standardise import group_of

Row = Mapping[str, Any]
CellKey = tuple[str, str, str, str, str, str, str]


@dataclass(frozen=True)
class Chain:
    """Inpatient episodes of one person merged across transfers."""

    chain_id: int
    person_id: int
    admission: dt.date
    discharge: dt.date
    planned: bool
    diagnosis: str
    other_diagnoses: tuple[str, ...]
    residence: str
    died: bool


def build_chains(episodes: Sequence[Row], gap: int, requires_code: bool,
                 mvo_excluded: tuple[str, ...]) -> list[Chain]:
    """Merge each person's episodes into chains.

    Episodes are ordered by (admission, discharge, episode id). An episode joins the current
    chain when it starts before the latest discharge so far (overlap), or at most ``gap`` days
    after it and, if ``requires_code``, the preceding episode ended in ``transfer`` or this one
    came ``other_hospital``. The chain takes planned status and diagnoses from its first episode,
    residence from its last, and died = any episode ended in death.
    """
    by_person: dict[int, list[Row]] = defaultdict(list)
    for e in episodes:
        if not any(str(e["mvo"]).startswith(p) for p in mvo_excluded):
            by_person[int(e["person_id"])].append(e)
    chains: list[Chain] = []
    for pid, eps in by_person.items():
        eps.sort(key=lambda e: (e["admission_date"], e["discharge_date"], e["episode_id"]))
        groups: list[list[Row]] = []
        max_dis: dt.date | None = None
        prev: Row | None = None
        for e in eps:
            joined = False
            if max_dis is not None and prev is not None:
                adm = e["admission_date"]
                if adm < max_dis or ((adm - max_dis).days <= gap and (
                    not requires_code
                    or prev["discharged_to"] == "transfer"
                    or e["admitted_from"] == "other_hospital"
                )):
                    joined = True
            if joined:
                groups[-1].append(e)
            else:
                groups.append([e])
            max_dis = e["discharge_date"] if max_dis is None else max(max_dis, e["discharge_date"])
            prev = e
        for g in groups:
            first, last = g[0], g[-1]
            chains.append(Chain(
                chain_id=int(first["episode_id"]),
                person_id=pid,
                admission=first["admission_date"],
                discharge=max(e["discharge_date"] for e in g),
                planned=bool(first["planned"]),
                diagnosis=str(first["main_diagnosis"]),
                other_diagnoses=tuple(first["other_diagnoses"] or ()),
                residence=str(last["residence_municipality"]),
                died=any(e["discharged_to"] == "death" for e in g),
            ))
    return chains


class _Cells:
    def __init__(self) -> None:
        self.sums: dict[CellKey, list[float]] = defaultdict(lambda: [0.0] * len(CELL_SUMS))

    def add(self, plan: Plan, period: str, level: str, code: str, sex: str, age_group: str,
            num: float, den: float, sq: float = 0.0, den_sq: float = 0.0,
            cross: float = 0.0) -> None:
        cell = self.sums[(plan.id, plan.variant, period, level, code, sex, age_group)]
        for i, v in enumerate((num, den, sq, den_sq, cross)):
            cell[i] += v

    def add_people(self, plan: Plan,
                   people: Mapping[tuple[int, str, str, int], Sequence[float]]) -> None:
        """Each person's numerator and denominator by (year, residence, sex, person) in the
        municipality's cell, with their squares and product (the sums of a share or rate whose
        units cluster in persons)."""
        for (year, residence, sex, _person), (num, den) in people.items():
            self.add(plan, str(year), "municipality", residence, sex, "", num, den, num * num,
                     den * den, num * den)

    def table(self) -> pa.Table:
        keys = sorted(self.sums)
        cols: dict[str, list[Any]] = {name: [] for name in CELL_SCHEMA.names}
        for key in keys:
            for name, text in zip(CELL_KEY, key, strict=True):
                cols[name].append(text)
            for name, value in zip(CELL_SUMS, self.sums[key], strict=True):
                cols[name].append(value)
        return pa.table(cols, schema=CELL_SCHEMA)


def _periods(plan: Plan, day: dt.date) -> Iterator[str]:
    if "year" in plan.definition.periods:
        yield str(day.year)
    if "month" in plan.definition.periods:
        yield f"{day.year}-{day.month:02d}"


class ReferenceEngine:
    """Pure-Python engine (tests, tiny data)."""

    name = "reference"

    def cells(self, data: RegisterData, plans: Sequence[Plan], years: Sequence[int],
              progress: Progress | None = None, done: Done | None = None) -> pa.Table:
        """Cells for ``plans`` in ``years``."""
        run = _Run(data, years)
        out = _Cells()
        for plan in plans:
            getattr(run, plan.kind)(plan, out)
            if progress is not None:
                progress(f"{plan.id}/{plan.variant}")
        cells = out.table()
        report_each(plans, cells, done)
        return cells


class _Run:
    def __init__(self, data: RegisterData, years: Sequence[int]) -> None:
        self.data = data
        self.years = set(years)
        self._rows: dict[str, list[Row]] = {}
        self._chains: dict[tuple[int, bool, tuple[str, ...]], list[Chain]] = {}

    def rows(self, name: str) -> list[Row]:
        if name not in self._rows:
            self._rows[name] = self.data.arrow(name).to_pylist() if self.data.has(name) else []
        return self._rows[name]

    def persons(self) -> dict[tuple[int, int], Row]:
        return {(int(p["year"]), int(p["person_id"])): p for p in self.rows("persons")}

    def units(self) -> dict[str, Row]:
        return {str(u["care_unit_id"]): u for u in self.rows("care_units")}

    def chains(self, plan: Plan) -> list[Chain]:
        key = plan.chain_key()
        if key not in self._chains:
            self._chains[key] = build_chains(self.rows("inpatient_episodes"), *key)
        return self._chains[key]

    def population(self, plan: Plan, out: _Cells, *, by_group: bool) -> None:
        d = plan.definition
        # the mean population: half of each year-end population in its year and the next
        shares = ((0, 0.5), (1, 0.5)) if plan.settings.get("population_basis") == "mean" \
            else ((0, 1.0),)
        for r in self.rows("population"):
            if not d.age.contains(int(r["age"])):
                continue
            group = (group_of(plan.groups, int(r["age"])) or "") if by_group else ""
            for later, share in shares:
                y = int(r["year"]) + later
                if y in self.years:
                    out.add(plan, str(y), "municipality", r["municipality_code"], r["sex"],
                            group, 0.0, float(r["count"]) * share)

    # --- kinds -------------------------------------------------------------------------------

    def avoidable_inpatient(self, plan: Plan, out: _Cells) -> None:
        s, d = plan.settings, plan.definition
        persons = self.persons()
        prefixes = plan.prefixes or ()
        for c in self.chains(plan):
            y = c.discharge.year
            if y not in self.years or (s["unplanned_only"] and c.planned):
                continue
            hit = matches(c.diagnosis, prefixes) or (
                s["use_secondary_diagnoses"] and any(matches(x, prefixes)
                                                     for x in c.other_diagnoses))
            if not hit:
                continue
            p = persons[(y, c.person_id)]
            age = age_on(p["birth_date"],
                         c.admission if s["age_reference"] == "admission" else c.discharge)
            if not d.age.contains(age):
                continue
            group = group_of(plan.groups, age) or ""
            out.add(plan, str(y), "municipality", c.residence, p["sex"], group, 1.0, 0.0)
        self.population(plan, out, by_group=True)

    def readmission(self, plan: Plan, out: _Cells) -> None:
        s, d = plan.settings, plan.definition
        persons = self.persons()
        death_any: dict[int, dt.date] = {}
        for p in self.rows("persons"):
            if p["death_date"] is not None:
                death_any[int(p["person_id"])] = p["death_date"]
        end = data_end(self.data)
        first, last = int(s["window_first_day"]), int(s["window_last_day"])
        chains = self.chains(plan)
        by_person: dict[int, list[Chain]] = defaultdict(list)
        for c in chains:
            by_person[c.person_id].append(c)
        # (readmitted, index stays) per person, year, residence and sex
        stays: dict[tuple[int, str, str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for c in chains:
            y = c.discharge.year
            if y not in self.years:
                continue
            p = persons[(y, c.person_id)]
            age = age_on(p["birth_date"],
                         c.admission if s["age_reference"] == "admission" else c.discharge)
            if not d.age.contains(age):
                continue
            death = p["death_date"]
            if s["exclude_death_in_stay"] and (c.died or (death is not None
                                                          and death <= c.discharge)):
                continue
            if plan.prefixes is not None and not matches(c.diagnosis, plan.prefixes):
                continue
            if s["incomplete_follow_up"] == "exclude" and (
                c.discharge + dt.timedelta(days=last) > end
            ):
                continue
            readmitted = any(
                o.chain_id != c.chain_id
                and first <= (o.admission - c.discharge).days <= last
                and not (s["readmission_unplanned_only"] and o.planned)
                for o in by_person[c.person_id]
            )
            if not readmitted and s["deaths_after_discharge"] == "exclude":
                dd = death_any.get(c.person_id)
                if dd is not None and 0 < (dd - c.discharge).days <= last:
                    continue
            found = stays[(y, c.residence, p["sex"], c.person_id)]
            found[0] += 1.0 if readmitted else 0.0
            found[1] += 1.0
        out.add_people(plan, stays)

    def emergency_visits(self, plan: Plan, out: _Cells) -> None:
        s, d = plan.settings, plan.definition
        persons = self.persons()
        # (visits, 0) per person, year, residence and sex
        visits: dict[tuple[int, str, str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for c in self.rows("outpatient_contacts"):
            day = c["contact_date"]
            if day.year not in self.years or c["care_level"] not in s["care_levels"]:
                continue
            p = persons[(day.year, int(c["person_id"]))]
            if not d.age.contains(age_on(p["birth_date"], day)):
                continue
            visits[(day.year, c["residence_municipality"], p["sex"], int(c["person_id"]))][0] += 1
        out.add_people(plan, visits)
        self.population(plan, out, by_group=False)

    def _visits(self, plan: Plan, modes: set[str]) -> Iterator[Row]:
        s = plan.settings
        for c in self.rows("outpatient_contacts"):
            if (c["contact_date"].year in self.years and c["care_level"] in s["care_levels"]
                    and c["profession"] in s["professions"] and c["mode"] in modes):
                yield c

    @staticmethod
    def _modes(plan: Plan) -> tuple[set[str], set[str]]:
        """(counted modes, remote modes) for the distance kinds."""
        s = plan.settings
        remote = set(s["remote_modes"]) | ({"phone"} if s["phone_counts"] else set())
        return set(s["visit_modes"]) | remote, remote

    def distance_share(self, plan: Plan, out: _Cells) -> None:
        d = plan.definition
        persons = self.persons()
        units = self.units()
        counted, remote = self._modes(plan)
        for c in self._visits(plan, counted):
            day = c["contact_date"]
            p = persons[(day.year, int(c["person_id"]))]
            if not d.age.contains(age_on(p["birth_date"], day)):
                continue
            unit = units[c["care_unit_id"]]
            num = 1.0 if c["mode"] in remote else 0.0
            for period in _periods(plan, day):
                out.add(plan, period, "municipality", unit["municipality_code"], p["sex"], "",
                        num, 1.0)
                if "care_unit" in d.areas:
                    out.add(plan, period, "care_unit", c["care_unit_id"], p["sex"], "", num, 1.0)

    def distance_offering(self, plan: Plan, out: _Cells) -> None:
        s = plan.settings
        units = self.units()
        counted, remote = self._modes(plan)
        tally: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        for c in self._visits(plan, counted):
            t = tally[(c["contact_date"].year, c["care_unit_id"])]
            t[0] += 1
            t[1] += 1 if c["mode"] in remote else 0
        for (year, uid), (visits, rem) in tally.items():
            unit = units[uid]
            if unit["kind"] not in s["unit_kinds"] or visits < int(s["min_visits"]):
                continue
            offers = 100.0 * rem >= float(s["min_share_percent"]) * visits
            out.add(plan, str(year), "municipality", unit["municipality_code"], "T", "",
                    1.0 if offers else 0.0, 1.0)

    def _listed_on(self, day: dt.date) -> dict[int, Row]:
        return {
            int(r["person_id"]): r
            for r in self.rows("listings")
            if r["valid_from"] <= day < r["valid_to"]
        }

    def named_doctor(self, plan: Plan, out: _Cells) -> None:
        s, d = plan.settings, plan.definition
        population = s["population"]
        for year in sorted(self.years):
            day = plan.reference_day(year)
            listed = self._listed_on(day)
            special = {
                int(r["person_id"])
                for r in self.rows("municipal_health_care")
                if int(r["year"]) == year and int(r["month"]) == int(s["special_housing_month"])
                and r["special_housing"]
            }
            for p in self.rows("persons"):
                if int(p["year"]) != year:
                    continue
                if p["death_date"] is not None and p["death_date"] <= day:
                    continue
                if not d.age.contains(age_on(p["birth_date"], day)):
                    continue
                pid = int(p["person_id"])
                spell = listed.get(pid)
                has_doctor = spell is not None and spell["named_doctor_id"] is not None
                if population == "listed" and spell is None:
                    continue
                if population == "special_housing" and pid not in special:
                    continue
                den = 0.0 if population == "whole" else 1.0
                out.add(plan, str(year), "municipality", p["municipality_code"], p["sex"], "",
                        1.0 if has_doctor else 0.0, den)
        if population == "whole":
            self.population(plan, out, by_group=False)

    def continuity(self, plan: Plan, out: _Cells) -> None:
        s, d = plan.settings, plan.definition
        persons = self.persons()
        visits: dict[tuple[int, int], list[Row]] = defaultdict(list)
        for c in self._visits(plan, set(s["modes"])):
            if c["clinician_id"] is not None:  # a visit without its clinician is left out
                visits[(c["contact_date"].year, int(c["person_id"]))].append(c)
        listed_by_year = {y: self._listed_on(dt.date(y, 12, 31)) for y in self.years}
        for (year, pid), rows in visits.items():
            rows.sort(key=lambda c: (c["contact_date"], c["contact_id"]))
            if not eligible(s["index"], len(rows), int(s["min_visits"])):
                continue
            p = persons[(year, pid)]
            if not d.age.contains(age_on(p["birth_date"], dt.date(year, 12, 31))):
                continue
            value = index_value(s["index"], [str(c["clinician_id"]) for c in rows])
            out.add(plan, str(year), "municipality", p["municipality_code"], p["sex"], "",
                    value, 1.0, value * value)
            spell = listed_by_year[year].get(pid)
            if "care_unit" in d.areas and spell is not None:
                out.add(plan, str(year), "care_unit", spell["care_unit_id"], p["sex"], "",
                        value, 1.0, value * value)

    def care_guarantee(self, plan: Plan, out: _Cells) -> None:
        s, d = plan.settings, plan.definition
        units = self.units()
        for a in self.rows("assessments"):
            day = a["contact_date"]
            if day.year not in self.years or a["profession"] not in s["professions"]:
                continue
            if s["exclude_patient_chosen"] and a["patient_chose_later"]:
                continue
            done = a["assessment_date"]
            if s["completed_only"] and done is None:
                continue
            within = done is not None and (done - day).days <= int(s["max_days"])
            unit = units[a["care_unit_id"]]
            for period in _periods(plan, day):
                out.add(plan, period, "municipality", unit["municipality_code"], a["sex"], "",
                        1.0 if within else 0.0, 1.0)
                if "care_unit" in d.areas:
                    out.add(plan, period, "care_unit", a["care_unit_id"], a["sex"], "",
                            1.0 if within else 0.0, 1.0)

    def cost_share(self, plan: Plan, out: _Cells) -> None:
        s = plan.settings
        for r in self.rows("costs"):
            if int(r["year"]) not in self.years or r["funder"] not in s["funders"]:
                continue
            num = float(r["cost_sek"]) if r["care_level"] in s["numerator_levels"] else 0.0
            den = float(r["cost_sek"]) if r["care_level"] in s["denominator_levels"] else 0.0
            out.add(plan, str(r["year"]), "region", r["region_code"], "T", "", num, den)
