"""The DuckDB engine: SQL over the Parquet datasets, shared pieces computed once.

Every query covers all requested periods at once (grouping by period), never one query per
period. Transfer chains are built once per distinct chain setting and reused by every avoidable
care and readmission variant; per-patient visit statistics for continuity are built once per
visit scope and give all four indices. SQL text is assembled only from identifiers of the data
model, validated code-list prefixes and numbers from validated definitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from naravard.indicators.data import RegisterData
from naravard.indicators.engines.base import Progress, data_end
from naravard.indicators.plan import CELL_SCHEMA, Plan
from naravard.indicators.standardise import AgeGroup

SELECT_CELL = ", ".join(CELL_SCHEMA.names)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: Iterable[Any]) -> str:
    items = [(_lit(v) if isinstance(v, str) else str(int(v))) for v in values]
    return "(" + (", ".join(items) if items else "NULL") + ")"


def _date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def age_sql(birth: str, day: str) -> str:
    """Completed years on ``day`` (29 February birthdays fall on 1 March in common years)."""
    return (f"(year({day}) - year({birth}) - CASE WHEN month({day}) * 100 + day({day}) < "
            f"month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)")


def _age_ok(plan: Plan, age: str) -> str:
    lo, hi = plan.definition.age.min, plan.definition.age.max
    parts = ["TRUE"]
    if lo is not None:
        parts.append(f"{age} >= {int(lo)}")
    if hi is not None:
        parts.append(f"{age} <= {int(hi)}")
    return " AND ".join(parts)


def _group_case(groups: Sequence[AgeGroup], age: str) -> str:
    if not groups:
        return "''"
    whens = " ".join(
        f"WHEN {age} >= {g.age_from}"
        + (f" AND {age} <= {g.age_to}" if g.age_to is not None else "")
        + f" THEN {_lit(g.label)}"
        for g in groups
    )
    return f"CASE {whens} ELSE '' END"


def _prefix_any(column: str, prefixes: Sequence[str]) -> str:
    if not prefixes:
        return "FALSE"
    return "(" + " OR ".join(f"starts_with({column}, {_lit(p)})" for p in prefixes) + ")"


def _head(plan: Plan) -> str:
    return f"{_lit(plan.id)} AS indicator, {_lit(plan.variant)} AS variant"


class DuckDBEngine:
    """Embedded DuckDB engine (the default)."""

    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.threads = threads
        self.memory_limit = memory_limit

    def cells(self, data: RegisterData, plans: Sequence[Plan], years: Sequence[int],
              progress: Progress | None = None) -> pa.Table:
        """Cells for ``plans`` in ``years``."""
        con = duckdb.connect()
        try:
            if self.threads is not None:
                con.execute(f"SET threads = {int(self.threads)}")
            if self.memory_limit is not None:
                con.execute(f"SET memory_limit = {_lit(self.memory_limit)}")
            con.execute("SET preserve_insertion_order = false")
            run = _Run(con, data, years)
            parts: list[pa.Table] = []
            for plan in plans:
                sql = run.sql(plan)
                parts.append(con.sql(sql).to_arrow_table().cast(CELL_SCHEMA))
                if progress is not None:
                    progress(f"{plan.id}/{plan.variant}")
        finally:
            con.close()
        if not parts:
            return CELL_SCHEMA.empty_table()
        return pa.concat_tables(parts)


class _Run:
    def __init__(self, con: duckdb.DuckDBPyConnection, data: RegisterData,
                 years: Sequence[int]) -> None:
        self.con = con
        self.data = data
        self.years = sorted(set(years))
        self.years_in = _in(self.years)
        self._made: set[str] = set()
        self._names: dict[tuple[Any, ...], str] = {}
        data.attach(con)

    def _name(self, prefix: str, key: tuple[Any, ...]) -> str:
        """A temp-table name for a shared piece identified by ``key``."""
        full = (prefix, *key)
        if full not in self._names:
            self._names[full] = f"{prefix}_{len(self._names)}"
        return self._names[full]

    def sql(self, plan: Plan) -> str:
        kinds = {
            "avoidable_inpatient": self.avoidable_inpatient,
            "readmission": self.readmission,
            "emergency_visits": self.emergency_visits,
            "distance_share": self.distance_share,
            "distance_offering": self.distance_offering,
            "named_doctor": self.named_doctor,
            "continuity": self.continuity,
            "care_guarantee": self.care_guarantee,
            "cost_share": self.cost_share,
        }
        return kinds[plan.kind](plan)

    def _once(self, name: str, sql: str) -> str:
        if name not in self._made:
            self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
            self._made.add(name)
        return name

    # --- shared pieces -------------------------------------------------------------------------

    def person_years(self) -> str:
        return self._once(
            "py",
            "SELECT year, person_id, sex, birth_date, death_date, municipality_code "  # noqa: S608
            f"FROM persons WHERE year IN {self.years_in}",
        )

    def chains(self, plan: Plan) -> str:
        gap, requires_code, mvo = plan.chain_key()
        name = self._name("chains", plan.chain_key())
        keep = f"NOT {_prefix_any('mvo', mvo)}" if mvo else "TRUE"
        order = "admission_date, discharge_date, episode_id"
        link = "TRUE" if not requires_code else (
            "prev_to = 'transfer' OR admitted_from = 'other_hospital'")
        return self._once(name, f"""
            WITH e AS (
                SELECT episode_id, person_id, admission_date, discharge_date, planned,
                       admitted_from, discharged_to, main_diagnosis, other_diagnoses,
                       residence_municipality
                FROM inpatient_episodes WHERE {keep}
            ), o AS (
                SELECT *,
                    max(discharge_date) OVER (PARTITION BY person_id ORDER BY {order}
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max,
                    lag(discharged_to) OVER (PARTITION BY person_id ORDER BY {order}) AS prev_to
                FROM e
            ), f AS (
                SELECT *, CASE
                    WHEN prev_max IS NULL THEN 1
                    WHEN admission_date < prev_max THEN 0
                    WHEN date_diff('day', prev_max, admission_date) <= {int(gap)}
                         AND ({link}) THEN 0
                    ELSE 1 END AS new_chain
                FROM o
            ), g AS (
                SELECT *, sum(new_chain) OVER (PARTITION BY person_id ORDER BY {order}
                    ROWS UNBOUNDED PRECEDING) AS chain_no
                FROM f
            )
            SELECT person_id,
                first(episode_id ORDER BY {order}) AS chain_id,
                min(admission_date) AS admission_date,
                max(discharge_date) AS discharge_date,
                first(planned ORDER BY {order}) AS planned,
                first(main_diagnosis ORDER BY {order}) AS diagnosis,
                first(other_diagnoses ORDER BY {order}) AS other_diagnoses,
                first(residence_municipality ORDER BY admission_date DESC, discharge_date DESC,
                      episode_id DESC) AS residence,
                bool_or(discharged_to = 'death') AS died
            FROM g GROUP BY person_id, chain_no
        """)  # noqa: S608

    def population(self, plan: Plan, by_group: bool) -> str:
        group = _group_case(plan.groups, "age") if by_group else "''"
        return f"""
            SELECT {_head(plan)}, CAST(year AS VARCHAR) AS period,
                'municipality' AS area_level, municipality_code AS area_code, sex,
                {group} AS age_group, 0.0 AS numerator, CAST(sum(count) AS DOUBLE) AS denominator
            FROM population WHERE year IN {self.years_in} AND {_age_ok(plan, 'age')}
            GROUP BY ALL
        """  # noqa: S608

    # --- kinds -------------------------------------------------------------------------------

    def avoidable_inpatient(self, plan: Plan) -> str:
        s = plan.settings
        chains, py = self.chains(plan), self.person_years()
        day = "c.admission_date" if s["age_reference"] == "admission" else "c.discharge_date"
        age = age_sql("p.birth_date", day)
        prefixes = plan.prefixes or ()
        hit = _prefix_any("c.diagnosis", prefixes)
        if s["use_secondary_diagnoses"]:
            inner = _prefix_any("x", prefixes)
            hit = f"({hit} OR len(list_filter(c.other_diagnoses, lambda x: {inner})) > 0)"
        unplanned = "NOT c.planned" if s["unplanned_only"] else "TRUE"
        return f"""
            SELECT {_head(plan)}, CAST(year(c.discharge_date) AS VARCHAR) AS period,
                'municipality' AS area_level, c.residence AS area_code, p.sex,
                {_group_case(plan.groups, age)} AS age_group,
                CAST(count(*) AS DOUBLE) AS numerator, 0.0 AS denominator
            FROM {chains} c JOIN {py} p
              ON p.year = year(c.discharge_date) AND p.person_id = c.person_id
            WHERE {unplanned} AND {hit} AND {_age_ok(plan, age)}
            GROUP BY ALL
            UNION ALL {self.population(plan, by_group=True)}
        """  # noqa: S608

    def readmission(self, plan: Plan) -> str:
        s = plan.settings
        chains, py = self.chains(plan), self.person_years()
        day = "c.admission_date" if s["age_reference"] == "admission" else "c.discharge_date"
        age = age_sql("p.birth_date", day)
        first, last = int(s["window_first_day"]), int(s["window_last_day"])
        conds = [_age_ok(plan, age)]
        if s["exclude_death_in_stay"]:
            conds.append("NOT (c.died OR coalesce(p.death_date <= c.discharge_date, FALSE))")
        if plan.prefixes is not None:
            conds.append(_prefix_any("c.diagnosis", plan.prefixes))
        if s["incomplete_follow_up"] == "exclude":
            conds.append(f"c.discharge_date + {last} <= {_date(data_end(self.data))}")
        unplanned = "NOT o.planned" if s["readmission_unplanned_only"] else "TRUE"
        keep = "TRUE"
        if s["deaths_after_discharge"] == "exclude":
            deaths = self._once(
                "person_death",
                "SELECT person_id, max(death_date) AS death_date FROM persons "
                "WHERE death_date IS NOT NULL GROUP BY person_id",
            )
            keep = (f"readmitted OR NOT EXISTS (SELECT 1 FROM {deaths} d WHERE "  # noqa: S608
                    f"d.person_id = f.person_id AND date_diff('day', f.discharge_date, "
                    f"d.death_date) BETWEEN 1 AND {last})")
        return f"""
            WITH idx AS (
                SELECT c.chain_id, c.person_id, c.discharge_date, c.residence, p.sex
                FROM {chains} c JOIN {py} p
                  ON p.year = year(c.discharge_date) AND p.person_id = c.person_id
                WHERE {' AND '.join(conds)}
            ), f AS (
                SELECT i.chain_id, i.person_id, i.discharge_date, i.residence, i.sex,
                    bool_or(o.chain_id IS NOT NULL) AS readmitted
                FROM idx i LEFT JOIN {chains} o
                  ON o.person_id = i.person_id AND o.chain_id <> i.chain_id
                 AND o.admission_date BETWEEN i.discharge_date + {first}
                                          AND i.discharge_date + {last}
                 AND {unplanned}
                GROUP BY ALL
            )
            SELECT {_head(plan)}, CAST(year(discharge_date) AS VARCHAR) AS period,
                'municipality' AS area_level, residence AS area_code, sex, '' AS age_group,
                CAST(count_if(readmitted) AS DOUBLE) AS numerator,
                CAST(count(*) AS DOUBLE) AS denominator
            FROM f WHERE {keep}
            GROUP BY ALL
        """  # noqa: S608

    def emergency_visits(self, plan: Plan) -> str:
        s = plan.settings
        py = self.person_years()
        age = age_sql("p.birth_date", "c.contact_date")
        return f"""
            SELECT {_head(plan)}, CAST(c.year AS VARCHAR) AS period,
                'municipality' AS area_level, c.residence_municipality AS area_code, p.sex,
                '' AS age_group, CAST(count(*) AS DOUBLE) AS numerator, 0.0 AS denominator
            FROM outpatient_contacts c JOIN {py} p
              ON p.year = c.year AND p.person_id = c.person_id
            WHERE c.year IN {self.years_in} AND c.care_level IN {_in(s['care_levels'])}
              AND {_age_ok(plan, age)}
            GROUP BY ALL
            UNION ALL {self.population(plan, by_group=False)}
        """  # noqa: S608

    @staticmethod
    def _modes(plan: Plan) -> tuple[list[str], list[str]]:
        s = plan.settings
        remote = sorted(set(s["remote_modes"]) | ({"phone"} if s["phone_counts"] else set()))
        return sorted({"physical", *remote}), remote

    def _visit_filter(self, plan: Plan, modes: Sequence[str]) -> str:
        s = plan.settings
        return (f"c.year IN {self.years_in} AND c.care_level IN {_in(s['care_levels'])} "
                f"AND c.profession IN {_in(s['professions'])} AND c.mode IN {_in(modes)}")

    def _period_sets(self, plan: Plan, date_col: str, muni: str, unit: str, sex: str,
                     num: str, source: str) -> str:
        """Cells by year and/or month, for municipality and/or care unit, in one pass."""
        d = plan.definition
        periods = [p for p in ("year", "month") if p in d.periods]
        levels = ["municipality"] + (["care_unit"] if "care_unit" in d.areas else [])
        sets = []
        for p in periods:
            for lvl in levels:
                cols = ["yp"] + (["mp"] if p == "month" else []) + [
                    "muni" if lvl == "municipality" else "unit", "sx"]
                sets.append("(" + ", ".join(cols) + ")")
        by_unit = len(levels) > 1
        period = ("CASE WHEN grouping(mp) = 0 THEN mp ELSE yp END" if "month" in periods
                  and "year" in periods else "mp" if "month" in periods else "yp")
        level = ("CASE WHEN grouping(unit) = 0 THEN 'care_unit' ELSE 'municipality' END"
                 if by_unit else "'municipality'")
        code = "CASE WHEN grouping(unit) = 0 THEN unit ELSE muni END" if by_unit else "muni"
        return f"""
            WITH v AS (
                SELECT CAST(year({date_col}) AS VARCHAR) AS yp,
                    strftime({date_col}, '%Y-%m') AS mp,
                    {muni} AS muni, {unit} AS unit, {sex} AS sx, {num} AS hit
                FROM {source}
            )
            SELECT {_head(plan)},
                {period} AS period,
                {level} AS area_level,
                {code} AS area_code,
                sx AS sex, '' AS age_group,
                CAST(sum(hit) AS DOUBLE) AS numerator, CAST(count(*) AS DOUBLE) AS denominator
            FROM v GROUP BY GROUPING SETS ({', '.join(sets)})
        """  # noqa: S608

    def distance_share(self, plan: Plan) -> str:
        py = self.person_years()
        counted, remote = self._modes(plan)
        age = age_sql("p.birth_date", "c.contact_date")
        source = f"""outpatient_contacts c
            JOIN {py} p ON p.year = c.year AND p.person_id = c.person_id
            JOIN care_units u ON u.care_unit_id = c.care_unit_id
            WHERE {self._visit_filter(plan, counted)} AND {_age_ok(plan, age)}"""
        hit = f"CASE WHEN c.mode IN {_in(remote)} THEN 1 ELSE 0 END"
        return self._period_sets(plan, "c.contact_date", "u.municipality_code",
                                 "c.care_unit_id", "p.sex", hit, source)

    def distance_offering(self, plan: Plan) -> str:
        s = plan.settings
        counted, remote = self._modes(plan)
        return f"""
            WITH t AS (
                SELECT c.year, c.care_unit_id, count(*) AS visits,
                    count_if(c.mode IN {_in(remote)}) AS remote
                FROM outpatient_contacts c WHERE {self._visit_filter(plan, counted)}
                GROUP BY ALL
            )
            SELECT {_head(plan)}, CAST(t.year AS VARCHAR) AS period,
                'municipality' AS area_level, u.municipality_code AS area_code, 'T' AS sex,
                '' AS age_group,
                CAST(count_if(100.0::DOUBLE * t.remote >=
                     {float(s['min_share_percent'])}::DOUBLE * t.visits) AS DOUBLE) AS numerator,
                CAST(count(*) AS DOUBLE) AS denominator
            FROM t JOIN care_units u ON u.care_unit_id = t.care_unit_id
            WHERE u.kind IN {_in(s['unit_kinds'])} AND t.visits >= {int(s['min_visits'])}
            GROUP BY ALL
        """  # noqa: S608

    def named_doctor(self, plan: Plan) -> str:
        s = plan.settings
        py = self.person_years()
        month, day = (int(x) for x in str(s["reference_day"]).split("-"))
        ref = f"make_date(p.year, {month}, {day})"
        age = age_sql("p.birth_date", ref)
        population = s["population"]
        joins = (f"LEFT JOIN listings l ON l.person_id = p.person_id AND l.year = p.year "
                 f"AND l.valid_from <= {ref} AND {ref} < l.valid_to")
        conds = [f"(p.death_date IS NULL OR p.death_date > {ref})", _age_ok(plan, age)]
        if population == "listed":
            conds.append("l.person_id IS NOT NULL")
        if population == "special_housing":
            month_sh = int(s["special_housing_month"])
            joins += (" JOIN (SELECT DISTINCT year, person_id FROM "  # noqa: S608 -- schema names
                      f"municipal_health_care WHERE special_housing AND month = {month_sh}) m "
                      "ON m.person_id = p.person_id AND m.year = p.year")
        den = "0.0" if population == "whole" else "CAST(count(*) AS DOUBLE)"
        sql = f"""
            SELECT {_head(plan)}, CAST(p.year AS VARCHAR) AS period,
                'municipality' AS area_level, p.municipality_code AS area_code, p.sex,
                '' AS age_group,
                CAST(count(l.named_doctor_id) AS DOUBLE) AS numerator, {den} AS denominator
            FROM {py} p {joins}
            WHERE {' AND '.join(conds)}
            GROUP BY ALL
        """  # noqa: S608
        if population == "whole":
            sql += f" UNION ALL {self.population(plan, by_group=False)}"
        return sql

    def _patient_stats(self, plan: Plan) -> str:
        s = plan.settings
        name = self._name("patient_stats", (tuple(sorted(s["care_levels"])),
                                            tuple(sorted(s["professions"])),
                                            tuple(sorted(s["modes"]))))
        return self._once(name, f"""
            WITH v AS (
                SELECT c.year, c.person_id, c.clinician_id, c.contact_date, c.contact_id
                FROM outpatient_contacts c WHERE {self._visit_filter(plan, s['modes'])}
            ), pc AS (
                SELECT year, person_id, clinician_id, count(*) AS n FROM v GROUP BY ALL
            ), pat AS (
                SELECT year, person_id, sum(n) AS n_visits, sum(n * n) AS sum_sq,
                    max(n) AS n_max, count(*) AS n_clinicians
                FROM pc GROUP BY ALL
            ), seq AS (
                SELECT year, person_id, count_if(clinician_id = prev) AS n_same
                FROM (SELECT year, person_id, clinician_id, lag(clinician_id) OVER (
                        PARTITION BY year, person_id ORDER BY contact_date, contact_id) AS prev
                      FROM v)
                GROUP BY ALL
            )
            SELECT pat.*, seq.n_same FROM pat JOIN seq USING (year, person_id)
        """)  # noqa: S608

    def continuity(self, plan: Plan) -> str:
        s = plan.settings
        stats, py = self._patient_stats(plan), self.person_years()
        n = "CAST(t.n_visits AS DOUBLE)"
        values = {
            "coc": "(CAST(t.sum_sq - t.n_visits AS DOUBLE) / CAST(t.n_visits * (t.n_visits - 1)"
                   " AS DOUBLE))",
            "upc": f"(CAST(t.n_max AS DOUBLE) / {n})",
            "mmci": f"((1.0::DOUBLE - CAST(t.n_clinicians AS DOUBLE) / ({n} + 0.1::DOUBLE)) / "
                    f"(1.0::DOUBLE - 1.0::DOUBLE / ({n} + 0.1::DOUBLE)))",
            "secon": "(CAST(t.n_same AS DOUBLE) / CAST(t.n_visits - 1 AS DOUBLE))",
        }
        index = str(s["index"])
        minimum = max(int(s["min_visits"]), 2 if index in ("coc", "secon") else 1)
        age = age_sql("p.birth_date", "make_date(p.year, 12, 31)")
        base = f"""
            SELECT t.year, t.person_id, p.sex, p.municipality_code, {values[index]} AS value
            FROM {stats} t JOIN {py} p ON p.year = t.year AND p.person_id = t.person_id
            WHERE t.n_visits >= {minimum} AND {_age_ok(plan, age)}
        """  # noqa: S608
        sql = f"""
            WITH b AS ({base})
            SELECT {_head(plan)}, CAST(year AS VARCHAR) AS period,
                'municipality' AS area_level, municipality_code AS area_code, sex,
                '' AS age_group, sum(value) AS numerator, CAST(count(*) AS DOUBLE) AS denominator
            FROM b GROUP BY ALL
        """  # noqa: S608
        if "care_unit" in plan.definition.areas:
            sql += f"""
            UNION ALL
            SELECT {_head(plan)}, CAST(b.year AS VARCHAR) AS period,
                'care_unit' AS area_level, l.care_unit_id AS area_code, b.sex,
                '' AS age_group, sum(b.value) AS numerator,
                CAST(count(*) AS DOUBLE) AS denominator
            FROM ({base}) b JOIN listings l
              ON l.person_id = b.person_id AND l.year = b.year
             AND l.valid_from <= make_date(b.year, 12, 31)
             AND make_date(b.year, 12, 31) < l.valid_to
            GROUP BY ALL
            """  # noqa: S608
        return sql

    def care_guarantee(self, plan: Plan) -> str:
        s = plan.settings
        conds = [f"a.year IN {self.years_in}", f"a.profession IN {_in(s['professions'])}"]
        if s["exclude_patient_chosen"]:
            conds.append("NOT a.patient_chose_later")
        if s["completed_only"]:
            conds.append("a.assessment_date IS NOT NULL")
        source = f"""assessments a JOIN care_units u ON u.care_unit_id = a.care_unit_id
            WHERE {' AND '.join(conds)}"""
        hit = (f"CASE WHEN a.assessment_date IS NOT NULL AND date_diff('day', a.contact_date, "
               f"a.assessment_date) <= {int(s['max_days'])} THEN 1 ELSE 0 END")
        return self._period_sets(plan, "a.contact_date", "u.municipality_code",
                                 "a.care_unit_id", "a.sex", hit, source)

    def cost_share(self, plan: Plan) -> str:
        s = plan.settings
        return f"""
            SELECT {_head(plan)}, CAST(year AS VARCHAR) AS period, 'region' AS area_level,
                region_code AS area_code, 'T' AS sex, '' AS age_group,
                CAST(sum(CASE WHEN care_level IN {_in(s['numerator_levels'])} THEN cost_sek
                    ELSE 0 END) AS DOUBLE) AS numerator,
                CAST(sum(CASE WHEN care_level IN {_in(s['denominator_levels'])} THEN cost_sek
                    ELSE 0 END) AS DOUBLE) AS denominator
            FROM costs WHERE year IN {self.years_in} AND funder IN {_in(s['funders'])}
            GROUP BY ALL
        """  # noqa: S608
