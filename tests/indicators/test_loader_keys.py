"""Duplicate keys and unknown references are counted the same on every path: a dense lookup
table, sorted packed keys, and SQL (keys that do not fit in 64 bits)."""

from __future__ import annotations

import pytest

from naravard.indicators.loader import validate

from .helpers import D, contact, data, listing, person, unit

# person ids chosen so that the checks take each path
DENSE, SORTED, SQL = 2, 2**40, 2**62


def _problems(pid: int) -> set[tuple[str, str, str, int]]:
    persons = [person(1, "K", D(1950, 1, 1)), person(pid, "M", D(1950, 1, 1)),
               person(pid + 1, "K", D(1990, 1, 1), year=2022)]
    listings = [listing(1, "VC1", D(2023, 1, 1), D(2023, 3, 1)),
                listing(1, "VC1", D(2023, 1, 1), D(2023, 2, 1)),
                listing(pid, "VC1", D(2023, 1, 1), D(2023, 3, 1)),
                listing(pid, "VC1", D(2023, 1, 1), D(2023, 3, 1)),
                listing(pid, "VC1", D(2023, 4, 1), D(2023, 5, 1)),
                listing(pid + 2, "VC1", D(2023, 6, 1), D(2023, 7, 1))]
    contacts = [contact(1, 1, D(2023, 2, 1)), contact(2, pid, D(2023, 2, 1)),
                contact(2, pid, D(2023, 2, 2)),
                contact(3, pid + 1, D(2023, 2, 3)),  # a person of 2022 only: not found in 2023
                contact(4, pid + 2, D(2023, 2, 4))]  # unknown person
    problems = validate(data(persons=persons, listings=listings,
                             outpatient_contacts=contacts, care_units=[unit("VC1")]))
    return {(p.table, p.column, p.problem, p.rows) for p in problems
            if p.problem in ("duplicate key", "value not found in persons",
                             "value not found in persons for the same year")}


EXPECTED = {
    ("listings", "person_id, valid_from", "duplicate key", 4),
    ("listings", "person_id", "value not found in persons for the same year", 1),
    ("outpatient_contacts", "contact_id", "duplicate key", 2),
    ("outpatient_contacts", "person_id", "value not found in persons for the same year", 2),
}


@pytest.mark.parametrize("pid", [DENSE, SORTED, SQL], ids=["dense", "sorted", "sql"])
def test_duplicate_and_reference_counts_agree_on_every_path(pid: int) -> None:
    assert _problems(pid) == EXPECTED
