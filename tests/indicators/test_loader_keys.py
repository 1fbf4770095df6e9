"""Duplicate keys are counted the same whether the key packs into 64 bits or not."""

from __future__ import annotations

from naravard.indicators.loader import validate

from .helpers import D, data, listing, person


def _dups(pid: int) -> set[tuple[str, str, int]]:
    persons = [person(1, "K", D(1950, 1, 1)), person(pid, "M", D(1950, 1, 1))]
    listings = [listing(1, "VC1", D(2023, 1, 1), D(2023, 3, 1)),
                listing(1, "VC1", D(2023, 1, 1), D(2023, 2, 1)),
                listing(pid, "VC1", D(2023, 1, 1), D(2023, 3, 1)),
                listing(pid, "VC1", D(2023, 1, 1), D(2023, 3, 1)),
                listing(pid, "VC1", D(2023, 4, 1), D(2023, 5, 1))]
    problems = validate(data(persons=persons, listings=listings))
    return {(p.table, p.problem, p.rows) for p in problems if p.problem == "duplicate key"}


def test_packed_and_grouped_duplicate_counts_agree() -> None:
    small = _dups(2)  # (person_id, valid_from) packs into one integer
    wide = _dups(2**62)  # the person id range alone needs 62 bits: grouped in SQL
    assert small == wide == {("listings", "duplicate key", 4)}
