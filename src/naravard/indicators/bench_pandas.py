"""The benchmark's baseline: a straightforward pandas implementation of two indicators.

Unplanned readmissions (transfer chains, 1–30 day window) and continuity of care (COC, UPC,
MMCI, SECON per patient; mean by residence and year-end unit), written as an analyst would in
pandas, reading the same Parquet files. It produces the same cells as the engines (the benchmark
checks that), so the timing comparison is between two correct implementations. pandas is a
benchmark-only dependency and is imported only here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from naravard.indicators.plan import CELL_SCHEMA, CELL_SUMS, Plan


def _read(root: Path, name: str, columns: list[str], year: int | None = None) -> Any:
    import pandas as pd

    folder = root / name / (f"year={year}" if year is not None else "")
    frame = pd.read_parquet(folder, columns=columns)
    if year is not None:
        frame["year"] = year
    return frame


def _age(birth: Any, day: Any) -> Any:
    """Completed years on ``day`` (datetime series)."""
    before = (day.dt.month * 100 + day.dt.day) < (birth.dt.month * 100 + birth.dt.day)
    return day.dt.year - birth.dt.year - before.astype(int)


def _chains(root: Path, plan: Plan) -> Any:
    """Transfer chains over every year of the data."""
    import pandas as pd

    gap, requires_code, mvo = plan.chain_key()
    ep = pd.concat([_read(root, "inpatient_episodes",
                          ["episode_id", "person_id", "admission_date", "discharge_date",
                           "planned", "admitted_from", "discharged_to", "mvo", "main_diagnosis",
                           "residence_municipality"], int(d.name.split("=")[1]))
                    for d in sorted((root / "inpatient_episodes").glob("year=*"))])
    for col in ("admission_date", "discharge_date"):
        ep[col] = pd.to_datetime(ep[col])
    if mvo:
        ep = ep[~ep["mvo"].str.startswith(tuple(mvo))]
    ep = ep.sort_values(["person_id", "admission_date", "discharge_date", "episode_id"])
    by_person = ep.groupby("person_id", sort=False)
    prev_max = by_person["discharge_date"].cummax().groupby(ep["person_id"]).shift()
    prev_to = by_person["discharged_to"].shift()
    linked = (prev_to == "transfer") | (ep["admitted_from"] == "other_hospital")
    if not requires_code:
        linked = pd.Series(True, index=ep.index)
    joins = prev_max.notna() & (
        (ep["admission_date"] < prev_max)
        | (((ep["admission_date"] - prev_max).dt.days <= gap) & linked))
    ep["chain_no"] = (~joins).astype(int).groupby(ep["person_id"]).cumsum()
    ep["died"] = ep["discharged_to"] == "death"
    return ep.groupby(["person_id", "chain_no"], sort=False).agg(
        chain_id=("episode_id", "first"), admission=("admission_date", "min"),
        discharge=("discharge_date", "max"), planned=("planned", "first"),
        diagnosis=("main_diagnosis", "first"), residence=("residence_municipality", "last"),
        died=("died", "max")).reset_index()


def readmission_cells(root: Path, year: int, plans: Sequence[Plan], data_end: dt.date) -> Any:
    """Cells of readmission plans (all with the same chain and window settings)."""
    import pandas as pd

    first = plans[0]
    s = first.settings
    shared = ("window_first_day", "window_last_day", "readmission_unplanned_only",
              "exclude_death_in_stay", "incomplete_follow_up", "deaths_after_discharge",
              "age_reference")
    for plan in plans[1:]:
        if plan.chain_key() != first.chain_key() or any(
                plan.settings[k] != s[k] for k in shared):
            raise ValueError(f"{plan.id}/{plan.variant}: the pandas baseline needs variants "
                             "that differ only in their index diagnoses")
    chains = _chains(root, first)
    persons = _read(root, "persons", ["person_id", "sex", "birth_date", "death_date"], year)
    for col in ("birth_date", "death_date"):
        persons[col] = pd.to_datetime(persons[col])
    index = chains[chains["discharge"].dt.year == year].merge(persons, on="person_id")
    day = index["admission"] if s["age_reference"] == "admission" else index["discharge"]
    age = _age(index["birth_date"], day)
    keep = pd.Series(True, index=index.index)
    lo, hi = first.definition.age.min, first.definition.age.max
    if lo is not None:
        keep &= age >= lo
    if hi is not None:
        keep &= age <= hi
    last_day, first_day = int(s["window_last_day"]), int(s["window_first_day"])
    if s["exclude_death_in_stay"]:
        keep &= ~(index["died"] | (index["death_date"] <= index["discharge"]).fillna(False))
    if s["incomplete_follow_up"] == "exclude":
        keep &= index["discharge"] + pd.Timedelta(days=last_day) <= pd.Timestamp(data_end)
    index = index[keep]
    later = chains[~chains["planned"]] if s["readmission_unplanned_only"] else chains
    pairs = index[["chain_id", "person_id", "discharge"]].merge(
        later[["person_id", "chain_id", "admission"]], on="person_id", suffixes=("", "_o"))
    gap = (pairs["admission"] - pairs["discharge"]).dt.days
    hit = pairs[(pairs["chain_id_o"] != pairs["chain_id"]) & (gap >= first_day)
                & (gap <= last_day)]
    index = index.assign(readmitted=index["chain_id"].isin(hit["chain_id"]).astype(float))
    if s["deaths_after_discharge"] == "exclude":
        died_soon = (index["death_date"] - index["discharge"]).dt.days.between(1, last_day)
        index = index[(index["readmitted"] > 0) | ~died_soon]
    frames = []
    for plan in plans:
        rows = index
        if plan.prefixes is not None:
            rows = rows[rows["diagnosis"].str.startswith(tuple(plan.prefixes))]
        # per person first: the cells carry the sums of a share whose stays cluster in persons
        people = rows.groupby(["residence", "sex", "person_id"]).agg(
            y=("readmitted", "sum"), x=("readmitted", "size")).reset_index()
        people = people.assign(y2=people["y"] ** 2, x2=people["x"] ** 2,
                               xy=people["x"] * people["y"])
        cells = people.groupby(["residence", "sex"]).agg(
            numerator=("y", "sum"), denominator=("x", "sum"), numerator_sq=("y2", "sum"),
            denominator_sq=("x2", "sum"), numerator_denominator=("xy", "sum")).reset_index()
        frames.append(cells.assign(indicator=plan.id, variant=plan.variant, period=str(year),
                                   area_level="municipality", area_code=cells["residence"],
                                   age_group=""))
    return pd.concat(frames)


def _index(name: str, t: Any) -> Any:
    """Index ``name`` per patient from the per-patient counts."""
    n = t["n"].astype(float)
    if name == "coc":
        return (t["sq"] - t["n"]) / (n * (n - 1))
    if name == "upc":
        return t["mx"] / n
    if name == "mmci":
        return (1 - t["m"] / (n + 0.1)) / (1 - 1 / (n + 0.1))
    return t["same"] / (n - 1)


def continuity_cells(root: Path, year: int, plans: Sequence[Plan]) -> Any:
    """Cells of continuity plans (per patient: visits by clinician in date order)."""
    import pandas as pd

    contacts = _read(root, "outpatient_contacts",
                     ["person_id", "contact_date", "contact_id", "care_level", "profession",
                      "mode", "clinician_id"], year)
    persons = _read(root, "persons", ["person_id", "sex", "birth_date", "municipality_code"],
                    year)
    listings = _read(root, "listings", ["person_id", "care_unit_id", "valid_from", "valid_to"],
                     year)
    end = pd.Timestamp(year, 12, 31)
    listings = listings[(pd.to_datetime(listings["valid_from"]) <= end)
                        & (end < pd.to_datetime(listings["valid_to"]))]
    people = persons.merge(listings[["person_id", "care_unit_id"]], on="person_id", how="left")
    people["birth_date"] = pd.to_datetime(people["birth_date"])
    contacts = contacts[contacts["clinician_id"].notna()]
    frames = []
    stats: dict[tuple[tuple[str, ...], ...], Any] = {}
    for plan in plans:
        s = plan.settings
        scope = (tuple(s["care_levels"]), tuple(s["professions"]), tuple(s["modes"]))
        if scope not in stats:
            v = contacts[contacts["care_level"].isin(scope[0])
                         & contacts["profession"].isin(scope[1]) & contacts["mode"].isin(scope[2])]
            v = v.sort_values(["person_id", "contact_date", "contact_id"])
            per = v.groupby(["person_id", "clinician_id"]).size()
            pat = per.groupby(level=0).agg(n="sum", mx="max", m="size")
            pat["sq"] = (per * per).groupby(level=0).sum()
            same = (v["clinician_id"] == v["clinician_id"].shift()) & (
                v["person_id"] == v["person_id"].shift())
            pat["same"] = same.groupby(v["person_id"]).sum()
            stats[scope] = pat.reset_index().merge(people, on="person_id")
        t = stats[scope]
        index = str(s["index"])
        value = _index(index, t)
        minimum = max(int(s["min_visits"]), 2 if index in ("coc", "secon") else 1)
        rows = t.assign(value=value, value_sq=value * value)[t["n"] >= minimum]
        for level, code in (("municipality", "municipality_code"), ("care_unit", "care_unit_id")):
            cells = rows.dropna(subset=[code]).groupby([code, "sex"]).agg(
                numerator=("value", "sum"), denominator=("value", "size"),
                numerator_sq=("value_sq", "sum")).reset_index()
            frames.append(cells.assign(indicator=plan.id, variant=plan.variant,
                                       period=str(year), area_level=level,
                                       area_code=cells[code], age_group=""))
    return pd.concat(frames)


def pandas_cells(root: Path, year: int, plans: Sequence[Plan], data_end: dt.date) -> pa.Table:
    """Cells (:data:`CELL_SCHEMA`) of readmission and continuity ``plans`` in ``year``."""
    import pandas as pd

    frames = []
    readmission = [p for p in plans if p.kind == "readmission"]
    if readmission:
        frames.append(readmission_cells(root, year, readmission, data_end))
    continuity = [p for p in plans if p.kind == "continuity"]
    if continuity:
        frames.append(continuity_cells(root, year, continuity))
    cells = pd.concat(frames)
    for name in CELL_SUMS:  # a kind without a sum leaves it empty: 0
        cells[name] = cells[name].fillna(0.0).astype(float) if name in cells else 0.0
    return pa.Table.from_pandas(cells[CELL_SCHEMA.names], schema=CELL_SCHEMA,
                                preserve_index=False)
