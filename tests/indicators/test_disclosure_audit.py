"""The exact audit of secondary suppression agrees with rank arithmetic over the rationals."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.indicators.disclosure import exposed


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank by Gaussian elimination over the rationals (exact, written out for the test)."""
    m = [list(r) for r in rows]
    rank = 0
    cols = len(m[0]) if m else 0
    for c in range(cols):
        pivot = next((i for i in range(rank, len(m)) if m[i][c] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for i in range(len(m)):
            if i != rank and m[i][c] != 0:
                f = m[i][c] / m[rank][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[rank], strict=True)]
        rank += 1
    return rank


def _oracle(relations: list[tuple[int, list[int]]], masked: set[int]) -> list[int]:
    cells = sorted(masked)
    rows = []
    for head, kids in relations:
        row = [Fraction(0)] * len(cells)
        for k, c in enumerate(cells):
            row[k] = Fraction(-1 if c == head else 0) + sum(Fraction(1) for x in kids if x == c)
        if any(row):
            rows.append(row)
    if not rows:
        return []
    base = _rank(rows)
    out = []
    for k, c in enumerate(cells):
        unit = [Fraction(1 if j == k else 0) for j in range(len(cells))]
        if _rank([*rows, unit]) == base:
            out.append(c)
    return out


@st.composite
def systems(draw: st.DrawFn) -> tuple[list[tuple[int, list[int]]], set[int]]:
    n = draw(st.integers(2, 14))
    rels = []
    for _ in range(draw(st.integers(1, 10))):
        head = draw(st.integers(0, n - 1))
        kids = draw(st.lists(st.integers(0, n - 1).filter(lambda k, h=head: k != h),
                             min_size=1, max_size=4, unique=True))
        rels.append((head, kids))
    masked = set(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)))
    return rels, masked


@settings(max_examples=200, deadline=None)
@given(systems())
def test_exposed_matches_rational_rank(system: tuple[list[tuple[int, list[int]]], set[int]]
                                       ) -> None:
    relations, masked = system
    assert exposed(relations, masked) == _oracle(relations, masked)


def test_rectangle_is_safe_and_a_lone_cell_is_not() -> None:
    # T = K + M for two areas and Riket = area 1 + area 2 for K and for M; masking the four
    # K/M cells of the two areas leaves the free direction (+1, −1, −1, +1).
    rels = [(0, [1, 2]), (3, [4, 5]), (6, [1, 4]), (7, [2, 5])]
    assert exposed(rels, {1, 2, 4, 5}) == []
    assert exposed(rels, {1, 2, 4}) == [1, 2, 4]
    assert exposed(rels, {1}) == [1]
