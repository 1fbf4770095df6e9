"""Store and change funding data: agreements, frozen allocations, requisitions, payments,
financial reports, repayments, reclaim decisions and condition submissions.

Rules come from :mod:`naravard.funding`; this module only loads what they need, stores what they
return, and writes an audit event in the same transaction as every change. Times are stored in
UTC; SQLite gives them back without a zone, so :func:`aware` puts UTC back on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.funding.agreement_files import (
    agreement_from_dict,
    agreement_to_dict,
    shipped_agreements,
)
from naravard.funding.agreements import Agreement, Duty, DutyKind, Party
from naravard.funding.deadlines import Deadline, duties_of, duty_deadline
from naravard.funding.key_figures import keep_supplied_keys
from naravard.funding.line_allocation import KeyOverrides, allocate_line
from naravard.funding.problems import Problem
from naravard.funding.reports import (
    FinancialReport,
    ReclaimStatus,
    reclaim_case,
    repayment_obligation,
    summarise,
    validate_financial_report,
)
from naravard.funding.requisitions import (
    Contact,
    Requisition,
    RequisitionCheck,
    Signature,
    organisation_number_ok,
    validate_requisition,
)
from naravard.reference.population import PopulationCount as RefPopulationCount
from naravard.storage import audit
from naravard.storage.funding_tables import (
    AllocationRun,
    AllocationShare,
    ConditionSubmission,
    StoredAgreement,
    StoredCostItem,
    StoredFinancialReport,
    StoredLine,
    StoredObligation,
    StoredReclaimCase,
    StoredRepayment,
    StoredRequisition,
)
from naravard.storage.models import Organisation, PopulationCount

#: Requisition statuses: submitted → approved → paid, or submitted → rejected.
SUBMITTED, APPROVED, PAID, REJECTED = "submitted", "approved", "paid", "rejected"
#: Statuses that hold entitlement (a rejected requisition frees it again).
HOLDING = (SUBMITTED, APPROVED, PAID)


class FundingError(ValueError):
    """A change that the funding rules refuse.

    ``msgid`` is an English message with ``%(name)s`` placeholders filled from ``params`` (the
    web layer translates it); ``str()`` gives the English text.
    """

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(msgid % self.params if self.params else msgid)


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored time with its zone (SQLite returns UTC times without one)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise FundingError("Time %(time)s has no time zone.", time=moment.isoformat())
    return moment.astimezone(dt.UTC)


# --- agreements --------------------------------------------------------------------------------

_AGREEMENT_CACHE: dict[str, Agreement] = {}


def agreement_of(stored: StoredAgreement) -> Agreement:
    """The domain agreement of a stored one (parsed and validated once per distinct document)."""
    text = json.dumps(stored.document, sort_keys=True, ensure_ascii=False)
    key = hashlib.sha256(text.encode()).hexdigest()
    if key not in _AGREEMENT_CACHE:
        _AGREEMENT_CACHE[key] = agreement_from_dict(stored.document, stored.code)
    return _AGREEMENT_CACHE[key]


def list_agreements(session: Session) -> list[StoredAgreement]:
    """Every stored agreement, newest year first."""
    return list(
        session.scalars(
            select(StoredAgreement).order_by(StoredAgreement.year.desc(), StoredAgreement.code)
        )
    )


def get_agreement(session: Session, code: str) -> StoredAgreement | None:
    """The stored agreement with ``code`` (e.g. ``gonv-2020``)."""
    return session.scalar(select(StoredAgreement).where(StoredAgreement.code == code))


def get_line(session: Session, agreement_code: str, line_code: str) -> StoredLine | None:
    """A line of a stored agreement."""
    return session.scalar(
        select(StoredLine)
        .join(StoredAgreement)
        .where(StoredAgreement.code == agreement_code, StoredLine.code == line_code)
    )


@dataclass(frozen=True)
class StoreResult:
    """What storing an agreement did: ``created``, ``updated`` or ``unchanged``."""

    code: str
    outcome: str


def _line_fields(agreement: Agreement) -> dict[str, dict[str, Any]]:
    return {
        li.id: {
            "section": li.section,
            "label": li.label,
            "amount_sek": li.amount_sek,
            "recipient": li.recipient.value if li.recipient else None,
            "method_kind": li.method.kind.value if li.method else None,
        }
        for li in agreement.lines
    }


def store_agreement(
    session: Session, agreement: Agreement, source: str, actor: str, now: dt.datetime
) -> StoreResult:
    """Insert or update an agreement and its lines.

    A line whose allocation is frozen keeps its amount, recipient and method: an update that would
    change them, or remove the line, is refused (:class:`FundingError` naming the lines).
    """
    document = agreement_to_dict(agreement)
    stored = get_agreement(session, agreement.id)
    if stored is not None and stored.document == document:
        return StoreResult(agreement.id, "unchanged")
    new_lines = _line_fields(agreement)
    if stored is None:
        stored = StoredAgreement(code=agreement.id, document=document, year=agreement.year,
                                 name=agreement.name, total_sek=agreement.total_sek,
                                 source=source, loaded_by=actor, loaded_at=_utc(now))
        session.add(stored)
        session.flush()
        outcome = "created"
        old_lines: dict[str, StoredLine] = {}
    else:
        outcome = "updated"
        old_lines = {li.code: li for li in stored.lines}
        frozen = {li.code for li in old_lines.values() if current_run(session, li.id) is not None}
        blocked = []
        for code in sorted(frozen):
            line = old_lines[code]
            fields = new_lines.get(code)
            if fields is None or any(
                getattr(line, k) != fields[k] for k in ("amount_sek", "recipient", "method_kind")
            ):
                blocked.append(code)
        if blocked:
            raise FundingError(
                "Lines %(lines)s have frozen allocations: their amount, recipient and method "
                "cannot change and they cannot be removed.", lines=", ".join(blocked)
            )
        for code in set(old_lines) - set(new_lines):
            session.delete(old_lines.pop(code))
        stored.document, stored.year, stored.name = document, agreement.year, agreement.name
        stored.total_sek, stored.source = agreement.total_sek, source
        stored.loaded_by, stored.loaded_at = actor, _utc(now)
    for position, (code, fields) in enumerate(new_lines.items()):
        target = old_lines.get(code)
        if target is None:
            target = StoredLine(agreement_id=stored.id, code=code)
            session.add(target)
        target.position = position
        for name, value in fields.items():
            setattr(target, name, value)
    session.flush()
    session.refresh(stored)
    audit.record(session, actor, f"agreement.{outcome}", "agreement", agreement.id, None,
                 source=source, lines=len(agreement.lines), total_sek=agreement.total_sek)
    return StoreResult(agreement.id, outcome)


def load_shipped(session: Session, actor: str, now: dt.datetime) -> list[StoreResult]:
    """Store every shipped agreement (idempotent: unchanged ones are left alone).

    Key figures supplied for a key the shipped file lacks are kept.
    """
    out = []
    for shipped in shipped_agreements():
        stored = get_agreement(session, shipped.id)
        if stored is not None:
            shipped = keep_supplied_keys(shipped, agreement_of(stored))
        out.append(store_agreement(session, shipped, "shipped", actor, now))
    return out


# --- allocations ------------------------------------------------------------------------------


def population_from_db(session: Session) -> list[RefPopulationCount]:
    """Every loaded county (region) population count, as the allocation engine takes it."""
    rows = session.execute(
        select(PopulationCount.ref_date, Organisation.code, PopulationCount.sex,
               PopulationCount.count)
        .join(Organisation, PopulationCount.organisation_id == Organisation.id)
        .where(Organisation.kind == "region")
    )
    return [RefPopulationCount(d, code, sex, n) for d, code, sex, n in rows]


def current_run(session: Session, line_id: int) -> AllocationRun | None:
    """The frozen allocation in force for a line."""
    return session.scalar(
        select(AllocationRun).where(AllocationRun.line_id == line_id, AllocationRun.is_current)
    )


@dataclass(frozen=True)
class FreezeOutcome:
    """One line after :func:`freeze_allocations`: its run, or why it has none."""

    line_code: str
    run: AllocationRun | None
    newly_frozen: bool
    reason: str | None = None


def _basis(method_kind: str, key_id: str | None, population_date: dt.date | None) -> str:
    """A run's key as an English record (``AllocationRun.basis``); :func:`basis_key` reads the
    key id back."""
    if method_kind == "population_share":
        return f"population {population_date.isoformat() if population_date else ''}".strip()
    if method_kind == "municipal_key":
        day = population_date.isoformat() if population_date else ""
        return f"key {key_id} (half) and population {day} (half)"
    if method_kind == "imported_key":
        return f"key {key_id}"
    return "fixed amounts"


def basis_key(basis: str) -> str:
    """The key id that a basis written by :func:`_basis` names ("" when it names none)."""
    first, _, rest = basis.partition(" ")
    return rest.split(" ", 1)[0] if first == "key" else ""


def freeze_allocations(
    session: Session,
    agreement_code: str,
    actor: str,
    now: dt.datetime,
    overrides: KeyOverrides | None = None,
) -> list[FreezeOutcome]:
    """Allocate and freeze every line of an agreement that has no frozen allocation yet.

    Frozen lines are left as they are, so a later population load never changes an entitlement.
    Lines that cannot be allocated (a key without figures) are reported with the reason.
    """
    stored = get_agreement(session, agreement_code)
    if stored is None:
        raise FundingError("No agreement %(code)s.", code=agreement_code)
    agreement = agreement_of(stored)
    population = population_from_db(session)
    out: list[FreezeOutcome] = []
    for line in stored.lines:
        run = current_run(session, line.id)
        if run is not None:
            out.append(FreezeOutcome(line.code, run, False))
            continue
        result = allocate_line(agreement, agreement.line(line.code), population, overrides)
        if result.table is None:
            out.append(FreezeOutcome(line.code, None, False, result.unavailable))
            continue
        method = agreement.line(line.code).method
        assert method is not None
        components = {m.code: m for m in result.municipal_rows}
        run = AllocationRun(
            line_id=line.id, is_current=True, method_kind=method.kind.value,
            basis=_basis(method.kind.value, method.key_id, result.population_date),
            requested_population_date=result.requested_population_date,
            population_date=result.population_date, total_sek=result.table.total_sek,
            total_weight=str(result.table.total_weight), frozen_at=_utc(now), frozen_by=actor,
        )
        session.add(run)
        session.flush()
        for row in result.table.rows:
            comp = components.get(row.code)
            session.add(AllocationShare(
                run_id=run.id, recipient_code=row.code, recipient_name=row.name,
                weight=str(row.weight), share=str(row.share), amount_sek=row.amount_sek,
                care_recipients=comp.care_recipients if comp else None,
                population=comp.population if comp else None,
            ))
        session.flush()
        session.refresh(run)
        audit.record(session, actor, "allocation.freeze", "funding_line",
                     f"{agreement_code}/{line.code}", None, total_sek=run.total_sek,
                     basis=run.basis, recipients=len(result.table.rows))
        out.append(FreezeOutcome(line.code, run, True))
    return out


def entitlement(run: AllocationRun, recipient_code: str) -> int | None:
    """The amount a frozen allocation gives ``recipient_code`` (``None``: not a recipient)."""
    for share in run.shares:
        if share.recipient_code == recipient_code:
            return share.amount_sek
    return None


def fraction(text: str) -> Fraction:
    """A stored exact weight or share."""
    return Fraction(text)


# --- deadlines ---------------------------------------------------------------------------------


def party_of(recipient_code: str) -> Party:
    """Who a recipient is in the agreement's duties: a region, an RSS or SKR."""
    if recipient_code.startswith("RSS"):
        return Party.RSS
    if recipient_code == "SKR":
        return Party.SKR
    return Party.REGIONS


def duty_for(agreement: Agreement, recipient_code: str, kind: DutyKind) -> Duty | None:
    """The first duty of ``kind`` that ``recipient_code`` owes under ``agreement``."""
    duties = duties_of(agreement, party_of(recipient_code), kind)
    return duties[0] if duties else None


def deadline_for(agreement: Agreement, recipient_code: str, kind: DutyKind) -> Deadline | None:
    """The deadline of that duty (``None`` when the agreement states none)."""
    duty = duty_for(agreement, recipient_code, kind)
    return duty_deadline(duty) if duty else None


# --- requisitions ------------------------------------------------------------------------------


def _as_domain(row: StoredRequisition) -> Requisition:
    return Requisition(
        recipient_code=row.recipient_code, line_id=row.line.code,
        contact=Contact(row.recipient_name, row.organisation_number, row.contact_person,
                        row.postal_address, row.phone, row.email, row.fax),
        agreement_case_number=row.agreement_case_number,
        payment_decision_case_number=row.payment_decision_case_number,
        agreement_name=row.agreement_name, amount_sek=row.amount_sek,
        period_start=row.period_start, period_end=row.period_end,
        bankgiro_plusgiro=row.bankgiro_plusgiro, payment_reference=row.payment_reference,
        signature=Signature(row.signatory_name, row.signatory_authority, row.signed_on),
        arrived_at=aware(row.arrived_at),
    )


def requisitions_for(
    session: Session, line_id: int, recipient_code: str, statuses: Sequence[str] = HOLDING
) -> list[StoredRequisition]:
    """A recipient's requisitions of one line with one of ``statuses``, oldest first."""
    return list(
        session.scalars(
            select(StoredRequisition)
            .where(StoredRequisition.line_id == line_id,
                   StoredRequisition.recipient_code == recipient_code,
                   StoredRequisition.status.in_(statuses))
            .order_by(StoredRequisition.id)
        )
    )


@dataclass(frozen=True)
class SubmitOutcome:
    """A submitted requisition (``row``), or the problems that refused it."""

    row: StoredRequisition | None
    check: RequisitionCheck | None
    problems: tuple[Problem, ...]


def submit_requisition(
    session: Session, agreement_code: str, req: Requisition, actor: str, store: bool = True
) -> SubmitOutcome:
    """Check a requisition with :func:`validate_requisition` and store it if it passes.

    The entitlement is the recipient's amount in the line's frozen allocation; requisitions still
    holding entitlement (submitted, approved, paid) count as earlier ones. ``req.arrived_at`` is the
    server's time of receipt. With ``store=False`` it only checks.
    """
    stored = get_agreement(session, agreement_code)
    line = get_line(session, agreement_code, req.line_id)
    if stored is None or line is None:
        raise FundingError("No line %(line)s in agreement %(code)s.", line=req.line_id,
                           code=agreement_code)
    run = current_run(session, line.id)
    amount = None if run is None else entitlement(run, req.recipient_code)
    if run is None or amount is None:
        problem = Problem("line_id", "no entitlement: the line is not allocated to this recipient")
        return SubmitOutcome(None, None, (problem,))
    # Lock the recipient's allocation row so that concurrent requisitions queue (PostgreSQL).
    session.scalar(
        select(AllocationShare)
        .where(AllocationShare.run_id == run.id,
               AllocationShare.recipient_code == req.recipient_code)
        .with_for_update()
    )
    agreement = agreement_of(stored)
    earlier = [_as_domain(r) for r in requisitions_for(session, line.id, req.recipient_code)]
    check = validate_requisition(
        req, amount, earlier,
        deadline_for(agreement, req.recipient_code, DutyKind.REQUISITION),
        (agreement.case_numbers.agreement, agreement.case_numbers.payment_decision),
    )
    if not check.ok or not store:
        return SubmitOutcome(None, check, check.problems)
    c, s = req.contact, req.signature
    row = StoredRequisition(
        line_id=line.id, run_id=run.id, recipient_code=req.recipient_code,
        recipient_name=c.recipient_name.strip(), organisation_number=c.organisation_number.strip(),
        contact_person=c.contact_person.strip(), postal_address=c.postal_address.strip(),
        phone=c.phone.strip(), fax=c.fax.strip(), email=c.email.strip(),
        agreement_case_number=req.agreement_case_number.strip(),
        payment_decision_case_number=req.payment_decision_case_number.strip(),
        agreement_name=req.agreement_name.strip(), amount_sek=req.amount_sek,
        period_start=req.period_start, period_end=req.period_end,
        bankgiro_plusgiro=req.bankgiro_plusgiro.strip(),
        payment_reference=req.payment_reference.strip(), signatory_name=s.name.strip(),
        signatory_authority=s.authority.strip(), signed_on=s.signed_on,
        arrived_at=_utc(req.arrived_at), submitted_by=actor, status=SUBMITTED,
        decision_note="", payout_reference="",
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "requisition.submit", "requisition", row.id, req.recipient_code,
                 agreement=agreement_code, line=req.line_id, amount_sek=req.amount_sek,
                 entitlement_sek=amount, earlier_sek=check.earlier_sek)
    return SubmitOutcome(row, check, ())


def get_requisition(session: Session, requisition_id: int) -> StoredRequisition | None:
    """A requisition by id."""
    return session.get(StoredRequisition, requisition_id)


def requisition_owner(session: Session, requisition_id: int) -> str | None:
    """The organisation code of a requisition's recipient (for access checks)."""
    return session.scalar(
        select(StoredRequisition.recipient_code).where(StoredRequisition.id == requisition_id)
    )


def decide_requisition(
    session: Session, requisition_id: int, approve: bool, actor: str, now: dt.datetime,
    note: str = "",
) -> StoredRequisition:
    """Approve or reject a submitted requisition (a rejection needs a reason)."""
    row = get_requisition(session, requisition_id)
    if row is None:
        raise FundingError("No requisition %(id)s.", id=requisition_id)
    if row.status != SUBMITTED:
        raise FundingError("The requisition is already decided.")
    if not approve and not note.strip():
        raise FundingError("Give the reason for the rejection.")
    row.status = APPROVED if approve else REJECTED
    row.decided_at, row.decided_by, row.decision_note = _utc(now), actor, note.strip()
    session.flush()
    audit.record(session, actor, f"requisition.{row.status}", "requisition", row.id,
                 row.recipient_code, amount_sek=row.amount_sek, note=row.decision_note)
    return row


def record_payment(
    session: Session, requisition_id: int, paid_on: dt.date, payout_reference: str, actor: str
) -> StoredRequisition:
    """Record the one-off payment of an approved requisition (the amount requisitioned)."""
    row = get_requisition(session, requisition_id)
    if row is None:
        raise FundingError("No requisition %(id)s.", id=requisition_id)
    if row.status != APPROVED:
        raise FundingError("Only an approved requisition can be paid.")
    if paid_on < aware(row.arrived_at).date():
        raise FundingError("The payment date is before the requisition arrived.")
    row.status, row.paid_on = PAID, paid_on
    row.payout_reference, row.paid_recorded_by = payout_reference.strip(), actor
    session.flush()
    audit.record(session, actor, "requisition.paid", "requisition", row.id, row.recipient_code,
                 amount_sek=row.amount_sek, paid_on=paid_on.isoformat(),
                 payout_reference=row.payout_reference)
    return row


# --- financial reports, repayments, reclaim ----------------------------------------------------


@dataclass(frozen=True)
class GrantFigures:
    """A recipient's grant under an agreement (sum of its frozen entitlements) and what was paid."""

    grant_sek: int
    paid_sek: int


def grant_figures(session: Session, agreement_code: str, recipient_code: str) -> GrantFigures:
    """Entitlements over every allocated line, and the payments recorded."""
    stored = get_agreement(session, agreement_code)
    if stored is None:
        raise FundingError("No agreement %(code)s.", code=agreement_code)
    grant = 0
    for line in stored.lines:
        run = current_run(session, line.id)
        amount = None if run is None else entitlement(run, recipient_code)
        grant += amount or 0
    paid = sum(
        session.scalars(
            select(StoredRequisition.amount_sek)
            .join(StoredLine)
            .where(StoredLine.agreement_id == stored.id,
                   StoredRequisition.recipient_code == recipient_code,
                   StoredRequisition.status == PAID)
        )
    )
    return GrantFigures(grant, paid)


def get_report(session: Session, report_id: int) -> StoredFinancialReport | None:
    """A financial report by id."""
    return session.get(StoredFinancialReport, report_id)


def report_of(
    session: Session, agreement_code: str, recipient_code: str
) -> StoredFinancialReport | None:
    """A recipient's financial report under an agreement."""
    return session.scalar(
        select(StoredFinancialReport)
        .join(StoredAgreement)
        .where(StoredAgreement.code == agreement_code,
               StoredFinancialReport.recipient_code == recipient_code)
    )


def report_owner(session: Session, report_id: int) -> str | None:
    """The organisation code of a report's recipient (for access checks)."""
    return session.scalar(
        select(StoredFinancialReport.recipient_code).where(StoredFinancialReport.id == report_id)
    )


def contact_problems(contact: Mapping[str, str]) -> list[Problem]:
    """Findings in the contact details of a report (the same rules as on the requisition)."""
    out = [
        Problem(f"contact.{name}" if name != "agreement_name" else name, "is required")
        for name in ("recipient_name", "contact_person", "postal_address", "phone",
                     "agreement_name")
        if not contact.get(name, "").strip()
    ]
    number = contact.get("organisation_number", "")
    if not organisation_number_ok(number):
        out.append(Problem("contact.organisation_number",
                           f"{number!r} is not a valid organisation number (NNNNNN-NNNN)"))
    email = contact.get("email", "").strip()
    if "@" not in email[1:-1]:
        out.append(Problem("contact.email", f"{email!r} is not an e-mail address"))
    return out


@dataclass(frozen=True)
class ReportOutcome:
    """A stored report with what it created, or the problems that refused it."""

    row: StoredFinancialReport | None
    problems: tuple[Problem, ...]
    obligation: StoredObligation | None = None
    reclaim: StoredReclaimCase | None = None


def submit_report(
    session: Session, agreement_code: str, report: FinancialReport, contact: Mapping[str, str],
    actor: str, store: bool = True,
) -> ReportOutcome:
    """Check and store a financial report; create its repayment obligation and reclaim case.

    ``report.grant_under_agreement_sek`` and ``paid_out_sek`` must be the figures on record.
    ``contact`` holds the Bilaga 4 point 1 fields (recipient_name, organisation_number,
    contact_person, postal_address, phone, fax, email) and the agreement's name. With
    ``store=False`` it only checks.
    """
    stored = get_agreement(session, agreement_code)
    if stored is None:
        raise FundingError("No agreement %(code)s.", code=agreement_code)
    agreement = agreement_of(stored)
    problems = contact_problems(contact) + list(validate_financial_report(report))
    figures = grant_figures(session, agreement_code, report.recipient_code)
    if (report.grant_under_agreement_sek, report.paid_out_sek) != (figures.grant_sek,
                                                                  figures.paid_sek):
        problems.append(Problem("paid_out_sek", "the grant and payment figures are not on record"))
    if report_of(session, agreement_code, report.recipient_code) is not None:
        problems.append(Problem("recipient_code", "a financial report is already submitted"))
    if problems or not store:
        return ReportOutcome(None, tuple(problems))
    summary = summarise(report)
    att = report.attestation
    row = StoredFinancialReport(
        agreement_id=stored.id, recipient_code=report.recipient_code,
        **{k: contact.get(k, "").strip() for k in (
            "recipient_name", "organisation_number", "contact_person", "postal_address",
            "phone", "fax", "email", "agreement_name")},
        agreement_case_number=report.agreement_case_number.strip(),
        payment_decision_case_number=report.payment_decision_case_number.strip(),
        grant_under_agreement_sek=report.grant_under_agreement_sek,
        paid_out_sek=report.paid_out_sek, received_sek=report.received_sek,
        total_costs_sek=summary.total_costs_sek, unspent_sek=summary.unspent_sek,
        period_start=report.period_start, period_end=report.period_end,
        attestation_alternative=int(att.alternative), attestation_name=att.name.strip(),
        attestation_title=att.title.strip(), attestation_phone=att.phone.strip(),
        attestation_email=att.email.strip(), deviations=att.deviations.strip(),
        measures=att.measures.strip(), signatory_name=report.signatory_name.strip(),
        signed_on=report.signed_on, arrived_at=_utc(report.arrived_at), submitted_by=actor,
    )
    session.add(row)
    session.flush()
    for position, item in enumerate(report.costs):
        session.add(StoredCostItem(report_id=row.id, position=position, label=item.label.strip(),
                                   amount_sek=item.amount_sek))
    audit.record(session, actor, "report.submit", "financial_report", row.id,
                 report.recipient_code, agreement=agreement_code,
                 received_sek=report.received_sek, total_costs_sek=summary.total_costs_sek,
                 unspent_sek=summary.unspent_sek, alternative=int(att.alternative))
    obligation = None
    repay_deadline = deadline_for(agreement, report.recipient_code, DutyKind.REPAYMENT)
    if repay_deadline is not None:
        due = repayment_obligation(report, repay_deadline)
        if due is not None:
            obligation = StoredObligation(report_id=row.id, recipient_code=report.recipient_code,
                                          amount_sek=due.amount_sek, deadline=repay_deadline.day,
                                          weekend_rule=repay_deadline.weekend_rule.value)
            session.add(obligation)
            session.flush()
            audit.record(session, actor, "repayment.obligation", "repayment_obligation",
                         obligation.id, report.recipient_code, amount_sek=due.amount_sek,
                         deadline=repay_deadline.effective_day.isoformat())
    reclaim = None
    report_deadline = deadline_for(agreement, report.recipient_code, DutyKind.FINANCIAL_REPORT)
    if report_deadline is not None:
        case = reclaim_case(report.recipient_code, report_deadline, report.arrived_at,
                            report.arrived_at)
        if case is not None:
            reclaim = StoredReclaimCase(
                agreement_id=stored.id, recipient_code=report.recipient_code, report_id=row.id,
                deadline=report_deadline.day, arrived_at=_utc(report.arrived_at),
                days_late=case.days_late, status=case.status.value, opened_at=_utc(
                    report.arrived_at), decision_note="",
            )
            session.add(reclaim)
            session.flush()
            audit.record(session, actor, "reclaim.open", "reclaim_case", reclaim.id,
                         report.recipient_code, days_late=case.days_late, reason=case.reason)
    session.flush()
    session.refresh(row)
    return ReportOutcome(row, (), obligation, reclaim)


def get_reclaim(session: Session, case_id: int) -> StoredReclaimCase | None:
    """A reclaim case by id."""
    return session.get(StoredReclaimCase, case_id)


def decide_reclaim(
    session: Session, case_id: int, decision: ReclaimStatus, note: str, actor: str,
    now: dt.datetime,
) -> StoredReclaimCase:
    """The grant officer's decision on a reclaim case (reclaim or not); the reason is required."""
    case = get_reclaim(session, case_id)
    if case is None:
        raise FundingError("No reclaim case %(id)s.", id=case_id)
    if case.status != ReclaimStatus.TO_DECIDE.value:
        raise FundingError("The reclaim case is already decided.")
    if decision is ReclaimStatus.TO_DECIDE:
        raise FundingError("Decide: reclaim or no reclaim.")
    if not note.strip():
        raise FundingError("Give the reason for the decision.")
    case.status, case.decision_note = decision.value, note.strip()
    case.decided_by, case.decided_at = actor, _utc(now)
    session.flush()
    audit.record(session, actor, f"reclaim.{decision.value}", "reclaim_case", case.id,
                 case.recipient_code, note=case.decision_note)
    return case


def get_obligation(session: Session, obligation_id: int) -> StoredObligation | None:
    """A repayment obligation by id."""
    return session.get(StoredObligation, obligation_id)


def obligation_of(session: Session, report_id: int) -> StoredObligation | None:
    """The repayment obligation a report created, if any."""
    return session.scalar(select(StoredObligation).where(StoredObligation.report_id == report_id))


def record_repayment(
    session: Session, obligation_id: int, amount_sek: int, received_at: dt.datetime, actor: str
) -> StoredRepayment:
    """Record money repaid against an obligation (whole kronor above 0)."""
    obligation = get_obligation(session, obligation_id)
    if obligation is None:
        raise FundingError("No repayment obligation %(id)s.", id=obligation_id)
    if amount_sek <= 0:
        raise FundingError("A repayment must be more than 0 kr.")
    row = StoredRepayment(obligation_id=obligation.id, amount_sek=amount_sek,
                          received_at=_utc(received_at), recorded_by=actor)
    session.add(row)
    session.flush()
    session.refresh(obligation)
    audit.record(session, actor, "repayment.record", "repayment_obligation", obligation.id,
                 obligation.recipient_code, amount_sek=amount_sek,
                 received_at=_utc(received_at).isoformat())
    return row


# --- condition submissions (eligibility) -------------------------------------------------------


def record_submission(
    session: Session, agreement_code: str, duty_code: str, organisation_code: str,
    submitted_at: dt.datetime, actor: str,
) -> ConditionSubmission:
    """Record (or correct) when an organisation submitted what a duty asks for."""
    stored = get_agreement(session, agreement_code)
    if stored is None:
        raise FundingError("No agreement %(code)s.", code=agreement_code)
    if duty_code not in {d.id for d in agreement_of(stored).duties}:
        raise FundingError("No duty %(duty)s in agreement %(code)s.", duty=duty_code,
                           code=agreement_code)
    org = session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    if org is None:
        raise FundingError("No organisation %(code)s.", code=organisation_code)
    row = session.scalar(
        select(ConditionSubmission).where(
            ConditionSubmission.agreement_id == stored.id,
            ConditionSubmission.duty_code == duty_code,
            ConditionSubmission.organisation_code == organisation_code,
        )
    )
    before = None if row is None else aware(row.submitted_at).isoformat()
    if row is None:
        row = ConditionSubmission(agreement_id=stored.id, duty_code=duty_code,
                                  organisation_code=organisation_code, submitted_at=_utc(
                                      submitted_at), recorded_by=actor)
        session.add(row)
    else:
        row.submitted_at, row.recorded_by = _utc(submitted_at), actor
    session.flush()
    audit.record(session, actor, "condition.submission", "condition_submission",
                 f"{agreement_code}/{duty_code}", organisation_code,
                 submitted_at=_utc(submitted_at).isoformat(), before=before)
    return row


def recorded_submissions(
    session: Session, agreement_code: str, duty_code: str
) -> dict[str, dt.datetime]:
    """Organisation code → recorded submission time for a duty."""
    rows = session.execute(
        select(ConditionSubmission.organisation_code, ConditionSubmission.submitted_at)
        .join(StoredAgreement)
        .where(StoredAgreement.code == agreement_code, ConditionSubmission.duty_code == duty_code)
    )
    return {code: aware(at) for code, at in rows}
