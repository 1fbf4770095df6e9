"""Indicator cells as SQL: one query builder shared by the SQL engines, spelled per dialect.

The builder turns plans into SQL over views named after the register tables. Pieces that several
plans need are materialised once, as temporary tables, the first time a plan asks for them:

- ``py``: person-years of the requested years;
- ``listed_N``: person-years with their listing on a reference day (named doctor, continuity);
- ``chains_N`` / ``chain_people_N`` / ``readmitted_N``: transfer chains per chain setting, with
  the person's sex, birth and death, and the readmission flag per window setting;
- ``contact_cube``: one pass over ``outpatient_contacts`` joined to ``py`` that counts, per month,
  care unit, residence and sex, the contacts of every distance plan (one pair of columns per
  plan); emergency visits are counted per person instead (their cells carry the sum of the
  squares of each person's visits, for the interval);
- ``assessment_cube``: the same for care-guarantee plans over ``assessments``;
- ``visit_stats`` / ``continuity_cube``: one pass over the visits of every continuity scope giving,
  per patient and scope, the sums behind all four continuity indices; then, joined once to the
  person and the year-end listing, the sum of index values and the number of patients of every
  continuity plan per residence, unit and sex.

An engine can drop each piece after the last plan that reads it (:func:`last_uses`).

Every query covers all requested periods. SQL text is assembled only from identifiers of the
data model, validated code-list prefixes and numbers and strings from validated definitions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Protocol

from naravard.indicators.data import RegisterData
from naravard.indicators.engines.base import data_end
from naravard.indicators.plan import Plan
from naravard.indicators.schema import table
from naravard.indicators.standardise import AgeGroup

CUBE_KINDS = ("distance_share", "distance_offering")
"""Kinds computed from the contact cube."""

EXACT = "DECIMAL(38, 18)"
"""The type in which index values are summed: a decimal sum is exact, so it does not depend on
the order in which a parallel engine adds the values (a sum of doubles does, in its last bits),
and the same data give the same figures in every run."""


class Dialect:
    """Spellings that differ between SQL engines; the defaults are DuckDB's."""

    name = "duckdb"

    def lit(self, text: str) -> str:
        """A string literal."""
        return "'" + text.replace("'", "''") + "'"

    def text(self, expr: str) -> str:
        """``expr`` as a string."""
        return f"CAST({expr} AS VARCHAR)"

    def days_between(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end``."""
        return f"date_diff('day', {start}, {end})"

    def add_days(self, day: str, days: int) -> str:
        """``day`` plus ``days`` days."""
        return f"({day} + {int(days)})"

    def any_element(self, array: str, var: str, cond: str) -> str:
        """Whether some element ``var`` of ``array`` satisfies ``cond``."""
        return f"(len(list_filter({array}, lambda {var}: {cond})) > 0)"

    def lag_ignore_nulls(self, expr: str) -> str:
        """Window function: the last non-null ``expr`` before this row (add ``OVER``)."""
        return f"lag({expr} IGNORE NULLS)"


class SparkDialect(Dialect):
    """Spark SQL spellings."""

    name = "spark"

    def lit(self, text: str) -> str:
        """A string literal (Spark escapes with backslashes)."""
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def text(self, expr: str) -> str:
        """``expr`` as a string."""
        return f"CAST({expr} AS STRING)"

    def days_between(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end``."""
        return f"datediff({end}, {start})"

    def add_days(self, day: str, days: int) -> str:
        """``day`` plus ``days`` days."""
        return f"date_add({day}, {int(days)})"

    def any_element(self, array: str, var: str, cond: str) -> str:
        """Whether some element ``var`` of ``array`` satisfies ``cond``."""
        return f"exists({array}, {var} -> {cond})"

    def lag_ignore_nulls(self, expr: str) -> str:
        """Window function: the last non-null ``expr`` before this row (add ``OVER``)."""
        return f"lag({expr}) IGNORE NULLS"


DUCKDB = Dialect()
SPARK = SparkDialect()


class Executor(Protocol):
    """What the builder needs from an engine: its dialect and a way to materialise a piece."""

    dialect: Dialect

    def materialise(self, name: str, sql: str) -> None:
        """Store the result of ``sql`` as temporary table ``name``."""
        ...


def _f(value: float) -> str:
    """A double literal (plain decimals are DECIMAL in both dialects)."""
    return f"CAST({float(value)!r} AS DOUBLE)"


def _int_list(values: Iterable[int]) -> str:
    items = [str(int(v)) for v in values]
    return "(" + (", ".join(items) if items else "NULL") + ")"


def age_sql(birth: str, day: str) -> str:
    """Completed years on ``day`` (29 February birthdays fall on 1 March in common years)."""
    return (f"(year({day}) - year({birth}) - CASE WHEN month({day}) * 100 + dayofmonth({day}) < "
            f"month({birth}) * 100 + dayofmonth({birth}) THEN 1 ELSE 0 END)")


def _age_ok(plan: Plan, age: str) -> str:
    lo, hi = plan.definition.age.min, plan.definition.age.max
    parts = ["TRUE"]
    if lo is not None:
        parts.append(f"{age} >= {int(lo)}")
    if hi is not None:
        parts.append(f"{age} <= {int(hi)}")
    return "(" + " AND ".join(parts) + ")"


def _has_age_limits(plan: Plan) -> bool:
    return plan.definition.age.min is not None or plan.definition.age.max is not None


class CellQueries:
    """Builds the cell query of each plan, materialising shared pieces on first use."""

    def __init__(self, run: Executor, data: RegisterData, plans: Sequence[Plan],
                 years: Sequence[int]) -> None:
        self.run = run
        self.d = run.dialect
        self.data = data
        self.years = sorted(set(years))
        self.years_in = _int_list(self.years)
        self._made: set[str] = set()
        self._names: dict[tuple[Any, ...], str] = {}
        self.cube_plans = [p for p in plans if p.kind in CUBE_KINDS]
        self.assessment_plans = [p for p in plans if p.kind == "care_guarantee"]
        self.continuity_plans = [p for p in plans if p.kind == "continuity"]
        scopes: list[tuple[tuple[str, ...], ...]] = []
        for p in plans:
            if p.kind == "continuity" and self._scope(p) not in scopes:
                scopes.append(self._scope(p))
        self.scopes = scopes

    # --- helpers -------------------------------------------------------------------------------

    def _in(self, values: Iterable[Any]) -> str:
        items = [(self.d.lit(v) if isinstance(v, str) else str(int(v))) for v in values]
        return "(" + (", ".join(items) if items else "NULL") + ")"

    def _is_in(self, column: str, values: Iterable[Any]) -> str:
        """Whether ``column`` is one of ``values``, spelled as equalities.

        Over tens of millions of dictionary-encoded strings DuckDB evaluates a chain of
        equalities two to three times faster than the equivalent IN list.
        """
        items = sorted({(self.d.lit(v) if isinstance(v, str) else str(int(v))) for v in values})
        if not items:
            return "FALSE"
        return "(" + " OR ".join(f"{column} = {item}" for item in items) + ")"

    def _date(self, day: dt.date) -> str:
        return f"DATE '{day.isoformat()}'"

    def _head(self, plan: Plan) -> str:
        return f"{self.d.lit(plan.id)} AS indicator, {self.d.lit(plan.variant)} AS variant"

    def _prefix_any(self, column: str, prefixes: Sequence[str]) -> str:
        """Whether ``column`` starts with one of ``prefixes`` (one IN list per prefix length)."""
        if not prefixes:
            return "FALSE"
        by_len: dict[int, list[str]] = defaultdict(list)
        for p in sorted(set(prefixes)):
            by_len[len(p)].append(p)
        parts = [f"substr({column}, 1, {n}) IN {self._in(ps)}" if n else "TRUE"
                 for n, ps in sorted(by_len.items())]
        return "(" + " OR ".join(parts) + ")"

    def _group_case(self, groups: Sequence[AgeGroup], age: str) -> str:
        if not groups:
            return "''"
        whens = " ".join(
            f"WHEN {age} >= {g.age_from}"
            + (f" AND {age} <= {g.age_to}" if g.age_to is not None else "")
            + f" THEN {self.d.lit(g.label)}"
            for g in groups
        )
        return f"CASE {whens} ELSE '' END"

    def _month_label(self, year: str, month: str) -> str:
        return (f"({self.d.text(year)} || '-' || "
                f"lpad({self.d.text(month)}, 2, '0'))")

    def _name(self, prefix: str, key: tuple[Any, ...]) -> str:
        """A temporary-table name for a shared piece identified by ``key``."""
        full = (prefix, *key)
        if full not in self._names:
            self._names[full] = f"{prefix}_{len(self._names)}"
        return self._names[full]

    def _once(self, name: str, sql: str) -> str:
        if name not in self._made:
            self.run.materialise(name, sql)
            self._made.add(name)
        return name

    def _cells(self, plan: Plan, rows: Sequence[str], spread: bool = False,
               persons: bool = False) -> str:
        """Sum ``rows`` (SELECTs of period, area_level, area_code, sex, age_group, num, den and,
        with ``spread``, sq: the squares of the values summed in num; with ``persons`` also
        dsq and xy: each person's squared den and num × den)."""
        union = " UNION ALL ".join(f"({r})" for r in rows)

        def total(column: str, given: bool) -> str:
            return f"CAST(sum({column}) AS DOUBLE)" if given else _f(0.0)

        return f"""
            SELECT {self._head(plan)}, period, area_level, area_code, sex, age_group,
                CAST(sum(num) AS DOUBLE) AS numerator, CAST(sum(den) AS DOUBLE) AS denominator,
                {total("sq", spread or persons)} AS numerator_sq,
                {total("dsq", persons)} AS denominator_sq,
                {total("xy", persons)} AS numerator_denominator
            FROM ({union}) cell_rows
            GROUP BY period, area_level, area_code, sex, age_group
        """  # noqa: S608

    def sql(self, plan: Plan) -> str:
        """The cell query of ``plan``."""
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

    # --- shared pieces -------------------------------------------------------------------------

    def person_years(self) -> str:
        """Person-years of the requested years."""
        return self._once(
            "py",
            "SELECT year, person_id, sex, birth_date, death_date, municipality_code "  # noqa: S608
            f"FROM persons WHERE year IN {self.years_in}",
        )

    def listed(self, month: int, day: int) -> str:
        """Person-years with the listing valid on (year, month, day), if any: its unit and
        whether it names a doctor."""
        py = self.person_years()
        ref = f"make_date(year, {int(month)}, {int(day)})"
        return self._once(self._name("listed", (month, day)), f"""
            SELECT p.year, p.person_id, p.sex, p.birth_date, p.death_date, p.municipality_code,
                l.person_id IS NOT NULL AS listed, l.care_unit_id AS unit,
                coalesce(l.named_doctor, FALSE) AS named_doctor
            FROM {py} p LEFT JOIN (
                SELECT year, person_id, care_unit_id, named_doctor_id IS NOT NULL AS named_doctor
                FROM listings
                WHERE year IN {self.years_in} AND valid_from <= {ref} AND {ref} < valid_to
            ) l ON l.person_id = p.person_id AND l.year = p.year
        """)  # noqa: S608

    def chains(self, plan: Plan) -> str:
        """Transfer chains for the plan's chain settings (all years of the data).

        The episodes of a person are ordered once; a chain's first episode (which gives its
        id, planned flag and diagnoses) is the one that starts it and its last (which gives the
        residence) the one the next chain's start or the person's last episode follows, so
        the chain's values are filtered aggregates rather than sorted ones.
        """
        gap, requires_code, mvo = plan.chain_key()
        name = self._name("chains", plan.chain_key())
        keep = f"NOT {self._prefix_any('mvo', mvo)}" if mvo else "TRUE"
        order_sql = "admission_date, discharge_date, episode_id"
        link = "TRUE" if not requires_code else (
            "prev_to = 'transfer' OR admitted_from = 'other_hospital'")
        return self._once(name, f"""
            WITH e AS (
                SELECT episode_id, person_id, admission_date, discharge_date, planned,
                       admitted_from, discharged_to, main_diagnosis, other_diagnoses,
                       residence_municipality
                FROM inpatient_episodes WHERE {keep}
            ), o AS (
                SELECT e.*,
                    max(discharge_date) OVER (PARTITION BY person_id ORDER BY {order_sql}
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max,
                    lag(discharged_to) OVER (PARTITION BY person_id ORDER BY {order_sql})
                        AS prev_to
                FROM e
            ), f AS (
                SELECT o.*, CASE
                    WHEN prev_max IS NULL THEN 1
                    WHEN admission_date < prev_max THEN 0
                    WHEN {self.d.days_between('prev_max', 'admission_date')} <= {int(gap)}
                         AND ({link}) THEN 0
                    ELSE 1 END AS new_chain
                FROM o
            ), g AS (
                SELECT f.*, sum(new_chain) OVER (PARTITION BY person_id ORDER BY {order_sql}
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS chain_no,
                    lead(new_chain, 1, 1) OVER (PARTITION BY person_id ORDER BY {order_sql})
                        AS ends_chain
                FROM f
            )
            SELECT person_id,
                first(episode_id) FILTER (WHERE new_chain = 1) AS chain_id,
                min(admission_date) AS admission_date,
                max(discharge_date) AS discharge_date,
                first(planned) FILTER (WHERE new_chain = 1) AS planned,
                first(main_diagnosis) FILTER (WHERE new_chain = 1) AS diagnosis,
                first(other_diagnoses) FILTER (WHERE new_chain = 1) AS other_diagnoses,
                first(residence_municipality) FILTER (WHERE ends_chain = 1) AS residence,
                bool_or(discharged_to = 'death') AS died
            FROM g GROUP BY person_id, chain_no
        """)  # noqa: S608

    def chain_people(self, plan: Plan) -> str:
        """Chains discharged in the requested years, with the person's sex, birth and death."""
        chains, py = self.chains(plan), self.person_years()
        return self._once(self._name("chain_people", plan.chain_key()), f"""
            SELECT c.*, p.sex, p.birth_date, p.death_date
            FROM {chains} c JOIN {py} p
              ON p.year = year(c.discharge_date) AND p.person_id = c.person_id
        """)  # noqa: S608

    def readmitted(self, plan: Plan) -> str:
        """Per chain of :meth:`chain_people`: whether another chain starts in the window."""
        s = plan.settings
        first, last = int(s["window_first_day"]), int(s["window_last_day"])
        unplanned = bool(s["readmission_unplanned_only"])
        key = (*plan.chain_key(), first, last, unplanned)
        index, chains = self.chain_people(plan), self.chains(plan)
        cond = "NOT o.planned" if unplanned else "TRUE"
        return self._once(self._name("readmitted", key), f"""
            SELECT i.chain_id, bool_or(o.chain_id IS NOT NULL) AS readmitted
            FROM {index} i LEFT JOIN {chains} o
              ON o.person_id = i.person_id AND o.chain_id <> i.chain_id
             AND o.admission_date BETWEEN {self.d.add_days('i.discharge_date', first)}
                                      AND {self.d.add_days('i.discharge_date', last)}
             AND {cond}
            GROUP BY i.chain_id
        """)  # noqa: S608

    def person_death(self) -> str:
        """Each person's death date (any year)."""
        return self._once(
            "person_death",
            "SELECT person_id, max(death_date) AS death_date FROM persons "
            "WHERE death_date IS NOT NULL GROUP BY person_id",
        )

    def _cube_filter(self, plan: Plan) -> dict[str, tuple[str, ...]]:
        """The contacts a cube plan counts: allowed values per column of the contact."""
        s = plan.settings
        return {"c.care_level": tuple(sorted(set(s["care_levels"]))),
                "c.profession": tuple(sorted(set(s["professions"]))),
                "c.mode": tuple(_modes(plan)[0])}

    def _filter_sql(self, found: dict[str, tuple[str, ...]]) -> str:
        return "(" + " AND ".join(self._is_in(col, values) for col, values in found.items()) + ")"

    def _cube_terms(self, plan: Plan) -> tuple[str, str, str]:
        """(contact filter, person condition, hit) of a cube plan on contact ``c``, person ``p``.

        The contact filter reads only the contact (it goes into WHERE, before the join); the
        person condition (age limits) is applied inside the counts.
        """
        hit = self._is_in("c.mode", _modes(plan)[1])
        return self._filter_sql(self._cube_filter(plan)), self._contact_age(plan), hit

    @staticmethod
    def _contact_age(plan: Plan) -> str:
        """The plan's age limits on the person ``p`` at the date of contact ``c``."""
        return (_age_ok(plan, age_sql("p.birth_date", "c.contact_date"))
                if _has_age_limits(plan) else "TRUE")

    def _cube_where(self) -> str:
        """Contacts any cube plan counts; a plan whose contacts another's include adds no
        condition of its own."""
        filters = [self._cube_filter(p) for p in self.cube_plans]

        def within(a: dict[str, tuple[str, ...]], b: dict[str, tuple[str, ...]]) -> bool:
            return all(col in a and set(a[col]) <= set(values) for col, values in b.items())

        kept = [f for i, f in enumerate(filters)
                if not any(within(f, g) and (f != g or j < i)
                           for j, g in enumerate(filters) if j != i)]
        return " OR ".join(sorted(self._filter_sql(f) for f in kept))

    def _cube_columns(self) -> list[tuple[str, str, str]]:
        """The distinct (contact filter, person condition, hit) of the cube plans, in order:
        plans that count the same contacts (say, the distance share and the offering of the
        same modes) share one pair of columns."""
        distinct: list[tuple[str, str, str]] = []
        for p in self.cube_plans:
            if (terms := self._cube_terms(p)) not in distinct:
                distinct.append(terms)
        return distinct

    def contact_cube(self) -> str:
        """Counts per month, unit, residence and sex for every cube plan, in one pass.

        The contacts are first counted per cell and per care level, profession, mode and
        person condition (the age limits, evaluated only for the contacts of the plans that
        have them); each plan's counts then come from that small table, so the plans'
        conditions are evaluated once per group rather than once per contact.
        """
        terms = self._cube_columns()
        ages = sorted({a for _, a, _ in terms if a != "TRUE"})

        def count(*conds: str) -> str:
            kept = [f"c.a{ages.index(c)}" if c in ages else c for c in conds if c != "TRUE"]
            cond = " AND ".join(kept) or "TRUE"
            return f"CAST(sum(CASE WHEN {cond} THEN c.n ELSE 0 END) AS BIGINT)"

        cols = ", ".join(f"{count(c, a)} AS n{i}, {count(c, a, h)} AS h{i}"
                         for i, (c, a, h) in enumerate(terms))
        inner = ["c.year AS year", "month(c.contact_date) AS month", "c.care_unit_id AS unit",
                 "c.residence_municipality AS residence", "p.sex AS sex",
                 "c.care_level AS care_level", "c.profession AS profession", "c.mode AS mode",
                 *(f"CASE WHEN {' OR '.join(sorted({c for c, a2, _ in terms if a2 == a}))} "
                   f"THEN {a} END AS a{j}" for j, a in enumerate(ages))]
        py = self.person_years()
        return self._once("contact_cube", f"""
            SELECT c.year AS year, c.month AS month, c.unit AS unit, c.residence AS residence,
                c.sex AS sex, {cols}
            FROM (
                SELECT {', '.join(inner)}, count(*) AS n
                FROM outpatient_contacts c JOIN {py} p
                  ON p.year = c.year AND p.person_id = c.person_id
                WHERE c.year IN {self.years_in} AND ({self._cube_where()})
                GROUP BY {', '.join(str(i + 1) for i in range(len(inner)))}
            ) c
            GROUP BY c.year, c.month, c.unit, c.residence, c.sex
        """)  # noqa: S608

    def _assessment_terms(self, plan: Plan) -> tuple[str, str]:
        s = plan.settings
        conds = [self._is_in("a.profession", s["professions"])]
        if s["exclude_patient_chosen"]:
            conds.append("NOT a.patient_chose_later")
        if s["completed_only"]:
            conds.append("a.assessment_date IS NOT NULL")
        hit = (f"(a.assessment_date IS NOT NULL AND "
               f"{self.d.days_between('a.contact_date', 'a.assessment_date')} "
               f"<= {int(s['max_days'])})")
        return "(" + " AND ".join(conds) + ")", hit

    def assessment_cube(self) -> str:
        """Cases per month, unit and sex for every care-guarantee plan, in one pass."""
        terms = [self._assessment_terms(p) for p in self.assessment_plans]
        cols = ", ".join(f"count_if({c}) AS n{i}, count_if({c} AND {h}) AS h{i}"
                         for i, (c, h) in enumerate(terms))
        return self._once("assessment_cube", f"""
            SELECT a.year AS year, month(a.contact_date) AS month, a.care_unit_id AS unit,
                a.sex AS sex, {cols}
            FROM assessments a
            WHERE a.year IN {self.years_in}
            GROUP BY a.year, month(a.contact_date), a.care_unit_id, a.sex
        """)  # noqa: S608

    complete_values: ClassVar[dict[str, frozenset[str]]] = {
        c.name: frozenset(c.allowed) for c in table("outpatient_contacts").columns
        if c.allowed is not None and not c.nullable}
    """Columns of ``outpatient_contacts`` whose every valid value the data model lists."""

    @staticmethod
    def _scope(plan: Plan) -> tuple[tuple[str, ...], ...]:
        s = plan.settings
        return (tuple(sorted(s["care_levels"])), tuple(sorted(s["professions"])),
                tuple(sorted(s["modes"])))

    def scope_filter(self) -> tuple[str, list[str]]:
        """(filter, one flag per scope) on a row of ``outpatient_contacts``.

        A row is in scope ``k`` when its care level, profession and mode are in the scope's
        sets. The filter tests each column once against the union of the scopes' sets and then
        only the columns whose set differs from that union; each flag tests only those columns
        (``TRUE`` when none). A column whose union holds every value the data model allows
        it (and that cannot be missing) is not tested at all: validated data pass it anyway.
        Both are exactly the scope conditions on validated data, with fewer string comparisons
        per row.
        """
        columns = ("care_level", "profession", "mode")
        unions = [sorted({v for scope in self.scopes for v in scope[d]})
                  for d in range(len(columns))]
        complete = self.complete_values
        flags = []
        for scope in self.scopes:
            terms = [self._is_in(col, scope[d]) for d, col in enumerate(columns)
                     if sorted(set(scope[d])) != unions[d]]
            flag = " AND ".join(terms)
            flags.append(f"({flag})" if len(terms) > 1 else flag or "TRUE")
        conds = [self._is_in(col, unions[d]) for d, col in enumerate(columns)
                 if col not in complete or not complete[col] <= set(unions[d])]
        if "TRUE" not in flags:
            conds.append("(" + " OR ".join(flags) + ")")
        return " AND ".join(conds) or "TRUE", flags

    def visits_sql(self, years: Sequence[int] | None = None, day: str = "contact_date",
                   with_year: bool = True) -> str:
        """Visits in any continuity scope: person-year, ``day``, contact id, clinician, flags
        (without the year if ``with_year`` is false, for a caller that reads one year)."""
        where, flags = self.scope_filter()
        cols = ", ".join(f"{f} AS s{k}" for k, f in enumerate(flags))
        years_in = self.years_in if years is None else _int_list(years)
        # a visit without its clinician shows no continuity and is left out; validated data
        # have the clinician of every primary-care visit, so only other levels are tested
        if any(set(scope[0]) - {"primary"} for scope in self.scopes):
            where += " AND clinician_id IS NOT NULL"
        return f"""
            SELECT {"year, " if with_year else ""}person_id, {day} AS day, contact_id,
                clinician_id AS cl, {cols}
            FROM outpatient_contacts
            WHERE year IN {years_in} AND {where}
        """  # noqa: S608

    def visit_stats(self) -> str:
        """Per patient-year and scope: visits, Σ n_j², max n_j, clinicians, same-clinician pairs.

        One pass over the visits of every continuity scope: one window gives the sequential
        pairs of all scopes (the previous visit in a scope is the last clinician of that scope
        before the visit), then the visits are counted per clinician and per patient. A missing
        clinician id counts as one clinician (``''``).
        """
        ks = range(len(self.scopes))
        window = "PARTITION BY year, person_id ORDER BY day, contact_id"
        if len(self.scopes) == 1:
            lags = f"lag(cl) OVER ({window}) AS p0"
        else:
            lags = ", ".join(f"{self.d.lag_ignore_nulls(f'CASE WHEN s{k} THEN cl END')} "
                             f"OVER ({window}) AS p{k}" for k in ks)
        scope_cols = ", ".join(f"s{k}" for k in ks)
        counts = ", ".join(f"count_if(s{k}) AS c{k}, count_if(s{k} AND cl = p{k}) AS q{k}"
                           for k in ks)
        sums = ", ".join(f"sum(c{k}) AS n{k}, sum(c{k} * c{k}) AS sq{k}, max(c{k}) AS mx{k}, "
                         f"count_if(c{k} > 0) AS m{k}, sum(q{k}) AS same{k}" for k in ks)
        return self._once("visit_stats", f"""
            WITH w AS (
                SELECT year, person_id, cl, {scope_cols}, {lags} FROM ({self.visits_sql()}) v
            ), pc AS (
                SELECT year, person_id, cl, {counts} FROM w GROUP BY year, person_id, cl
            )
            SELECT year, person_id, {sums} FROM pc GROUP BY year, person_id
        """)  # noqa: S608

    @staticmethod
    def _minimum(plan: Plan) -> int:
        """Fewest visits a patient needs to count in a continuity plan (COC and SECON need two
        visits to be defined at all)."""
        s = plan.settings
        return max(int(s["min_visits"]), 2 if str(s["index"]) in ("coc", "secon") else 1)

    def scope_minimums(self) -> list[int]:
        """Per continuity scope, the fewest visits with which a patient counts in any plan."""
        return [min(self._minimum(p) for p in self.continuity_plans if self._scope(p) == scope)
                for scope in self.scopes]

    def _continuity_terms(self, plan: Plan) -> tuple[str, str]:
        """(patient counted, index value) of a continuity plan on stats ``t``, person ``p``."""
        s = plan.settings
        k = self.scopes.index(self._scope(plan))
        n = f"CAST(t.n{k} AS DOUBLE)"
        one = _f(1.0)
        values = {
            "coc": f"(CAST(t.sq{k} - t.n{k} AS DOUBLE) / NULLIF({n} * ({n} - {one}), 0))",
            "upc": f"(CAST(t.mx{k} AS DOUBLE) / NULLIF({n}, 0))",
            "mmci": f"(({one} - CAST(t.m{k} AS DOUBLE) / ({n} + {_f(0.1)})) / "
                    f"({one} - {one} / ({n} + {_f(0.1)})))",
            "secon": f"(CAST(t.same{k} AS DOUBLE) / NULLIF({n} - {one}, 0))",
        }
        index = str(s["index"])
        counted = (f"(t.n{k} >= {self._minimum(plan)} AND "
                   f"{_age_ok(plan, age_sql('p.birth_date', 'make_date(t.year, 12, 31)'))})")
        return counted, values[index]

    def continuity_cube(self) -> str:
        """Sums of index values and patients per residence, year-end unit and sex, every plan.

        :meth:`visit_stats` joined once to the person and the 31 December listing; each
        continuity plan has a pair of columns (sum of its index values, number of patients).
        The sums are exact decimals (:data:`EXACT`) until the cell query turns them to doubles.
        """
        stats, listed = self.visit_stats(), self.listed(12, 31)
        terms = [self._continuity_terms(p) for p in self.continuity_plans]
        cols = ", ".join(f"coalesce(sum(CASE WHEN {c} THEN CAST({v} AS {EXACT}) END), 0) "
                         f"AS v{i}, count_if({c}) AS c{i}, "
                         f"coalesce(sum(CASE WHEN {c} THEN CAST({v} * {v} AS {EXACT}) END), 0) "
                         f"AS s{i}" for i, (c, v) in enumerate(terms))
        return self._once("continuity_cube", f"""
            SELECT t.year AS year, p.municipality_code AS residence, p.unit AS unit,
                p.sex AS sex, {cols}
            FROM {stats} t JOIN {listed} p ON p.year = t.year AND p.person_id = t.person_id
            GROUP BY t.year, p.municipality_code, p.unit, p.sex
        """)  # noqa: S608

    def population(self, plan: Plan, by_group: bool) -> str:
        """Rows of population denominators within the plan's age limits."""
        group = self._group_case(plan.groups, "age") if by_group else "''"
        if plan.settings.get("population_basis") == "mean":
            # each year-end population counts half in its own year and half in the next
            before = _int_list(sorted({*self.years, *(y - 1 for y in self.years)}))
            return f"""
                SELECT {self.d.text('p.year + k.k')} AS period, 'municipality' AS area_level,
                    p.municipality_code AS area_code, p.sex AS sex, {group} AS age_group,
                    0 AS num, p.count * 0.5 AS den
                FROM population p CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 AS k) k
                WHERE p.year IN {before} AND p.year + k.k IN {self.years_in}
                    AND {_age_ok(plan, 'p.age')}
            """  # noqa: S608
        return f"""
            SELECT {self.d.text('year')} AS period, 'municipality' AS area_level,
                municipality_code AS area_code, sex, {group} AS age_group, 0 AS num,
                count AS den
            FROM population WHERE year IN {self.years_in} AND {_age_ok(plan, 'age')}
        """  # noqa: S608

    # --- kinds -------------------------------------------------------------------------------

    def avoidable_inpatient(self, plan: Plan) -> str:
        """Chains with a main (or, if set, secondary) diagnosis in the lists, by age group."""
        s = plan.settings
        people = self.chain_people(plan)
        day = "c.admission_date" if s["age_reference"] == "admission" else "c.discharge_date"
        age = age_sql("c.birth_date", day)
        prefixes = plan.prefixes or ()
        hit = self._prefix_any("c.diagnosis", prefixes)
        if s["use_secondary_diagnoses"]:
            inner = self._prefix_any("x", prefixes)
            hit = f"({hit} OR {self.d.any_element('c.other_diagnoses', 'x', inner)})"
        unplanned = "NOT c.planned" if s["unplanned_only"] else "TRUE"
        events = f"""
            SELECT {self.d.text('year(c.discharge_date)')} AS period,
                'municipality' AS area_level, c.residence AS area_code, c.sex AS sex,
                {self._group_case(plan.groups, age)} AS age_group, 1 AS num, 0 AS den
            FROM {people} c
            WHERE {unplanned} AND {hit} AND {_age_ok(plan, age)}
        """  # noqa: S608
        return self._cells(plan, [events, self.population(plan, by_group=True)])

    def readmission(self, plan: Plan) -> str:
        """Index chains and whether they were followed by a readmission in the window."""
        s = plan.settings
        people, flags = self.chain_people(plan), self.readmitted(plan)
        day = "c.admission_date" if s["age_reference"] == "admission" else "c.discharge_date"
        age = age_sql("c.birth_date", day)
        last = int(s["window_last_day"])
        conds = [_age_ok(plan, age)]
        if s["exclude_death_in_stay"]:
            conds.append("NOT (c.died OR coalesce(c.death_date <= c.discharge_date, FALSE))")
        if plan.prefixes is not None:
            conds.append(self._prefix_any("c.diagnosis", plan.prefixes))
        if s["incomplete_follow_up"] == "exclude":
            conds.append(f"{self.d.add_days('c.discharge_date', last)} "
                         f"<= {self._date(data_end(self.data))}")
        join = ""
        if s["deaths_after_discharge"] == "exclude":
            join = f"LEFT JOIN {self.person_death()} d ON d.person_id = c.person_id"
            conds.append(
                f"(r.readmitted OR d.death_date IS NULL OR NOT "
                f"({self.d.days_between('c.discharge_date', 'd.death_date')} "
                f"BETWEEN 1 AND {last}))")
        # per person: y readmitted of x index stays
        stays = f"""
            SELECT {self.d.text('year(c.discharge_date)')} AS period, c.residence AS residence,
                c.sex AS sex, c.person_id AS person_id,
                sum(CASE WHEN r.readmitted THEN 1 ELSE 0 END) AS y, count(*) AS x
            FROM {people} c JOIN {flags} r ON r.chain_id = c.chain_id {join}
            WHERE {' AND '.join(conds)}
            GROUP BY 1, 2, 3, 4
        """  # noqa: S608
        return self._cells(plan, [self._per_person(stays)], persons=True)

    @staticmethod
    def _per_person(persons: str) -> str:
        """Cell rows by residence from ``persons``, a SELECT of period, residence, sex,
        person_id, y and x with one row per person: the sums of y and x with those of y², x²
        and xy (the spread over persons of a share or rate whose units cluster in persons)."""
        return f"""
            SELECT period, 'municipality' AS area_level, residence AS area_code, sex,
                '' AS age_group, sum(y) AS num, sum(x) AS den, sum(y * y) AS sq,
                sum(x * x) AS dsq, sum(x * y) AS xy
            FROM ({persons}) per_person
            GROUP BY period, residence, sex
        """  # noqa: S608

    def _cube_index(self, plan: Plan) -> int:
        return self._cube_columns().index(self._cube_terms(plan))

    def emergency_visits(self, plan: Plan) -> str:
        """Visits by residence and sex, counted per person so that each cell also carries the
        sum of the squares of its persons' counts (repeat visits of one person widen the
        interval), and the population of the age limits."""
        py, lowest = self.person_years(), plan.definition.age.min
        if lowest is not None:  # only those who reach the lowest age in some year are joined
            born = self._date(dt.date(max(self.years) - int(lowest), 12, 31))
            py = f"(SELECT * FROM {py} WHERE birth_date <= {born})"  # noqa: S608
        visits = f"""
            SELECT {self.d.text('c.year')} AS period, c.residence_municipality AS residence,
                p.sex AS sex, c.person_id AS person_id, count(*) AS y, 0 AS x
            FROM outpatient_contacts c JOIN {py} p
              ON p.year = c.year AND p.person_id = c.person_id
            WHERE c.year IN {self.years_in}
              AND {self._is_in("c.care_level", plan.settings["care_levels"])}
              AND {self._contact_age(plan)}
            GROUP BY 1, 2, 3, 4
        """  # noqa: S608
        population = (f"SELECT pop.*, 0 AS sq, 0 AS dsq, 0 AS xy "  # noqa: S608
                      f"FROM ({self.population(plan, False)}) pop")
        return self._cells(plan, [self._per_person(visits), population], persons=True)

    def _unit_periods(self, plan: Plan, cube: str, i: int) -> list[str]:
        """Rows from a (year, month, unit, sex) cube for the plan's periods and unit levels."""
        d = plan.definition
        periods = []
        if "year" in d.periods:
            periods.append(self.d.text("k.year"))
        if "month" in d.periods:
            periods.append(self._month_label("k.year", "k.month"))
        levels = [("municipality", "u.municipality_code")]
        if "care_unit" in d.areas:
            levels.append(("care_unit", "k.unit"))
        return [
            f"""SELECT {period} AS period, '{level}' AS area_level, {code} AS area_code,
                    k.sex AS sex, '' AS age_group, k.h{i} AS num, k.n{i} AS den
                FROM {cube} k JOIN care_units u ON u.care_unit_id = k.unit
                WHERE k.n{i} > 0"""  # noqa: S608
            for period in periods for level, code in levels
        ]

    def distance_share(self, plan: Plan) -> str:
        """Remote visits among counted visits, by the unit's municipality and by unit."""
        return self._cells(plan, self._unit_periods(plan, self.contact_cube(),
                                                    self._cube_index(plan)))

    def distance_offering(self, plan: Plan) -> str:
        """Units with enough visits, and whether their remote share reaches the threshold."""
        s = plan.settings
        cube, i = self.contact_cube(), self._cube_index(plan)
        rows = f"""
            SELECT {self.d.text('t.year')} AS period, 'municipality' AS area_level,
                u.municipality_code AS area_code, 'T' AS sex, '' AS age_group,
                CASE WHEN {_f(100.0)} * t.remote >= {_f(float(s['min_share_percent']))} * t.visits
                    THEN 1 ELSE 0 END AS num, 1 AS den
            FROM (SELECT year, unit, sum(n{i}) AS visits, sum(h{i}) AS remote
                  FROM {cube} GROUP BY year, unit) t
            JOIN care_units u ON u.care_unit_id = t.unit
            WHERE u.kind IN {self._in(s["unit_kinds"])} AND t.visits > 0
              AND t.visits >= {int(s["min_visits"])}
        """  # noqa: S608
        return self._cells(plan, [rows])

    def named_doctor(self, plan: Plan) -> str:
        """Persons alive and resident on the reference day; listed with a named doctor."""
        s = plan.settings
        month, day = (int(x) for x in str(s["reference_day"]).split("-"))
        listed = self.listed(month, day)
        ref = f"make_date(p.year, {month}, {day})"
        population = s["population"]
        conds = [f"(p.death_date IS NULL OR p.death_date > {ref})",
                 _age_ok(plan, age_sql("p.birth_date", ref))]
        join = ""
        if population == "listed":
            conds.append("p.listed")
        if population == "special_housing":
            join = ("JOIN (SELECT DISTINCT year, person_id FROM "  # noqa: S608 -- schema names
                    "municipal_health_care WHERE special_housing AND month = "
                    f"{int(s['special_housing_month'])}) m "
                    "ON m.person_id = p.person_id AND m.year = p.year")
        den = "0" if population == "whole" else "1"
        rows = [f"""
            SELECT {self.d.text('p.year')} AS period, 'municipality' AS area_level,
                p.municipality_code AS area_code, p.sex AS sex, '' AS age_group,
                CASE WHEN p.named_doctor THEN 1 ELSE 0 END AS num, {den} AS den
            FROM {listed} p {join}
            WHERE {' AND '.join(conds)}
        """]  # noqa: S608
        if population == "whole":
            rows.append(self.population(plan, by_group=False))
        return self._cells(plan, rows)

    def continuity(self, plan: Plan) -> str:
        """Mean index per patient, by residence and by the unit listed at on 31 December."""
        cube = self.continuity_cube()
        i = next(j for j, p in enumerate(self.continuity_plans) if p is plan)
        levels = [("municipality", "residence", "TRUE")]
        if "care_unit" in plan.definition.areas:
            levels.append(("care_unit", "unit", "unit IS NOT NULL"))
        rows = [f"""
            SELECT {self.d.text('year')} AS period, '{level}' AS area_level,
                {code} AS area_code, sex, '' AS age_group, v{i} AS num, c{i} AS den,
                s{i} AS sq
            FROM {cube} WHERE c{i} > 0 AND {cond}
        """ for level, code, cond in levels]  # noqa: S608
        return self._cells(plan, rows, spread=True)

    def care_guarantee(self, plan: Plan) -> str:
        """Cases assessed within the limit among cases, by unit municipality and unit."""
        i = next(j for j, p in enumerate(self.assessment_plans) if p is plan)
        return self._cells(plan, self._unit_periods(plan, self.assessment_cube(), i))

    def cost_share(self, plan: Plan) -> str:
        """Costs of the numerator and denominator care levels, by region."""
        s = plan.settings
        rows = f"""
            SELECT {self.d.text('year')} AS period, 'region' AS area_level,
                region_code AS area_code, 'T' AS sex, '' AS age_group,
                CASE WHEN care_level IN {self._in(s['numerator_levels'])} THEN cost_sek ELSE 0
                    END AS num,
                CASE WHEN care_level IN {self._in(s['denominator_levels'])} THEN cost_sek ELSE 0
                    END AS den
            FROM costs WHERE year IN {self.years_in} AND funder IN {self._in(s['funders'])}
        """  # noqa: S608
        return self._cells(plan, [rows])


class _Recorder:
    """An executor that materialises nothing and keeps what it was asked to materialise."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.made: list[tuple[str, str]] = []

    def materialise(self, name: str, sql: str) -> None:
        self.made.append((name, sql))


def last_uses(data: RegisterData, plans: Sequence[Plan], years: Sequence[int],
              order: Sequence[int], dialect: Dialect = DUCKDB) -> dict[str, int]:
    """For each shared piece, the position in ``order`` of the last plan that reads it.

    The queries are built without running anything, in the order the engine runs the plans: a
    piece is read by a plan when the plan's query, or the query of a piece materialised while
    building it, names the piece. An engine can drop a piece once that plan has run.
    """
    recorder = _Recorder(dialect)
    queries = CellQueries(recorder, data, plans, years)
    last: dict[str, int] = {}
    for pos, i in enumerate(order):
        first_new = len(recorder.made)
        text = "\n".join([queries.sql(plans[i]), *(sql for _, sql in recorder.made[first_new:])])
        for at, (name, _) in enumerate(recorder.made):
            if at >= first_new or re.search(rf"\b{re.escape(name)}\b", text):
                last[name] = pos
    return last


def _modes(plan: Plan) -> tuple[list[str], list[str]]:
    """(counted modes, remote modes) of a distance plan."""
    s = plan.settings
    remote = sorted(set(s["remote_modes"]) | ({"phone"} if s["phone_counts"] else set()))
    return sorted({*s["visit_modes"], *remote}), remote
