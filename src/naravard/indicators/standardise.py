"""Direct age standardisation against a standard population (ESP 2013 by default)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from naravard.reference.population import standard_weights


@dataclass(frozen=True)
class AgeGroup:
    """An age group with its standard weight; ``age_to`` None means open-ended."""

    label: str
    age_from: int
    age_to: int | None
    weight: int

    def contains(self, age: int) -> bool:
        """Whether ``age`` falls in the group."""
        return self.age_from <= age and (self.age_to is None or age <= self.age_to)


#: Standard populations shipped, each as ``naravard/reference/data/<name>.csv``.
STANDARDS = ("esp2013",)
#: A standard taken from the register data: Sweden's population on 31 December of a year
#: (the ``population`` table summed over the country and both sexes), in ESP 2013's groups.
SWEDEN = "sweden_YYYY"
_SWEDEN = re.compile(r"^sweden_(\d{4})$")
#: A variant's standard that means no standardisation: the crude rate over the age range.
CRUDE = "crude"


def is_standard(name: str) -> bool:
    """Whether ``name`` is a standard population (shipped, or Sweden in a year)."""
    return name in STANDARDS or _SWEDEN.match(name) is not None


def population_year(standard: str) -> int | None:
    """The year whose population in the data is ``standard`` (None for shipped ones)."""
    found = _SWEDEN.match(standard)
    return int(found.group(1)) if found else None


def standard_groups(standard: str, age_min: int | None, age_max: int | None,
                    population: Mapping[int, int] | None = None) -> tuple[AgeGroup, ...]:
    """The groups of ``standard`` covering ``age_min``..``age_max``.

    The limits must fall on group boundaries, so no group is cut; weights are used as they are
    and re-normalised by their sum in :func:`direct_rate`. A standard taken from the data
    (``sweden_YYYY``) has ESP 2013's groups, weighted by ``population`` (persons by age in
    that year); without it the weights are 0 (enough to group the cells, not to weight them).
    """
    if not is_standard(standard):
        raise ValueError(f"unknown standard population {standard!r}; known: "
                         f"{', '.join((*STANDARDS, SWEDEN))}")
    if population_year(standard) is None:
        groups = [AgeGroup(w.group, w.age_from, w.age_to, w.weight)
                  for w in standard_weights(standard)]
    else:
        counts = population or {}
        oldest = max(counts, default=0)
        groups = [AgeGroup(w.group, w.age_from, w.age_to,
                           sum(counts.get(a, 0) for a in range(
                               w.age_from, (oldest if w.age_to is None else w.age_to) + 1)))
                  for w in standard_weights("esp2013")]
    lo = 0 if age_min is None else age_min
    if not any(g.age_from == lo for g in groups):
        raise ValueError(f"age limit {lo} is not the start of an {standard} age group")
    if age_max is not None and not any(g.age_to == age_max for g in groups):
        raise ValueError(f"age limit {age_max} is not the end of an {standard} age group")
    return tuple(
        g for g in groups
        if g.age_from >= lo and (age_max is None or (g.age_to is not None and g.age_to <= age_max))
    )


def group_of(groups: tuple[AgeGroup, ...], age: int) -> str | None:
    """Label of the group holding ``age``, or None if outside every group."""
    for g in groups:
        if g.contains(age):
            return g.label
    return None


def _terms(groups: tuple[AgeGroup, ...], events: Mapping[str, float],
           population: Mapping[str, float]) -> list[tuple[int, float, float]] | None:
    """(weight, events, population) of each group with population; None when the rate is
    undefined (no population or weight at all, or events where there is no population)."""
    if sum(population.get(g.label, 0) for g in groups) <= 0 or sum(
            g.weight for g in groups) <= 0:
        return None
    out: list[tuple[int, float, float]] = []
    for g in groups:
        d = events.get(g.label, 0)
        p = population.get(g.label, 0)
        if p <= 0:
            if d > 0:
                return None
            continue
        out.append((g.weight, d, p))
    return out


def direct_rate(
    groups: tuple[AgeGroup, ...],
    events: Mapping[str, float],
    population: Mapping[str, float],
    scale: int,
) -> float | None:
    """Directly standardised rate ``Σ (d_i / p_i) w_i / Σ w_i × scale``.

    A group with no population contributes 0 if it has no events; events without population make
    the rate undefined (None). None also when the total population is 0.
    """
    terms = _terms(groups, events, population)
    if terms is None:
        return None
    return sum(d / p * w for w, d, p in terms) / sum(g.weight for g in groups) * scale


def direct_rate_variance(
    groups: tuple[AgeGroup, ...],
    events: Mapping[str, float],
    population: Mapping[str, float],
    scale: int,
) -> float | None:
    """The variance of :func:`direct_rate` with Poisson counts:
    ``Σ wᵢ² dᵢ / pᵢ² × (scale / Σ w)²`` (what Dobson's interval needs); None where the rate
    is undefined."""
    terms = _terms(groups, events, population)
    if terms is None:
        return None
    return sum(w * w * d / (p * p) for w, d, p in terms) * (
        scale / sum(g.weight for g in groups)) ** 2
