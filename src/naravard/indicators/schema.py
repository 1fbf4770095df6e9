"""The register data model: one Arrow schema per table, with meaning and allowed values per column.

This module is the single source of truth for ``docs/data-model.md`` (rendered by
``naravard indicators docs``) and for the checks in :mod:`naravard.indicators.loader`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

ICD10_PATTERN = r"^[A-Z][0-9]{2}[0-9A-Z]{0,3}$"
MUNICIPALITY_PATTERN = r"^[0-9]{4}$"
REGION_PATTERN = r"^[0-9]{2}$"

SEX_VALUES = ("K", "M")
CARE_LEVELS = ("primary", "specialist", "emergency")
CONTACT_MODES = ("physical", "video", "phone", "letter")
PROFESSIONS = (
    "doctor",
    "nurse",
    "physiotherapist",
    "occupational_therapist",
    "psychologist",
    "counsellor",
    "dietitian",
    "other",
)
ADMITTED_FROM = ("home", "other_hospital", "special_housing", "other")
DISCHARGED_TO = ("home", "transfer", "special_housing", "death", "other")
UNIT_KINDS = ("health_centre", "hospital", "emergency_department", "specialist_clinic")
OWNERSHIP = ("public", "private")
FUNDERS = ("region", "municipality")
COST_CARE_LEVELS = (
    "primary_care",
    "specialised_somatic",
    "specialised_psychiatric",
    "other_health_care",
    "pharmaceuticals_benefit",
    "dental_care",
)


@dataclass(frozen=True)
class Column:
    """One column: Arrow type, nullability, meaning, mirrored register variable and value rules."""

    name: str
    type: pa.DataType
    meaning: str
    mirrors: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    org_check: str | None = None  # "municipality" or "region": code must exist in reference data

    def rule_text(self) -> str:
        """The value rule in words, for the documentation."""
        parts: list[str] = []
        if self.allowed is not None:
            parts.append(", ".join(f"`{v}`" for v in self.allowed))
        if self.pattern is not None:
            parts.append(f"matches `{self.pattern}`")
        if self.min_value is not None:
            parts.append(f"≥ {self.min_value}")
        if self.max_value is not None:
            parts.append(f"≤ {self.max_value}")
        if self.org_check is not None:
            parts.append(f"a {self.org_check} code in the reference data")
        return "; ".join(parts) or "any"


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns of one row, as a SQL condition that must hold (NULL counts as true)."""

    column: str
    sql: str
    text: str


@dataclass(frozen=True)
class Reference:
    """``column`` must occur in ``target_table.target_column`` (optionally per year)."""

    column: str
    target_table: str
    target_column: str


@dataclass(frozen=True)
class TableSpec:
    """One register table."""

    name: str
    description: str
    mirrors: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    partitioned_by_year: bool = False
    row_checks: tuple[RowCheck, ...] = ()
    references: tuple[Reference, ...] = ()
    no_overlap: tuple[str, str, str] | None = None  # (group column, from column, to column)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name} has no column {name}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in order."""
        return tuple(c.name for c in self.columns)

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of the table (the year partition column included)."""
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    def file_schema(self) -> pa.Schema:
        """The Arrow schema of one Parquet file (without the hive partition column ``year``)."""
        cols = [c for c in self.columns if not (self.partitioned_by_year and c.name == "year")]
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in cols])


def _year(meaning: str) -> Column:
    return Column("year", pa.int16(), meaning, "partition", min_value=1900, max_value=2100)


PERSON_ID = "Pseudonymous person id (LopNr), the same in every table."

PERSONS = TableSpec(
    name="persons",
    description=(
        "One row per person and year for everyone registered as resident in Sweden at some time "
        "during the year: alive on 31 December, or died during the year."
    ),
    mirrors="Registret över totalbefolkningen (RTB, SCB); death date from Dödsorsaksregistret",
    partitioned_by_year=True,
    columns=(
        _year("Register year (hive partition `year=YYYY`)."),
        Column("person_id", pa.int64(), PERSON_ID, "RTB LopNr", min_value=1),
        Column("sex", pa.string(), "Legal sex: K women, M men.", "RTB Kon (2 → K, 1 → M)",
               allowed=SEX_VALUES),
        Column("birth_date", pa.date32(), "Date of birth.", "RTB FodelseDatum"),
        Column("death_date", pa.date32(), "Date of death; empty if alive at the end of the year.",
               "Dödsorsaksregistret DODSDAT", nullable=True),
        Column("municipality_code", pa.string(),
               "Municipality of residence on 31 December, or on the day of death.",
               "RTB Kommun (folkbokföringskommun)", pattern=MUNICIPALITY_PATTERN,
               org_check="municipality"),
    ),
    key=("year", "person_id"),
    row_checks=(
        RowCheck("death_date", "death_date IS NULL OR death_date >= birth_date",
                 "death date on or after birth date"),
        RowCheck("death_date", "death_date IS NULL OR year(death_date) = year",
                 "death date within the register year"),
        RowCheck("birth_date", "year(birth_date) <= year", "born no later than the register year"),
    ),
)

POPULATION = TableSpec(
    name="population",
    description="Aggregate population on 31 December by municipality, sex and single year of age.",
    mirrors="SCB Befolkningsstatistik BE0101 (Folkmängd 31 december efter region, ålder, kön)",
    columns=(
        Column("year", pa.int16(), "Year; the count is the population on 31 December.",
               "BE0101 Tid", min_value=1900, max_value=2100),
        Column("municipality_code", pa.string(), "Municipality.", "BE0101 Region",
               pattern=MUNICIPALITY_PATTERN, org_check="municipality"),
        Column("sex", pa.string(), "K women, M men.", "BE0101 Kon", allowed=SEX_VALUES),
        Column("age", pa.int16(), "Age in completed years on 31 December.", "BE0101 Alder",
               min_value=0, max_value=120),
        Column("count", pa.int64(), "Number of inhabitants.", "BE0101 Folkmangd", min_value=0),
    ),
    key=("year", "municipality_code", "sex", "age"),
)

INPATIENT = TableSpec(
    name="inpatient_episodes",
    description=(
        "Inpatient care episodes (vårdtillfällen) as reported, before transfers are chained; "
        "partitioned by discharge year."
    ),
    mirrors="Patientregistret, slutenvård (Socialstyrelsen)",
    partitioned_by_year=True,
    columns=(
        _year("Discharge year (hive partition)."),
        Column("episode_id", pa.int64(), "Episode id.", "Patientregistret (row id)", min_value=1),
        Column("person_id", pa.int64(), PERSON_ID, "LopNr", min_value=1),
        Column("care_unit_id", pa.string(), "Hospital/clinic that cared for the patient.",
               "SJUKHUS + MVO (kombika)"),
        Column("region_code", pa.string(), "Region providing the care.",
               "derived from SJUKHUS", pattern=REGION_PATTERN, org_check="region"),
        Column("residence_municipality", pa.string(),
               "Patient's municipality of residence at the time of care.", "LKF (Kommun)",
               pattern=MUNICIPALITY_PATTERN, org_check="municipality"),
        Column("admission_date", pa.date32(), "Admission date.", "INDATUM"),
        Column("discharge_date", pa.date32(), "Discharge date.", "UTDATUM"),
        Column("planned", pa.bool_(), "True when the time was agreed in advance.",
               "PVARD (1 planerad → true, 2 ej planerad → false)"),
        Column("admitted_from", pa.string(), "Where the patient came from.", "INSATT",
               allowed=ADMITTED_FROM),
        Column("discharged_to", pa.string(), "Where the patient went; `death` if died in care.",
               "UTSATT", allowed=DISCHARGED_TO),
        Column("mvo", pa.string(), "Medical speciality (medicinskt verksamhetsområde); 9xx "
               "psychiatry.", "MVO", pattern=r"^[0-9]{3}$"),
        Column("main_diagnosis", pa.string(), "Main diagnosis, ICD-10-SE without dot.", "HDIA",
               pattern=ICD10_PATTERN),
        Column("other_diagnoses", pa.list_(pa.string()),
               "Secondary diagnoses, ICD-10-SE without dot.", "BDIA1–BDIA30", nullable=True,
               pattern=ICD10_PATTERN),
    ),
    key=("episode_id",),
    row_checks=(
        RowCheck("discharge_date", "discharge_date >= admission_date",
                 "discharge on or after admission"),
        RowCheck("year", "year(discharge_date) = year", "partition year = discharge year"),
    ),
    references=(Reference("person_id", "persons", "person_id"),),
)

OUTPATIENT = TableSpec(
    name="outpatient_contacts",
    description=(
        "Outpatient contacts in primary care, specialist care and hospital emergency departments; "
        "partitioned by contact year."
    ),
    mirrors=(
        "Patientregistret, öppenvård (specialist care and akutmottagning); primary care from "
        "regional data (vårddatalager), as in Väntetidsdatabasen's extended follow-up"
    ),
    partitioned_by_year=True,
    columns=(
        _year("Contact year (hive partition)."),
        Column("contact_id", pa.int64(), "Contact id.", "row id", min_value=1),
        Column("person_id", pa.int64(), PERSON_ID, "LopNr", min_value=1),
        Column("contact_date", pa.date32(), "Date of the contact.", "INDATUM"),
        Column("residence_municipality", pa.string(),
               "Patient's municipality of residence at the time of care.", "LKF (Kommun)",
               pattern=MUNICIPALITY_PATTERN, org_check="municipality"),
        Column("region_code", pa.string(), "Region providing the care.", "derived from unit",
               pattern=REGION_PATTERN, org_check="region"),
        Column("care_unit_id", pa.string(), "Care unit (health centre, clinic, emergency "
               "department).", "SJUKHUS/kombika; HSA-id for primary care"),
        Column("care_level", pa.string(), "Primary care, specialist care or hospital emergency "
               "department.", "VI 2000 verksamhet; akutmottagning flag", allowed=CARE_LEVELS),
        Column("profession", pa.string(), "Profession of the clinician met.",
               "Yrkeskategori (Väntetidsdatabasen)", allowed=PROFESSIONS),
        Column("clinician_id", pa.string(),
               "Pseudonymous clinician id; required in primary care (continuity).",
               "regional staff id (HSA-id), pseudonymised", nullable=True),
        Column("mode", pa.string(), "Contact mode: physical visit, video, telephone replacing a "
               "visit, or letter/written e-service.", "Besöksform (Väntetidsdatabasen)",
               allowed=CONTACT_MODES),
        Column("main_diagnosis", pa.string(), "Main diagnosis if recorded.", "HDIA",
               nullable=True, pattern=ICD10_PATTERN),
    ),
    key=("contact_id",),
    row_checks=(
        RowCheck("year", "year(contact_date) = year", "partition year = contact year"),
        RowCheck("clinician_id", "care_level <> 'primary' OR clinician_id IS NOT NULL",
                 "clinician id present in primary care"),
    ),
    references=(
        Reference("person_id", "persons", "person_id"),
        Reference("care_unit_id", "care_units", "care_unit_id"),
    ),
)

CARE_UNITS = TableSpec(
    name="care_units",
    description="Care units: health centres, hospitals, emergency departments, specialist clinics.",
    mirrors="HSA-katalogen / regional unit registers; SJUKHUS codes in Patientregistret",
    columns=(
        Column("care_unit_id", pa.string(), "Unit id.", "HSA-id / kombika"),
        Column("name", pa.string(), "Unit name.", "HSA namn"),
        Column("region_code", pa.string(), "Region responsible for the unit.", "län/region",
               pattern=REGION_PATTERN, org_check="region"),
        Column("municipality_code", pa.string(), "Municipality where the unit lies.",
               "besöksadress kommun", pattern=MUNICIPALITY_PATTERN, org_check="municipality"),
        Column("kind", pa.string(), "Kind of unit.", "verksamhetstyp", allowed=UNIT_KINDS),
        Column("ownership", pa.string(), "Public or private operator.", "Ägarform",
               allowed=OWNERSHIP),
    ),
    key=("care_unit_id",),
    row_checks=(
        RowCheck("municipality_code", "substr(municipality_code, 1, 2) = region_code",
                 "municipality lies in the unit's region"),
    ),
)

LISTINGS = TableSpec(
    name="listings",
    description=(
        "Listing spells at a health centre with the named regular doctor (fast läkarkontakt) "
        "and named care contact (fast vårdkontakt). A spell crossing a year boundary is split: "
        "each row is the part of a spell within its partition year, so `valid_to` is at most "
        "1 January of the following year."
    ),
    mirrors="Regional listing systems (listningsregister); Inera's fast kontakt information model",
    partitioned_by_year=True,
    columns=(
        _year("Year of the spell part (hive partition)."),
        Column("person_id", pa.int64(), PERSON_ID, "LopNr", min_value=1),
        Column("care_unit_id", pa.string(), "Health centre where the person is listed.",
               "listningsenhet (HSA-id)"),
        Column("valid_from", pa.date32(), "First day of the spell part.", "listningsdatum"),
        Column("valid_to", pa.date32(), "Day after the last day (exclusive).",
               "avlistningsdatum"),
        Column("named_doctor_id", pa.string(), "Named regular doctor; empty if none.",
               "fast läkarkontakt (HSA-id, pseudonymised)", nullable=True),
        Column("named_care_contact_id", pa.string(), "Named care contact; empty if none.",
               "fast vårdkontakt (HSA-id, pseudonymised)", nullable=True),
    ),
    key=("person_id", "valid_from"),
    row_checks=(
        RowCheck("valid_to", "valid_to > valid_from", "valid_to after valid_from"),
        RowCheck("valid_from", "year(valid_from) = year", "spell part starts in partition year"),
        RowCheck("valid_to", "valid_to <= make_date(year + 1, 1, 1)",
                 "spell part ends by 1 January of the next year"),
    ),
    references=(
        Reference("person_id", "persons", "person_id"),
        Reference("care_unit_id", "care_units", "care_unit_id"),
    ),
    no_overlap=("person_id", "valid_from", "valid_to"),
)

MUNICIPAL_HEALTH_CARE = TableSpec(
    name="municipal_health_care",
    description="Person-months with municipal health care (KHSV), with special housing flag.",
    mirrors=(
        "Socialstyrelsen: Registret över insatser inom kommunal hälso- och sjukvård (KHSV) and "
        "Socialtjänstregistret (särskilt boende, SoL)"
    ),
    partitioned_by_year=True,
    columns=(
        _year("Year (hive partition)."),
        Column("person_id", pa.int64(), PERSON_ID, "LopNr", min_value=1),
        Column("municipality_code", pa.string(), "Municipality responsible for the care.",
               "Kommun (uppgiftslämnare)", pattern=MUNICIPALITY_PATTERN,
               org_check="municipality"),
        Column("month", pa.int8(), "Month 1–12.", "Period (månad)", min_value=1, max_value=12),
        Column("special_housing", pa.bool_(), "Living in special housing (särskilt boende) "
               "during the month.", "Boendeform / SÄBO"),
        Column("home_health_care", pa.bool_(), "Received home health care during the month.",
               "hemsjukvård"),
    ),
    key=("year", "person_id", "month"),
    references=(Reference("person_id", "persons", "person_id"),),
)

ASSESSMENTS = TableSpec(
    name="assessments",
    description=(
        "Contacts with primary care about a new or worsened problem and the first medical "
        "assessment; partitioned by contact year."
    ),
    mirrors="Väntetidsdatabasen (SKR), utökad uppföljning i primärvården",
    partitioned_by_year=True,
    columns=(
        _year("Contact year (hive partition)."),
        Column("case_id", pa.int64(), "Case id.", "row id", min_value=1),
        Column("sex", pa.string(), "K women, M men.", "Kön", allowed=SEX_VALUES),
        Column("region_code", pa.string(), "Region of the care unit.", "Region",
               pattern=REGION_PATTERN, org_check="region"),
        Column("care_unit_id", pa.string(), "Health centre.", "Enhet (HSA-id)"),
        Column("contact_date", pa.date32(), "Day the patient made contact (day 0).",
               "Kontaktdatum"),
        Column("assessment_date", pa.date32(), "Day of the medical assessment; empty if not "
               "completed.", "Besöksdatum", nullable=True),
        Column("profession", pa.string(), "Profession that made the assessment.",
               "Yrkeskategori", allowed=PROFESSIONS),
        Column("patient_chose_later", pa.bool_(), "The patient was offered a time within the "
               "guarantee and chose a later one.", "Patientvald väntan"),
    ),
    key=("case_id",),
    row_checks=(
        RowCheck("assessment_date", "assessment_date IS NULL OR assessment_date >= contact_date",
                 "assessment on or after contact"),
        RowCheck("year", "year(contact_date) = year", "partition year = contact year"),
    ),
    references=(Reference("care_unit_id", "care_units", "care_unit_id"),),
)

COSTS = TableSpec(
    name="costs",
    description="Health-care costs by year, region, funder and care level, in whole kronor.",
    mirrors=(
        "SCB OE0107 Kostnader för hälso- och sjukvård (räkenskapssammandraget, VI 2000 "
        "delområden); regions' own consumption"
    ),
    columns=(
        Column("year", pa.int16(), "Accounting year.", "Tid", min_value=1900, max_value=2100),
        Column("region_code", pa.string(), "Region.", "Region", pattern=REGION_PATTERN,
               org_check="region"),
        Column("funder", pa.string(), "Who pays.", "huvudman", allowed=FUNDERS),
        Column("care_level", pa.string(), "VI 2000 sub-area.", "delområde",
               allowed=COST_CARE_LEVELS),
        Column("cost_sek", pa.int64(), "Cost in whole kronor.", "kostnad (tkr × 1000)",
               min_value=0),
    ),
    key=("year", "region_code", "funder", "care_level"),
)

TABLES: tuple[TableSpec, ...] = (
    PERSONS,
    POPULATION,
    INPATIENT,
    OUTPATIENT,
    CARE_UNITS,
    LISTINGS,
    MUNICIPAL_HEALTH_CARE,
    ASSESSMENTS,
    COSTS,
)
TABLES_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}


def table(name: str) -> TableSpec:
    """The table called ``name``; a clear error for an unknown name."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(TABLES_BY_NAME)
        raise KeyError(f"unknown register table {name!r}; known tables: {known}") from None
