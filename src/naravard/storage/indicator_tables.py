"""Tables of the indicators capability: data snapshots, their care units and indicator results.

Results are stored as computed, *before* disclosure control (internal figures); every published
output reads them through :func:`naravard.storage.indicator_repo.published` (which applies
disclosure control). A snapshot is one set of register data, identified by the checksum of its
input files; storing results again for the same snapshot replaces those indicators' rows in one
transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from naravard.storage.models import Base, utcnow


class IndicatorSnapshot(Base):
    """One set of register data the results were computed from."""

    __tablename__ = "indicator_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stored_by: Mapped[str] = mapped_column(String(100))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    engine: Mapped[str] = mapped_column(String(32))
    years: Mapped[list[int]] = mapped_column(JSON, default=list)
    definitions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    disclosed_input: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class IndicatorCareUnit(Base):
    """A care unit of a snapshot (names and where it lies, for tables and disclosure)."""

    __tablename__ = "indicator_care_units"
    __table_args__ = (UniqueConstraint("snapshot_id", "care_unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_snapshots.id", ondelete="CASCADE"), index=True)
    care_unit_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(2))
    municipality_code: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(32))


class IndicatorResult(Base):
    """One result row: indicator, variant, period, area and sex (internal, undisclosed)."""

    __tablename__ = "indicator_results"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "indicator", "variant", "period", "area_level",
                         "area_code", "sex"),
        Index("ix_indicator_results_indicator_period", "indicator", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_snapshots.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    area_level: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(1))
    numerator: Mapped[float | None] = mapped_column(Float(precision=53))
    denominator: Mapped[float | None] = mapped_column(Float(precision=53))
    value: Mapped[float | None] = mapped_column(Float(precision=53))
    status: Mapped[str] = mapped_column(String(16))
    #: The value's confidence interval (empty where the definition names none).
    ci_low: Mapped[float | None] = mapped_column(Float(precision=53))
    ci_high: Mapped[float | None] = mapped_column(Float(precision=53))



class IndicatorDisclosure(Base):
    """The disclosure decisions of one table of a snapshot under one rule: the cells that
    publication masks in an indicator's variant in one year (with the year's months).

    Decided when the results are stored, so that no request has to; replaced with the table's
    rows, and dropped for the whole snapshot when its care units change.
    """

    __tablename__ = "indicator_disclosures"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "indicator", "variant", "year", "rule",
                         "definition_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_snapshots.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(64))
    year: Mapped[str] = mapped_column(String(4))
    #: the rule's version and thresholds (what the decisions depend on besides the rows)
    rule: Mapped[str] = mapped_column(String(100))
    definition_version: Mapped[str] = mapped_column(String(64))
    #: the masked cells as [period, area level, area code, sex] lists
    cells: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
