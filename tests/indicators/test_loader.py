"""The data model and its validation: every problem named with table, column and row count."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from naravard.indicators.data import DataError, RegisterData, table_from_rows, write_table
from naravard.indicators.docgen import render_data_model, replace_block
from naravard.indicators.loader import Problem, ValidationError, check, validate
from naravard.indicators.schema import TABLES

from .helpers import D, contact, data, episode, listing, person, pop, unit

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _clean() -> dict[str, list[dict[str, object]]]:
    return {
        "persons": [person(1, "K", D(1950, 3, 1)), person(2, "M", D(1940, 1, 1), muni="0180")],
        "population": [pop("0114", "K", 73, 10), pop("0180", "M", 83, 7)],
        "inpatient_episodes": [episode(1, 1, D(2023, 1, 2), D(2023, 1, 5))],
        "outpatient_contacts": [contact(1, 2, D(2023, 2, 1))],
        "care_units": [unit("VC1")],
        "listings": [listing(1, "VC1", D(2023, 1, 1), D(2024, 1, 1), doctor="C1")],
    }


def test_data_model_doc_is_current() -> None:
    text = (DOCS / "data-model.md").read_text(encoding="utf-8")
    assert replace_block(text, "data-model", render_data_model()) == text


def test_every_table_has_a_key_and_documented_columns() -> None:
    for spec in TABLES:
        assert set(spec.key) <= set(spec.column_names)
        for col in spec.columns:
            assert col.meaning and col.mirrors
        if spec.partitioned_by_year:
            assert "year" not in spec.file_schema().names
            assert spec.arrow_schema().names[0] == "year"


def test_clean_data_has_no_problem_in_memory_and_on_disk(tmp_path: Path) -> None:
    tables = _clean()
    assert validate(data(**tables)) == []
    for name, rows in tables.items():
        write_table(tmp_path, name, table_from_rows(name, rows))
    on_disk = RegisterData.from_directory(tmp_path)
    assert on_disk.names() == ["persons", "population", "inpatient_episodes",
                               "outpatient_contacts", "care_units", "listings"]
    assert (tmp_path / "persons" / "year=2023" / "part-0.parquet").is_file()
    assert validate(on_disk, required=["persons"]) == []
    assert on_disk.arrow("persons").num_rows == 2


def test_value_problems_are_counted_per_column() -> None:
    tables = _clean()
    tables["persons"] += [
        person(3, "X", D(1950, 1, 1), muni="9999"),
        person(4, "K", D(1950, 1, 1), death=D(2022, 12, 31)),
        person(4, "K", D(1950, 1, 1)),
    ]
    tables["inpatient_episodes"] += [
        episode(2, 1, D(2023, 3, 9), D(2023, 3, 8), diag="I50.9"),
        episode(3, 99, D(2023, 3, 1), D(2023, 3, 8), to="nowhere"),
    ]
    problems = validate(data(**tables))
    found = {(p.table, p.column, p.problem, p.rows) for p in problems}
    assert found == {
        ("persons", "sex", "value not one of K, M", 1),
        ("persons", "municipality_code", "unknown municipality code", 1),
        ("persons", "death_date", "rule broken: death date within the register year", 1),
        ("persons", "year, person_id", "duplicate key", 2),
        ("inpatient_episodes", "main_diagnosis",
         "value does not match ^[A-Z][0-9]{2}[0-9A-Z]{0,3}$", 1),
        ("inpatient_episodes", "discharged_to",
         "value not one of home, transfer, special_housing, death, other", 1),
        ("inpatient_episodes", "discharge_date",
         "rule broken: discharge on or after admission", 1),
        ("inpatient_episodes", "person_id", "value not found in persons for the same year", 1),
    }
    sex = next(p for p in problems if p.column == "sex")
    assert sex.examples == ("'X'",)
    assert str(sex) == "persons.sex: value not one of K, M: 1 row(s) (e.g. 'X')"


def test_missing_values_are_counted_in_checked_and_unchecked_columns() -> None:
    tables = _clean()
    tables["persons"] += [person(3, None, D(1950, 1, 1), muni=None),  # type: ignore[arg-type]
                          person(4, None, D(1951, 1, 1))]  # type: ignore[arg-type]
    tables["outpatient_contacts"] += [
        contact(2, 1, D(2023, 3, 1), level=None, mode="teleport"),  # type: ignore[arg-type]
        contact(3, 1, D(2023, 3, 2), unit=None),  # type: ignore[arg-type]
        contact(4, 1, D(2023, 3, 3), mode=None),  # type: ignore[arg-type]
    ]
    problems = validate(data(**tables))
    found = {(p.table, p.column, p.problem, p.rows) for p in problems}
    assert found == {
        # string columns with value checks: the missing values are not also "not one of"
        ("persons", "sex", "missing value", 2),
        ("persons", "municipality_code", "missing value", 1),
        ("outpatient_contacts", "care_level", "missing value", 1),
        ("outpatient_contacts", "mode", "missing value", 1),
        ("outpatient_contacts", "mode",
         "value not one of physical, video, phone, letter", 1),
        # a string column without value checks
        ("outpatient_contacts", "care_unit_id", "missing value", 1),
    }
    missing = next(p for p in problems if p.column == "sex")
    assert missing.examples == ("empty",)


def test_a_referring_column_of_the_wrong_type_is_reported_once() -> None:
    tables = _clean()
    contacts = table_from_rows("outpatient_contacts", tables.pop("outpatient_contacts"))
    at = contacts.schema.get_field_index("person_id")
    contacts = contacts.set_column(at, "person_id", pa.array(["p-two"]))
    register = data(**tables)
    register = RegisterData.from_tables(
        {**{n: register.arrow(n) for n in register.names()}, "outpatient_contacts": contacts})
    problems = validate(register)
    assert [(p.table, p.column, p.problem) for p in problems] == [
        ("outpatient_contacts", "person_id", "type VARCHAR, expected integer")]


def test_schema_problems_missing_wrong_and_unknown_columns() -> None:
    good = table_from_rows("population", [pop("0114", "K", 1, 2)])
    bad = good.drop_columns(["age"]).set_column(
        3, "count", pa.array(["two"])
    ).append_column("note", pa.array(["x"]))
    problems = validate(RegisterData.from_tables({"population": bad}))
    assert {(p.column, p.problem, p.rows) for p in problems} == {
        ("age", "column missing", 1),
        ("count", "type VARCHAR, expected integer", 1),
        ("note", "column not in the data model", 1),
    }


def test_overlapping_listing_spells_and_unknown_units() -> None:
    tables = _clean()
    tables["listings"] = [
        listing(1, "VC1", D(2023, 1, 1), D(2023, 6, 1)),
        listing(1, "VC9", D(2023, 5, 1), D(2024, 1, 1)),
        listing(2, "VC1", D(2023, 1, 1), D(2024, 2, 1)),
    ]
    problems = validate(data(**tables))
    assert {(p.column, p.problem, p.rows) for p in problems} == {
        ("valid_from", "spells overlap for the same person_id", 1),
        ("care_unit_id", "value not found in care_units", 1),
        ("valid_to", "rule broken: spell part ends by 1 January of the next year", 1),
    }


def test_primary_care_needs_a_clinician() -> None:
    tables = _clean()
    tables["outpatient_contacts"].append(contact(2, 2, D(2023, 3, 1), clin=None))
    tables["outpatient_contacts"].append(
        contact(3, 2, D(2023, 3, 1), level="emergency", clin=None, unit="VC1"))
    [problem] = validate(data(**tables))
    assert (problem.column, problem.rows) == ("clinician_id", 1)


def test_check_raises_with_every_problem_and_missing_tables() -> None:
    with pytest.raises(ValidationError) as err:
        check(data(persons=[person(1, "X", D(1950, 1, 1))]), required=["population"])
    assert err.value.problems == (
        Problem("population", "*", "table missing", 0),
        Problem("persons", "sex", "value not one of K, M", 1, ("'X'",)),
    )
    assert "population: table missing" in str(err.value)


def test_unknown_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "patients").mkdir()
    with pytest.raises(DataError, match="unknown register table 'patients'"):
        RegisterData.from_directory(tmp_path)
    with pytest.raises(DataError, match="not found"):
        RegisterData.from_directory(tmp_path / "nothing")


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "costs").mkdir()
    (tmp_path / "costs" / "x.parquet").write_text("not parquet", encoding="utf-8")
    write_table(tmp_path, "persons", table_from_rows("persons", [person(1, "K", D(1950, 1, 1))]))
    [problem] = validate(RegisterData.from_directory(tmp_path))
    assert (problem.table, problem.column) == ("costs", "*")
    assert problem.problem.startswith("cannot be read:")
