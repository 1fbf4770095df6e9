"""The engine interface: register data + plans + years → cells.

An engine only computes additive cell sums (numerators and denominators at the finest area,
sex and age group); roll-ups, ratios, standardisation, status and disclosure control are shared
by every engine (:mod:`naravard.indicators.finalise`). A new backend (for example PySpark)
implements :class:`Engine` and is checked against the reference engine on the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from naravard.indicators.data import RegisterData
from naravard.indicators.plan import Plan

Progress = Callable[[str], None]
"""Called with a short label after each step, to drive a progress bar."""

Done = Callable[[Plan, pa.Table], None]
"""Called with each plan and its cells as soon as they are computed (so the caller can finish
indicators while the engine works on the rest)."""


class Engine(Protocol):
    """A backend that computes cells."""

    name: str

    def cells(
        self,
        data: RegisterData,
        plans: Sequence[Plan],
        years: Sequence[int],
        progress: Progress | None = None,
        done: Done | None = None,
    ) -> pa.Table:
        """Cells (:data:`naravard.indicators.plan.CELL_SCHEMA`) for ``plans`` in ``years``."""
        ...


def report_each(plans: Sequence[Plan], cells: pa.Table, done: Done | None) -> None:
    """Hand ``done`` the cells of each plan, for engines that compute all plans at once."""
    if done is None:
        return
    for plan in plans:
        mine = pc.and_(pc.equal(cells["indicator"], plan.id),
                       pc.equal(cells["variant"], plan.variant))
        done(plan, cells.filter(mine))


def steps(plans: Sequence[Plan]) -> int:
    """Number of progress steps an engine reports for ``plans`` (one per plan)."""
    return len(plans)


def data_end(data: RegisterData) -> dt.date:
    """Last day covered by the data: 31 December of the last year in ``persons``."""
    years = data.years("persons")
    if not years:
        raise ValueError("persons has no rows: the data cover no year")
    return dt.date(max(years), 12, 31)
