"""Read models of the funding capability: per line, per recipient, late items, eligibility.

The grant officer's overview of an agreement (:func:`line_summaries`, :func:`recipient_summaries`,
:func:`late_items`, :func:`eligibility`) and a recipient's own view (:func:`recipient_view`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.funding.agreements import Agreement, Consequence, DutyKind, Party, WeekendRule
from naravard.funding.deadlines import Deadline, duty_deadline, is_overdue
from naravard.funding.eligibility import Eligibility, condition_status
from naravard.funding.line_allocation import allocate_line
from naravard.funding.reports import RepaymentObligation, RepaymentStatus, repayment_status
from naravard.storage.funding_repo import (
    APPROVED,
    HOLDING,
    PAID,
    agreement_of,
    aware,
    current_run,
    deadline_for,
    entitlement,
    get_agreement,
    list_agreements,
    population_from_db,
    recorded_submissions,
)
from naravard.storage.funding_tables import (
    AllocationRun,
    StoredAgreement,
    StoredFinancialReport,
    StoredLine,
    StoredObligation,
    StoredReclaimCase,
    StoredRequisition,
)
from naravard.storage.models import Organisation
from naravard.storage.survey_status import first_submissions


def _names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Organisation.code, Organisation.name)).all())


def _requisitions(session: Session, agreement_id: int) -> list[StoredRequisition]:
    return list(
        session.scalars(
            select(StoredRequisition)
            .join(StoredLine)
            .where(StoredLine.agreement_id == agreement_id)
            .order_by(StoredRequisition.id)
        )
    )


def requisitions_of(
    session: Session, agreement_code: str, recipient_code: str | None = None
) -> list[StoredRequisition]:
    """Requisitions under an agreement (of one recipient if given), oldest first."""
    stored = get_agreement(session, agreement_code)
    if stored is None:
        return []
    rows = _requisitions(session, stored.id)
    return [r for r in rows if recipient_code is None or r.recipient_code == recipient_code]


# --- lines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSummary:
    """A line with its frozen allocation and the money requisitioned and paid against it."""

    line: StoredLine
    run: AllocationRun | None
    unavailable: str | None
    requisitioned_sek: int
    approved_sek: int
    paid_sek: int
    #: The key whose figures are missing, when that is why the line is not allocated.
    missing_key: str | None = None

    @property
    def allocated_sek(self) -> int:
        """Sum of the frozen amounts (the line's amount once frozen; 0 before)."""
        return 0 if self.run is None else sum(s.amount_sek for s in self.run.shares)


def line_summaries(session: Session, agreement_code: str) -> list[LineSummary]:
    """Every line of an agreement, in the agreement's order."""
    stored = get_agreement(session, agreement_code)
    if stored is None:
        return []
    agreement = agreement_of(stored)
    reqs = _requisitions(session, stored.id)
    population = None
    out = []
    for line in stored.lines:
        run = current_run(session, line.id)
        reason = missing_key = None
        if run is None:
            if population is None:
                population = population_from_db(session)
            result = allocate_line(agreement, agreement.line(line.code), population)
            reason, missing_key = result.unavailable, result.missing_key
        mine = [r for r in reqs if r.line_id == line.id]
        out.append(LineSummary(
            line, run, reason,
            sum(r.amount_sek for r in mine if r.status in HOLDING),
            sum(r.amount_sek for r in mine if r.status in (APPROVED, PAID)),
            sum(r.amount_sek for r in mine if r.status == PAID),
            missing_key,
        ))
    return out


@dataclass(frozen=True)
class ShareRow:
    """One recipient of a frozen line: entitlement and what it requisitioned and was paid."""

    code: str
    name: str
    weight: str
    share: str
    amount_sek: int
    care_recipients: int | None
    population: int | None
    requisitioned_sek: int
    paid_sek: int

    @property
    def remaining_sek(self) -> int:
        """Entitlement not yet requisitioned."""
        return max(0, self.amount_sek - self.requisitioned_sek)


def share_rows(session: Session, line: StoredLine, run: AllocationRun) -> list[ShareRow]:
    """The frozen allocation table of a line with requisitioned and paid per recipient."""
    reqs = list(session.scalars(select(StoredRequisition).where(
        StoredRequisition.line_id == line.id)))
    out = []
    for s in run.shares:
        mine = [r for r in reqs if r.recipient_code == s.recipient_code]
        out.append(ShareRow(
            s.recipient_code, s.recipient_name, s.weight, s.share, s.amount_sek,
            s.care_recipients, s.population,
            sum(r.amount_sek for r in mine if r.status in HOLDING),
            sum(r.amount_sek for r in mine if r.status == PAID),
        ))
    return out


# --- repayments --------------------------------------------------------------------------------


def obligation_status(obligation: StoredObligation, now: dt.datetime) -> RepaymentStatus:
    """Repaid, outstanding and overdue amounts of a stored obligation."""
    domain = RepaymentObligation(
        obligation.recipient_code, obligation.amount_sek,
        Deadline(obligation.deadline, WeekendRule(obligation.weekend_rule)),
    )
    return repayment_status(
        domain, [(r.amount_sek, aware(r.received_at)) for r in obligation.repayments], now
    )


def _obligations(session: Session, agreement_id: int) -> dict[str, StoredObligation]:
    rows = session.scalars(
        select(StoredObligation)
        .join(StoredFinancialReport)
        .where(StoredFinancialReport.agreement_id == agreement_id)
    )
    return {o.recipient_code: o for o in rows}


def _reports(session: Session, agreement_id: int) -> dict[str, StoredFinancialReport]:
    rows = session.scalars(
        select(StoredFinancialReport).where(StoredFinancialReport.agreement_id == agreement_id)
    )
    return {r.recipient_code: r for r in rows}


def reclaim_cases(session: Session, agreement_code: str | None = None,
                  recipient_code: str | None = None) -> list[StoredReclaimCase]:
    """Reclaim cases, optionally of one agreement and one recipient, oldest first."""
    query = select(StoredReclaimCase).join(StoredAgreement).order_by(StoredReclaimCase.id)
    if agreement_code is not None:
        query = query.where(StoredAgreement.code == agreement_code)
    if recipient_code is not None:
        query = query.where(StoredReclaimCase.recipient_code == recipient_code)
    return list(session.scalars(query))


# --- recipients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientSummary:
    """A recipient's money under one agreement, from entitlement to repayment."""

    code: str
    name: str
    entitlement_sek: int
    requisitioned_sek: int
    paid_sek: int
    report: StoredFinancialReport | None
    obligation: StoredObligation | None
    repayment: RepaymentStatus | None
    reclaim: StoredReclaimCase | None


def _entitlements(
    session: Session, stored: StoredAgreement, names: dict[str, str]
) -> dict[str, int]:
    """Recipient → sum of its frozen amounts; adds recipients' names missing from ``names``."""
    out: dict[str, int] = {}
    for line in stored.lines:
        run = current_run(session, line.id)
        if run is None:
            continue
        for s in run.shares:
            out[s.recipient_code] = out.get(s.recipient_code, 0) + s.amount_sek
            names.setdefault(s.recipient_code, s.recipient_name)
    return out


def recipient_summaries(
    session: Session, agreement_code: str, now: dt.datetime
) -> list[RecipientSummary]:
    """Every recipient with an entitlement or a report, in code order."""
    stored = get_agreement(session, agreement_code)
    if stored is None:
        return []
    names = _names(session)
    ent = _entitlements(session, stored, names)
    reqs = _requisitions(session, stored.id)
    reports = _reports(session, stored.id)
    obligations = _obligations(session, stored.id)
    cases = {c.recipient_code: c for c in reclaim_cases(session, agreement_code)}
    out = []
    for code in sorted(set(ent) | set(reports)):
        mine = [r for r in reqs if r.recipient_code == code]
        ob = obligations.get(code)
        out.append(RecipientSummary(
            code, names.get(code, code), ent.get(code, 0),
            sum(r.amount_sek for r in mine if r.status in HOLDING),
            sum(r.amount_sek for r in mine if r.status == PAID),
            reports.get(code), ob, obligation_status(ob, now) if ob else None, cases.get(code),
        ))
    return out


# --- late items --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateItem:
    """Something past its deadline.

    ``kind``: ``requisition_lapsed`` (entitlement not requisitioned by the deadline: the right
    lapsed), ``report_missing``, ``report_late`` (a reclaim case), ``repayment_overdue``.
    """

    kind: str
    recipient_code: str
    recipient_name: str
    deadline: dt.date
    amount_sek: int
    line_code: str | None = None
    case: StoredReclaimCase | None = None


def late_items(session: Session, agreement_code: str, now: dt.datetime) -> list[LateItem]:
    """Everything late under an agreement at ``now``, by deadline and recipient."""
    stored = get_agreement(session, agreement_code)
    if stored is None:
        return []
    agreement = agreement_of(stored)
    names = _names(session)
    out: list[LateItem] = []
    for line in stored.lines:
        run = current_run(session, line.id)
        if run is None:
            continue
        reqs = list(session.scalars(select(StoredRequisition).where(
            StoredRequisition.line_id == line.id, StoredRequisition.status.in_(HOLDING))))
        for s in run.shares:
            deadline = deadline_for(agreement, s.recipient_code, DutyKind.REQUISITION)
            if deadline is None or not is_overdue(now, deadline):
                continue
            held = sum(r.amount_sek for r in reqs if r.recipient_code == s.recipient_code)
            if s.amount_sek > held:
                out.append(LateItem("requisition_lapsed", s.recipient_code,
                                    names.get(s.recipient_code, s.recipient_name),
                                    deadline.effective_day, s.amount_sek - held, line.code))
    for summary in recipient_summaries(session, agreement_code, now):
        deadline = deadline_for(agreement, summary.code, DutyKind.FINANCIAL_REPORT)
        if (summary.report is None and summary.paid_sek > 0 and deadline is not None
                and is_overdue(now, deadline)):
            out.append(LateItem("report_missing", summary.code, summary.name,
                                deadline.effective_day, summary.paid_sek))
        if summary.reclaim is not None:
            out.append(LateItem("report_late", summary.code, summary.name,
                                summary.reclaim.deadline, summary.paid_sek, case=summary.reclaim))
        if summary.repayment is not None and summary.repayment.overdue:
            out.append(LateItem("repayment_overdue", summary.code, summary.name,
                                summary.repayment.obligation.deadline.effective_day,
                                summary.repayment.outstanding_sek))
    return sorted(out, key=lambda i: (i.deadline, i.recipient_code, i.kind, i.line_code or ""))


# --- eligibility -------------------------------------------------------------------------------

#: Where submission times come from: (session, agreement code, duty id) → org code → time.
SubmissionSource = Callable[[Session, str, str], Mapping[str, dt.datetime]]


@dataclass(frozen=True)
class EligibilityRow:
    """One organisation against one condition for next year's money."""

    condition_id: str
    duty_id: str
    deadline: dt.date
    organisation_code: str
    organisation_name: str
    submitted_at: dt.datetime | None
    status: Eligibility


_PARTY_KIND = {Party.REGIONS: "region", Party.RSS: "rss"}


def eligibility_rows(
    agreement: Agreement,
    organisations: Sequence[tuple[str, str, str]],
    submissions: Mapping[str, Mapping[str, dt.datetime]],
    now: dt.datetime,
) -> list[EligibilityRow]:
    """Status of every condition for next year's money for every organisation it applies to.

    ``organisations`` are ``(code, name, kind)``; ``submissions`` maps a duty id to organisation
    code → submission time (from recorded dates, or from questionnaire rounds).
    """
    out = []
    for cond in agreement.conditions:
        if cond.duty is None:
            continue
        duty = agreement.duty(cond.duty)
        deadline = duty_deadline(duty)
        if duty.consequence is not Consequence.CONDITION_FOR_NEXT_YEAR or deadline is None:
            continue
        kinds = {_PARTY_KIND[p] for p in cond.applies_to or duty.who if p in _PARTY_KIND}
        times = submissions.get(duty.id, {})
        for code, name, kind in organisations:
            if kind in kinds:
                at = times.get(code)
                out.append(EligibilityRow(cond.id, duty.id, deadline.effective_day, code, name,
                                          at, condition_status(deadline, at, now)))
    return out


def rounds_and_recorded(
    session: Session, agreement_code: str, duty_code: str
) -> dict[str, dt.datetime]:
    """Organisation code → the earliest of its recorded submission and its first submission to
    a questionnaire round whose (interim) deadline is the duty's deadline."""
    found = dict(recorded_submissions(session, agreement_code, duty_code))
    stored = get_agreement(session, agreement_code)
    if stored is None:
        return found
    duty = agreement_of(stored).duty(duty_code)
    if duty.deadline is None:
        return found
    for party in duty.who:
        kind = _PARTY_KIND.get(party)
        if kind is None:
            continue
        for code, at in first_submissions(session, duty.deadline, kind).items():
            if code not in found or at < found[code]:
                found[code] = at
    return found


def eligibility(
    session: Session,
    agreement_code: str,
    now: dt.datetime,
    source: SubmissionSource = rounds_and_recorded,
    organisation_code: str | None = None,
) -> list[EligibilityRow]:
    """Eligibility for next year's money under an agreement (of one organisation if given).

    ``source`` gives the submission times; the default takes the earliest of the date recorded
    by the grant officer and the first submission to a matching questionnaire round.
    """
    stored = get_agreement(session, agreement_code)
    if stored is None:
        return []
    agreement = agreement_of(stored)
    query = select(Organisation.code, Organisation.name, Organisation.kind).where(
        Organisation.kind.in_(("region", "rss"))).order_by(Organisation.code)
    if organisation_code is not None:
        query = query.where(Organisation.code == organisation_code)
    orgs = [(c, n, k) for c, n, k in session.execute(query)]
    duties = {c.duty for c in agreement.conditions if c.duty}
    submissions = {d: source(session, agreement_code, d) for d in sorted(duties)}
    return eligibility_rows(agreement, orgs, submissions, now)


# --- a recipient's own view --------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientLine:
    """A recipient's entitlement on one line."""

    line: StoredLine
    run: AllocationRun
    entitlement_sek: int
    requisitioned_sek: int
    paid_sek: int

    @property
    def remaining_sek(self) -> int:
        """Entitlement not yet requisitioned."""
        return max(0, self.entitlement_sek - self.requisitioned_sek)


@dataclass(frozen=True)
class RecipientAgreement:
    """Everything a recipient has under one agreement."""

    agreement: StoredAgreement
    lines: list[RecipientLine]
    requisitions: list[StoredRequisition]
    requisition_deadline: Deadline | None
    requisition_open: bool
    report: StoredFinancialReport | None
    report_deadline: Deadline | None
    repayment_deadline: Deadline | None
    obligation: StoredObligation | None
    repayment: RepaymentStatus | None
    reclaims: list[StoredReclaimCase]
    eligibility: list[EligibilityRow] = field(default_factory=list)

    @property
    def entitlement_sek(self) -> int:
        """Sum of the entitlements."""
        return sum(li.entitlement_sek for li in self.lines)

    @property
    def paid_sek(self) -> int:
        """Sum paid out."""
        return sum(li.paid_sek for li in self.lines)


def recipient_view(
    session: Session, recipient_code: str, now: dt.datetime
) -> list[RecipientAgreement]:
    """Every agreement under which ``recipient_code`` has an entitlement or a condition."""
    out = []
    for stored in list_agreements(session):
        agreement = agreement_of(stored)
        reqs = [r for r in _requisitions(session, stored.id) if r.recipient_code == recipient_code]
        lines = []
        for line in stored.lines:
            run = current_run(session, line.id)
            amount = None if run is None else entitlement(run, recipient_code)
            if run is None or amount is None:
                continue
            mine = [r for r in reqs if r.line_id == line.id]
            lines.append(RecipientLine(
                line, run, amount, sum(r.amount_sek for r in mine if r.status in HOLDING),
                sum(r.amount_sek for r in mine if r.status == PAID)))
        elig = eligibility(session, stored.code, now, organisation_code=recipient_code)
        if not lines and not elig and not reqs:
            continue
        req_deadline = deadline_for(agreement, recipient_code, DutyKind.REQUISITION)
        obligations = _obligations(session, stored.id)
        ob = obligations.get(recipient_code)
        out.append(RecipientAgreement(
            stored, lines, reqs, req_deadline,
            req_deadline is None or not is_overdue(now, req_deadline),
            _reports(session, stored.id).get(recipient_code),
            deadline_for(agreement, recipient_code, DutyKind.FINANCIAL_REPORT),
            deadline_for(agreement, recipient_code, DutyKind.REPAYMENT),
            ob, obligation_status(ob, now) if ob else None,
            reclaim_cases(session, stored.code, recipient_code), elig,
        ))
    return out
