"""Funding data for storage, web and matrix tests: the 2020 agreement, requisitions, reports."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from naravard.funding.agreements import Agreement
from naravard.funding.deadlines import STOCKHOLM
from naravard.funding.reports import Alternative, Attestation, CostItem, FinancialReport
from naravard.funding.requisitions import Contact, Requisition, Signature
from naravard.storage import funding_repo as repo
from naravard.storage.funding_tables import StoredFinancialReport, StoredRequisition

AGREEMENT = "gonv-2020"
LINE = "nara-vard"
#: When the allocations are frozen in the tests.
FROZEN_AT = dt.datetime(2020, 2, 3, 9, 0, tzinfo=STOCKHOLM)
#: Region Halland's share of the 2 935 000 000 kr line by population on 2020-12-31, by hand:
#: 2 935 000 000 × 336 748 / 10 379 295 = 95 223 748,82 kr; the floors leave 13 kr over, and 0,82
#: is the 13th largest of the 21 remainders (from 0,94 for 05 down to 0,82), so 95 223 749 kr.
HALLAND_NARA_VARD = 95_223_749
#: Region Dalarna: 2 935 000 000 × 287 676 / 10 379 295 = 81 347 438,34 kr; 0,34 is not among the
#: 13 largest remainders, so 81 347 438 kr.
DALARNA_NARA_VARD = 81_347_438
ORG_NUMBERS = {"13": "232100-0115", "20": "232100-0214", "RSS13": "222000-1354"}


def agreement_2020(session: Session) -> None:
    """Store the shipped agreements and freeze the 2020 allocations."""
    repo.load_shipped(session, "tester", FROZEN_AT)
    repo.freeze_allocations(session, AGREEMENT, "tester", FROZEN_AT)


def requisition(
    recipient: str = "13",
    amount: int = 1_000_000,
    arrived_at: dt.datetime | None = None,
    line: str = LINE,
) -> Requisition:
    """A complete requisition of ``recipient`` (arrives 2020-11-02 10:00 unless told)."""
    return Requisition(
        recipient_code=recipient, line_id=line,
        contact=Contact(f"Organisation {recipient}", ORG_NUMBERS.get(recipient, "232100-0115"),
                        "Anna Andersson", "Box 1, 301 18 Halmstad", "035-13 48 00",
                        "anna@example.org"),
        agreement_case_number="S2020/00001", payment_decision_case_number="S2020/00002",
        agreement_name="God och nära vård 2020", amount_sek=amount,
        period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31),
        bankgiro_plusgiro="123-4567", payment_reference="GONV2020",
        signature=Signature("Bo Berg", "Regionstyrelsens delegationsordning punkt 4",
                            dt.date(2020, 11, 2)),
        arrived_at=arrived_at or dt.datetime(2020, 11, 2, 10, 0, tzinfo=STOCKHOLM),
    )


def submitted(session: Session, req: Requisition) -> StoredRequisition:
    """Submit a requisition that must pass."""
    outcome = repo.submit_requisition(session, AGREEMENT, req, "respondent")
    assert outcome.row is not None, outcome.problems
    return outcome.row


def paid(session: Session, req: Requisition, paid_on: dt.date = dt.date(2020, 11, 20)
         ) -> StoredRequisition:
    """Submit, approve and pay a requisition."""
    row = submitted(session, req)
    repo.decide_requisition(session, row.id, True, "grant_officer", req.arrived_at)
    return repo.record_payment(session, row.id, paid_on, "KAMK-1", "grant_officer")


CONTACT = {
    "recipient_name": "Region Halland", "organisation_number": "232100-0115",
    "contact_person": "Anna Andersson", "postal_address": "Box 1, 301 18 Halmstad",
    "phone": "035-13 48 00", "fax": "", "email": "anna@example.org",
    "agreement_name": "God och nära vård 2020",
}


def report(
    recipient: str, grant: int, paid_out: int, costs: tuple[int, ...], arrived_at: dt.datetime,
    alternative: Alternative = Alternative.CORRECT,
) -> FinancialReport:
    """A financial report with the received grant equal to the payments."""
    return FinancialReport(
        recipient_code=recipient, agreement_case_number="S2020/00001",
        payment_decision_case_number="S2020/00002", period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31), grant_under_agreement_sek=grant,
        paid_out_sek=paid_out, received_sek=paid_out,
        costs=tuple(CostItem(f"Kostnad {i + 1}", c) for i, c in enumerate(costs)),
        attestation=Attestation(alternative, "Eva Ek", "Ekonomidirektör", "035-1", "eva@x.se"),
        signatory_name="Bo Berg", signed_on=arrived_at.date(), arrived_at=arrived_at,
    )


def reported(session: Session, rep: FinancialReport) -> StoredFinancialReport:
    """Submit a financial report that must pass."""
    outcome = repo.submit_report(session, AGREEMENT, rep, CONTACT, "respondent")
    assert outcome.row is not None, outcome.problems
    return outcome.row


def with_care_counts(agreement: Agreement) -> Agreement:
    """The 2020 agreement with care-recipient counts: 1 000 per county, 2 000 in Halland."""
    keys = tuple(
        dataclasses.replace(
            k, missing=(),
            entries=tuple(dataclasses.replace(e, weight=2000 if e.code == "13" else 1000)
                          for e in k.entries),
        ) if k.id == "khsv-2020" else k
        for k in agreement.keys
    )
    return dataclasses.replace(agreement, keys=keys)
