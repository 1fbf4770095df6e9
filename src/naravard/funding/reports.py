"""Financial reports (*ekonomisk redovisning*), repayments and reclaim cases.

Unspent = grant received − total costs. A positive unspent amount must be repaid by the repayment
deadline; a negative one (costs above the grant) is allowed and repays nothing. The head of finance
attests point 3: alternative 1 (correct) or alternative 2 (not correct), where the deviations and
the measures must be described. A report that arrives late, or not at all by the deadline, opens a
reclaim case for the grant officer to decide: the agreement says the government *may* reclaim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from naravard.funding.deadlines import Deadline, days_late, is_on_time, is_overdue
from naravard.funding.problems import Problem


class Alternative(IntEnum):
    """The head of finance's attestation of point 3."""

    CORRECT = 1
    NOT_CORRECT = 2


@dataclass(frozen=True)
class Attestation:
    """Bilaga 4 point 4: the head of finance (or equivalent) reviews the report."""

    alternative: Alternative
    name: str
    title: str
    phone: str
    email: str
    deviations: str = ""
    measures: str = ""


@dataclass(frozen=True)
class CostItem:
    """A major cost item (Bilaga 4 point 3: *specificera större kostnadsposter*)."""

    label: str
    amount_sek: int


@dataclass(frozen=True)
class FinancialReport:
    """One recipient's financial report for one agreement year."""

    recipient_code: str
    agreement_case_number: str
    payment_decision_case_number: str
    period_start: dt.date
    period_end: dt.date
    grant_under_agreement_sek: int
    paid_out_sek: int
    received_sek: int
    costs: tuple[CostItem, ...]
    attestation: Attestation
    signatory_name: str
    signed_on: dt.date
    arrived_at: dt.datetime


@dataclass(frozen=True)
class FinancialSummary:
    """The arithmetic of point 3."""

    received_sek: int
    total_costs_sek: int

    @property
    def unspent_sek(self) -> int:
        """Grant received minus total costs (negative when costs exceed the grant)."""
        return self.received_sek - self.total_costs_sek

    @property
    def repayment_sek(self) -> int:
        """What must be repaid: the unspent amount, or 0 when it is not positive."""
        return max(0, self.unspent_sek)


@dataclass(frozen=True)
class RepaymentObligation:
    """An amount a recipient must repay by a deadline."""

    recipient_code: str
    amount_sek: int
    deadline: Deadline


@dataclass(frozen=True)
class RepaymentStatus:
    """How much of an obligation is repaid, and whether anything is overdue."""

    obligation: RepaymentObligation
    repaid_sek: int
    repaid_late_sek: int
    overdue: bool

    @property
    def outstanding_sek(self) -> int:
        """What is still to be repaid (0 once repaid in full; overpayment shows in repaid)."""
        return max(0, self.obligation.amount_sek - self.repaid_sek)


class ReclaimStatus(StrEnum):
    """A reclaim case is decided by the grant officer; nothing is reclaimed automatically."""

    TO_DECIDE = "to_decide"
    RECLAIM = "reclaim"
    NO_RECLAIM = "no_reclaim"


@dataclass(frozen=True)
class ReclaimCase:
    """A late or missing financial report, waiting for the grant officer's decision."""

    recipient_code: str
    deadline: Deadline
    arrived_at: dt.datetime | None
    days_late: int
    status: ReclaimStatus = ReclaimStatus.TO_DECIDE

    @property
    def reason(self) -> str:
        """Why the case exists, for display."""
        day = self.deadline.effective_day.isoformat()
        if self.arrived_at is None:
            return f"no financial report by {day}; the government may reclaim the grant"
        return (
            f"financial report arrived {self.days_late} day(s) after {day}; "
            "the government may reclaim the grant"
        )


def summarise(report: FinancialReport) -> FinancialSummary:
    """Total costs and unspent amount of a report."""
    return FinancialSummary(report.received_sek, sum(c.amount_sek for c in report.costs))


def validate_financial_report(report: FinancialReport) -> tuple[Problem, ...]:
    """Problems in a report: amounts, case numbers, attestation, period, signature."""
    out: list[Problem] = []
    for field, amount in (
        ("grant_under_agreement_sek", report.grant_under_agreement_sek),
        ("paid_out_sek", report.paid_out_sek),
        ("received_sek", report.received_sek),
    ):
        if amount < 0:
            out.append(Problem(field, f"must be 0 kr or more, not {amount}"))
    if report.received_sek != report.paid_out_sek:
        out.append(
            Problem(
                "received_sek",
                f"{report.received_sek} kr received differs from {report.paid_out_sek} kr paid out",
            )
        )
    if report.paid_out_sek > report.grant_under_agreement_sek:
        out.append(Problem("paid_out_sek", "more was paid out than the grant under the agreement"))
    for i, item in enumerate(report.costs):
        if not item.label.strip():
            out.append(Problem(f"costs.{i}.label", "name the cost item"))
        if item.amount_sek < 0:
            out.append(
                Problem(f"costs.{i}.amount_sek", f"must be 0 kr or more, not {item.amount_sek}")
            )
    for field, value in (
        ("agreement_case_number", report.agreement_case_number),
        ("payment_decision_case_number", report.payment_decision_case_number),
    ):
        if not value.strip():
            out.append(Problem(field, "the Government Offices reference number is required"))
    if report.period_end < report.period_start:
        out.append(Problem("period_end", "the period ends before it starts"))
    att = report.attestation
    for field, value in (("attestation.name", att.name), ("attestation.title", att.title)):
        if not value.strip():
            out.append(Problem(field, "is required"))
    if att.alternative is Alternative.NOT_CORRECT:
        if not att.deviations.strip():
            out.append(Problem("attestation.deviations", "alternative 2 requires the deviations"))
        if not att.measures.strip():
            out.append(Problem("attestation.measures", "alternative 2 requires the measures"))
    if not report.signatory_name.strip():
        out.append(Problem("signatory_name", "the authorised representative's name is required"))
    return tuple(out)


def repayment_obligation(
    report: FinancialReport, deadline: Deadline
) -> RepaymentObligation | None:
    """The repayment a report creates, or ``None`` when nothing is unspent."""
    amount = summarise(report).repayment_sek
    return RepaymentObligation(report.recipient_code, amount, deadline) if amount > 0 else None


def repayment_status(
    obligation: RepaymentObligation,
    repayments: Sequence[tuple[int, dt.datetime]],
    now: dt.datetime,
) -> RepaymentStatus:
    """Status of an obligation given repayments ``(amount_sek, received_at)``."""
    repaid = sum(a for a, _ in repayments)
    late = sum(a for a, at in repayments if not is_on_time(at, obligation.deadline))
    on_time = repaid - late
    overdue = on_time < obligation.amount_sek and is_overdue(now, obligation.deadline)
    return RepaymentStatus(obligation, repaid, late, overdue)


def reclaim_case(
    recipient_code: str,
    deadline: Deadline,
    arrived_at: dt.datetime | None,
    now: dt.datetime,
) -> ReclaimCase | None:
    """A reclaim case if the report is late or, past the deadline, still missing."""
    if arrived_at is not None:
        if is_on_time(arrived_at, deadline):
            return None
        return ReclaimCase(recipient_code, deadline, arrived_at, days_late(arrived_at, deadline))
    if not is_overdue(now, deadline):
        return None
    return ReclaimCase(recipient_code, deadline, None, days_late(now, deadline))
