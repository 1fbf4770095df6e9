"""Confidence intervals of indicator values: Wilson for shares (with an effective sample size
where a person's several trials cluster), Poisson for crude rates,
Dobson for directly standardised rates (the methods of PHE's ``PHEindicatormethods``; Dobson's
construction also widens a crude rate's limits for repeat events of one person),
Student's t for means, and MOVER for the ratio (a change against a base year) and the
difference (a change from the year before) of two independently estimated values from their
own intervals.

Pure functions of counts (a definition names its method; results are given their limits in
:mod:`naravard.indicators.finalise`). Each returns the limits — of a proportion (0–1), a
count, or a rate on its scale — or None where no interval exists (no denominator, or a
standardised rate without events, for which Dobson's method is undefined).
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

#: Methods a definition can name (``interval.method``).
METHODS = ("wilson", "wilson_persons", "poisson", "poisson_persons", "dobson", "t", "mover",
           "none")
#: Below this many events a count's limits are exact (Poisson), from it Byar's approximation,
#: as in PHEindicatormethods (``byars_lower``/``byars_upper`` from 10 events).
EXACT_BELOW = 10

Limits = tuple[float, float]
#: An estimate with its limits: (value, lower, upper).
Limits3 = tuple[float, float, float]


@lru_cache(maxsize=8)
def z_of(level: float) -> float:
    """The two-sided normal quantile of a confidence ``level`` (1.959964 for 0.95)."""
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be between 0 and 1, not {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson(successes: float, trials: float, level: float) -> Limits | None:
    """Wilson's score interval of the proportion ``successes / trials`` (0–1)."""
    if trials <= 0 or not 0 <= successes <= trials:
        return None
    z = z_of(level)
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    lower = 0.0 if successes == 0 else max(0.0, (centre - spread) / scale)
    upper = 1.0 if successes == trials else min(1.0, (centre + spread) / scale)
    return lower, upper


def wilson_persons(successes: float, trials: float, squares: float, trial_squares: float,
                   products: float, level: float) -> Limits | None:
    """Wilson's score interval of a share whose trials cluster in persons (a person's several
    index stays): Wilson's with the effective number of trials n / deff (Kish), where the
    design effect deff = V / (p(1 − p) / n) sets the share's variance over persons, V = Σ (yᵢ −
    p xᵢ)² / n² — the ratio estimator's linearised variance, from ``squares`` Σ yᵢ²,
    ``trial_squares`` Σ xᵢ² and ``products`` Σ xᵢyᵢ of each person's successes yᵢ of xᵢ trials
    — against the binomial one. deff is taken no lower than 1 (Korn & Graubard 1998), and as 1
    where the share is 0 or 1 (no spread to estimate); with one trial per person it is 1 and
    these are Wilson's limits."""
    if trials <= 0 or not 0 <= successes <= trials:
        return None
    p = successes / trials
    deff = 1.0
    if 0 < p < 1:
        spread = squares - 2 * p * products + p * p * trial_squares
        deff = max(1.0, spread / (trials * p * (1 - p)))
    effective = trials / deff
    return wilson(p * effective, effective, level)


def _poisson_cdf(k: int, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean), summed term by term (k is small here)."""
    term = math.exp(-mean)
    total = term
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return total


def _mean_at(k: int, target: float) -> float:
    """The Poisson mean at which P(X ≤ k) equals ``target`` (bisection: the probability
    falls as the mean grows)."""
    lo, hi = 0.0, 100.0 + 10 * k
    for _ in range(100):
        mid = (lo + hi) / 2
        if _poisson_cdf(k, mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@lru_cache(maxsize=64)
def _exact(k: int, level: float) -> Limits:
    """Exact limits of a small count ``k`` (the means at which P(X ≥ k) and P(X ≤ k) are
    each half of 1 − ``level``)."""
    alpha = 1 - level
    return (0.0 if k == 0 else _mean_at(k - 1, 1 - alpha / 2)), _mean_at(k, alpha / 2)


def poisson_count(count: float, level: float) -> Limits:
    """Limits of the expected count behind an observed ``count``: exact below
    :data:`EXACT_BELOW` events, Byar's approximation from there."""
    if count < EXACT_BELOW:
        return _exact(round(count), level)
    z = z_of(level)
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower, upper


def poisson_rate(events: float, population: float, scale: int, level: float) -> Limits | None:
    """Limits of a crude rate ``events / population × scale``."""
    if population <= 0 or events < 0:
        return None
    lower, upper = poisson_count(events, level)
    return lower / population * scale, upper / population * scale


def poisson_persons_rate(events: float, squares: float, population: float, scale: int,
                         level: float) -> Limits | None:
    """Limits of a crude rate ``events / population × scale`` whose events fall on persons, some
    more than once: the count's variance is taken over persons, ``squares`` = Σ yᵢ² of each
    person's count yᵢ (Σ yᵢ = ``events``), and the count's limits are carried to the rate by
    Dobson's construction, ``rate + √(variance / events) · (limit − events)``, the lower limit
    not below zero (a few persons with many events can widen it past zero). Where every
    person has one event (``squares`` = ``events``) these are the Poisson limits."""
    if population <= 0 or events < 0:
        return None
    if events == 0 or squares <= events:
        return poisson_rate(events, population, scale, level)
    unit = scale / population
    found = dobson(events * unit, events, squares * unit * unit, level)
    return None if found is None else (max(0.0, found[0]), found[1])


def dobson(rate: float, events: float, variance: float, level: float) -> Limits | None:
    """Dobson's limits of a directly standardised ``rate`` from its ``events`` (the observed
    total) and the rate's ``variance`` (Σ wᵢ² dᵢ / pᵢ² · (scale / Σ w)²): the count's limits
    carried to the rate, ``rate + √(variance / events) · (limit − events)``."""
    if events <= 0 or variance < 0:
        return None
    lower, upper = poisson_count(events, level)
    factor = math.sqrt(variance / events)
    return rate + factor * (lower - events), rate + factor * (upper - events)


def t_of(level: float, df: int) -> float:
    """The two-sided quantile of Student's t with ``df`` degrees of freedom (2.093024 for 0.95
    and 19): exact for 1 and 2 (closed forms), otherwise the Cornish–Fisher expansion in 1/df
    (Abramowitz & Stegun 26.7.5), within 0.004 of the exact value at 3, 0.001 at 4 and 0.0003
    from 5 degrees of freedom (continuity's cells have at least 20 patients)."""
    if df < 1:
        raise ValueError("Student's t needs at least one degree of freedom")
    if df == 1:
        return math.tan(math.pi * level / 2)
    if df == 2:
        alpha = 1 - level
        return math.sqrt(2 / (alpha * (2 - alpha)) - 2)
    z = z_of(level)
    z3, z5, z7, z9 = z ** 3, z ** 5, z ** 7, z ** 9
    return (z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
            + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4))


def mean_interval(total: float, squares: float, n: float, level: float) -> Limits | None:
    """Student's t interval of a mean from its sum ``total``, sum of squares ``squares`` and
    count ``n``: mean ± t(n − 1) · s / √n. None below two values."""
    count = round(n)
    if count < 2:
        return None
    mean = total / count
    variance = max(0.0, (squares - count * mean * mean) / (count - 1))
    half = t_of(level, count - 1) * math.sqrt(variance / count)
    return mean - half, mean + half


def ratio_interval(value: Limits3, base: Limits3) -> Limits | None:
    """MOVER-R limits of the ratio ``value / base`` of two independently estimated quantities,
    each given as (estimate, lower limit, upper limit) at the level wanted for the ratio
    (Donner & Zou 2012; Newcombe 2016 for a lower limit of the numerator at or below zero).

    The limits are the roots of ``θ₁ − r·θ₂ = 0`` at the edges of that difference's MOVER
    interval, whose variances are recovered from the two intervals: the lower limit solves
    ``θ₁ − rθ₂ = √((θ₁ − l₁)² + r²(u₂ − θ₂)²)`` (``l₂`` for ``u₂`` where ``l₁ ≤ 0``), the upper
    ``rθ₂ − θ₁ = √((u₁ − θ₁)² + r²(θ₂ − l₂)²)``. None where the base's interval reaches zero
    (the ratio is unbounded, as Fieller's) or is so wide (``u₂ ≥ 2θ₂``) that the lower limit is
    not bounded away from it by these roots, or where the value is negative.
    """
    t1, l1, u1 = value
    t2, l2, u2 = base
    if not (l1 <= t1 <= u1 and l2 <= t2 <= u2) or t1 < 0 or l2 <= 0:
        return None
    product = t1 * t2
    edge = u2 if l1 > 0 else l2
    a_low = edge * (2 * t2 - edge)
    a_high = l2 * (2 * t2 - l2)
    if a_low <= 0:
        return None
    lower = (product - math.sqrt(max(0.0, product * product - a_low * l1 * (2 * t1 - l1)))
             ) / a_low
    upper = (product + math.sqrt(max(0.0, product * product - a_high * u1 * (2 * t1 - u1)))
             ) / a_high
    return lower, upper


def difference_interval(value: Limits3, base: Limits3) -> Limits:
    """MOVER-D limits of the difference ``value − base`` of two independently estimated
    quantities, each given as (estimate, lower limit, upper limit) at the level wanted for the
    difference (Zou & Donner 2008; with Wilson's limits, Newcombe's 1998 hybrid score
    interval): d − √((θ₁ − l₁)² + (u₂ − θ₂)²) below, d + √((u₁ − θ₁)² + (θ₂ − l₂)²) above."""
    t1, l1, u1 = value
    t2, l2, u2 = base
    d = t1 - t2
    return (d - math.sqrt((t1 - l1) ** 2 + (u2 - t2) ** 2),
            d + math.sqrt((u1 - t1) ** 2 + (t2 - l2) ** 2))
