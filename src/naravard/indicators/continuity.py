"""Continuity-of-care indices for one patient, from the clinicians of the visits in date order.

N = visits, n_j = visits to clinician j, M = distinct clinicians.

- COC (Bice–Boxerman 1977): (Σ n_j² − N) / (N (N − 1)); needs N ≥ 2.
- UPC (usual provider, here the most frequent one): max n_j / N.
- MMCI (Magill & Senf 1987): (1 − M / (N + 0.1)) / (1 − 1 / (N + 0.1)).
- SECON (Steinwachs 1979): share of consecutive visit pairs with the same clinician; needs N ≥ 2.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

NEEDS_TWO = ("coc", "secon")


def coc(visits: Sequence[str]) -> float:
    """Bice–Boxerman continuity of care index."""
    n = len(visits)
    if n < 2:
        raise ValueError("COC needs at least two visits")
    counts = Counter(visits).values()
    return (sum(c * c for c in counts) - n) / (n * (n - 1))


def upc(visits: Sequence[str]) -> float:
    """Usual provider of care index (most frequent clinician; ties do not change the value)."""
    if not visits:
        raise ValueError("UPC needs at least one visit")
    return max(Counter(visits).values()) / len(visits)


def mmci(visits: Sequence[str]) -> float:
    """Modified modified continuity index."""
    n = len(visits)
    if n < 1:
        raise ValueError("MMCI needs at least one visit")
    m = len(set(visits))
    return (1 - m / (n + 0.1)) / (1 - 1 / (n + 0.1))


def secon(visits: Sequence[str]) -> float:
    """Sequential continuity index."""
    n = len(visits)
    if n < 2:
        raise ValueError("SECON needs at least two visits")
    same = sum(1 for a, b in pairwise(visits) if a == b)
    return same / (n - 1)


INDICES = {"coc": coc, "upc": upc, "mmci": mmci, "secon": secon}


def index_value(name: str, visits: Sequence[str]) -> float:
    """Index ``name`` for the visits (clinician ids in visit order)."""
    return INDICES[name](visits)


def eligible(name: str, n_visits: int, min_visits: int) -> bool:
    """Whether a patient with ``n_visits`` enters the mean for index ``name``."""
    return n_visits >= max(min_visits, 2 if name in NEEDS_TWO else 1)
