"""Tables of the funding capability: agreements, lines, frozen allocations, requisitions,
financial reports, repayments, reclaim cases and recorded condition submissions.

Money is integer kronor (``BigInteger``). Weights and shares of a frozen allocation are exact
fractions stored as text (``"5023"`` or ``"1/3"``), so nothing is lost to floating point.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from naravard.storage.models import Base, utcnow


class StoredAgreement(Base):
    """An agreement; ``document`` holds the whole agreement as plain data (YAML shape)."""

    __tablename__ = "funding_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(500))
    total_sek: Mapped[int | None] = mapped_column(BigInteger)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(100))

    lines: Mapped[list[StoredLine]] = relationship(
        back_populates="agreement", order_by="StoredLine.position"
    )


class StoredLine(Base):
    """A funding line of an agreement (the row of its allocation table)."""

    __tablename__ = "funding_lines"
    __table_args__ = (UniqueConstraint("agreement_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("funding_agreements.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(500))
    amount_sek: Mapped[int | None] = mapped_column(BigInteger)
    recipient: Mapped[str | None] = mapped_column(String(32))
    method_kind: Mapped[str | None] = mapped_column(String(32))

    agreement: Mapped[StoredAgreement] = relationship(back_populates="lines")


class AllocationRun(Base):
    """A line's allocation, frozen when computed: later population loads never change it."""

    __tablename__ = "funding_allocation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("funding_lines.id"), index=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    method_kind: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str] = mapped_column(String(500))
    requested_population_date: Mapped[dt.date | None] = mapped_column(Date)
    population_date: Mapped[dt.date | None] = mapped_column(Date)
    total_sek: Mapped[int] = mapped_column(BigInteger)
    total_weight: Mapped[str] = mapped_column(String(200))
    frozen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    frozen_by: Mapped[str] = mapped_column(String(100))

    shares: Mapped[list[AllocationShare]] = relationship(
        order_by="AllocationShare.recipient_code", lazy="selectin"
    )


class AllocationShare(Base):
    """One recipient's amount in a frozen allocation, with its key (weight, share)."""

    __tablename__ = "funding_allocations"
    __table_args__ = (UniqueConstraint("run_id", "recipient_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("funding_allocation_runs.id"), index=True)
    recipient_code: Mapped[str] = mapped_column(String(16), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[str] = mapped_column(String(200))
    share: Mapped[str] = mapped_column(String(200))
    amount_sek: Mapped[int] = mapped_column(BigInteger)
    care_recipients: Mapped[int | None] = mapped_column(BigInteger)
    population: Mapped[int | None] = mapped_column(BigInteger)


class StoredRequisition(Base):
    """A requisition (Bilaga 4) of one recipient for one line, its decision and payment."""

    __tablename__ = "funding_requisitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("funding_lines.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("funding_allocation_runs.id"))
    recipient_code: Mapped[str] = mapped_column(String(16), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str] = mapped_column(String(20))
    contact_person: Mapped[str] = mapped_column(String(200))
    postal_address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(50))
    fax: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(254))
    agreement_case_number: Mapped[str] = mapped_column(String(100))
    payment_decision_case_number: Mapped[str] = mapped_column(String(100))
    agreement_name: Mapped[str] = mapped_column(String(500))
    amount_sek: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    bankgiro_plusgiro: Mapped[str] = mapped_column(String(30))
    payment_reference: Mapped[str] = mapped_column(String(100))
    signatory_name: Mapped[str] = mapped_column(String(200))
    signatory_authority: Mapped[str] = mapped_column(String(500))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    arrived_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_note: Mapped[str] = mapped_column(String(1000), default="")
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    payout_reference: Mapped[str] = mapped_column(String(100), default="")
    paid_recorded_by: Mapped[str | None] = mapped_column(String(100))

    line: Mapped[StoredLine] = relationship(lazy="joined")


class StoredFinancialReport(Base):
    """A recipient's financial report (Bilaga 4) for one agreement year."""

    __tablename__ = "funding_financial_reports"
    __table_args__ = (UniqueConstraint("agreement_id", "recipient_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("funding_agreements.id"), index=True)
    recipient_code: Mapped[str] = mapped_column(String(16), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str] = mapped_column(String(20))
    contact_person: Mapped[str] = mapped_column(String(200))
    postal_address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(50))
    fax: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(254))
    agreement_case_number: Mapped[str] = mapped_column(String(100))
    payment_decision_case_number: Mapped[str] = mapped_column(String(100))
    agreement_name: Mapped[str] = mapped_column(String(500))
    grant_under_agreement_sek: Mapped[int] = mapped_column(BigInteger)
    paid_out_sek: Mapped[int] = mapped_column(BigInteger)
    received_sek: Mapped[int] = mapped_column(BigInteger)
    total_costs_sek: Mapped[int] = mapped_column(BigInteger)
    unspent_sek: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    attestation_alternative: Mapped[int] = mapped_column(Integer)
    attestation_name: Mapped[str] = mapped_column(String(200))
    attestation_title: Mapped[str] = mapped_column(String(200))
    attestation_phone: Mapped[str] = mapped_column(String(50))
    attestation_email: Mapped[str] = mapped_column(String(254))
    deviations: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    signatory_name: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    arrived_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(String(100))

    agreement: Mapped[StoredAgreement] = relationship(lazy="joined")
    costs: Mapped[list[StoredCostItem]] = relationship(
        order_by="StoredCostItem.position", lazy="selectin"
    )


class StoredCostItem(Base):
    """A major cost item of a financial report."""

    __tablename__ = "funding_cost_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("funding_financial_reports.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    amount_sek: Mapped[int] = mapped_column(BigInteger)


class StoredObligation(Base):
    """A repayment obligation created by a financial report with unspent money."""

    __tablename__ = "funding_repayment_obligations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("funding_financial_reports.id"), unique=True
    )
    recipient_code: Mapped[str] = mapped_column(String(16), index=True)
    amount_sek: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[dt.date] = mapped_column(Date)
    weekend_rule: Mapped[str] = mapped_column(String(16))

    report: Mapped[StoredFinancialReport] = relationship(lazy="joined")
    repayments: Mapped[list[StoredRepayment]] = relationship(
        order_by="StoredRepayment.received_at", lazy="selectin"
    )


class StoredRepayment(Base):
    """Money repaid to the paying agency against an obligation."""

    __tablename__ = "funding_repayments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obligation_id: Mapped[int] = mapped_column(
        ForeignKey("funding_repayment_obligations.id"), index=True
    )
    amount_sek: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoredReclaimCase(Base):
    """A late financial report: the grant officer decides whether to reclaim."""

    __tablename__ = "funding_reclaim_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("funding_agreements.id"), index=True)
    recipient_code: Mapped[str] = mapped_column(String(16), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("funding_financial_reports.id"))
    deadline: Mapped[dt.date] = mapped_column(Date)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    days_late: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(String(1000), default="")

    agreement: Mapped[StoredAgreement] = relationship(lazy="joined")


class ConditionSubmission(Base):
    """When an organisation submitted what a condition asks for (e.g. the interim report)."""

    __tablename__ = "funding_condition_submissions"
    __table_args__ = (UniqueConstraint("agreement_id", "duty_code", "organisation_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("funding_agreements.id"), index=True)
    duty_code: Mapped[str] = mapped_column(String(64))
    organisation_code: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
