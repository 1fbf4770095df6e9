"""Demo funding data: the 2020 agreement allocated, a few requisitions, one late report.

Region Halland requisitions two lines and is paid; Region Dalarna's requisition waits for the
grant officer; Halland's financial report arrives after the deadline, with money left over, so a
repayment obligation and a reclaim case await the grant officer. Interim-report dates are recorded
for both regions (Dalarna's is late). Running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from naravard.funding.deadlines import STOCKHOLM
from naravard.funding.reports import Alternative, Attestation, CostItem, FinancialReport
from naravard.funding.requisitions import Contact, Requisition, Signature
from naravard.storage import funding_overview, funding_repo

AGREEMENT = "gonv-2020"
_FROZEN_AT = dt.datetime(2020, 2, 10, 9, 0, tzinfo=STOCKHOLM)
_OFFICER = "handlaggare"


def _time(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


_CONTACTS = {
    "13": Contact("Region Halland", "232100-0115", "Helena Holm", "Box 517, 301 80 Halmstad",
                  "035-13 48 00", "helena.holm@example.org"),
    "20": Contact("Region Dalarna", "232100-0214", "Dagny Dahl", "Box 712, 791 29 Falun",
                  "023-49 00 00", "dagny.dahl@example.org"),
}


def _requisition(code: str, line: str, amount: int, arrived: dt.datetime) -> Requisition:
    return Requisition(
        recipient_code=code, line_id=line, contact=_CONTACTS[code],
        agreement_case_number="S2020/00345/FS", payment_decision_case_number="S2020/04567/FS",
        agreement_name="God och nära vård 2020", amount_sek=amount,
        period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31),
        bankgiro_plusgiro="5050-1055", payment_reference=f"GONV2020 {code} {line}",
        signature=Signature("Regiondirektören", "Regionstyrelsens delegationsordning, punkt 4.2",
                            arrived.date()),
        arrived_at=arrived,
    )


def _submit(session: Session, req: Requisition, actor: str) -> int:
    outcome = funding_repo.submit_requisition(session, AGREEMENT, req, actor)
    if outcome.row is None:
        raise RuntimeError(f"demo requisition refused: {outcome.problems}")
    return outcome.row.id


def add_funding_demo(session: Session) -> str:
    """Store the agreements, freeze the 2020 allocations and add the demo cases (idempotent)."""
    funding_repo.load_shipped(session, "demo", _FROZEN_AT)
    outcomes = funding_repo.freeze_allocations(session, AGREEMENT, "demo", _FROZEN_AT)
    frozen = sum(1 for o in outcomes if o.run is not None)
    if funding_overview.requisitions_of(session, AGREEMENT):
        return f"Funding: {AGREEMENT} with {frozen} frozen lines; demo cases already present."
    line = funding_repo.get_line(session, AGREEMENT, "nara-vard")
    run = funding_repo.current_run(session, line.id) if line else None
    if run is None:
        raise RuntimeError("the demo needs the nara-vard line allocated")
    halland = funding_repo.entitlement(run, "13") or 0
    dalarna = funding_repo.entitlement(run, "20") or 0
    paid = [
        _submit(session, _requisition("13", "nara-vard", halland, _time(2020, 11, 10, 10, 15)),
                "halland"),
        _submit(session, _requisition("13", "vidareutbildning-ssk", 10_000_000,
                                      _time(2020, 11, 10, 10, 40)), "halland"),
    ]
    for rid in paid:
        funding_repo.decide_requisition(session, rid, True, _OFFICER, _time(2020, 11, 12, 14, 0))
        funding_repo.record_payment(session, rid, dt.date(2020, 11, 20), f"KAMK-2020-{rid}",
                                    _OFFICER)
    _submit(session, _requisition("20", "nara-vard", dalarna, _time(2020, 11, 27, 16, 5)),
            "dalarna")
    figures = funding_repo.grant_figures(session, AGREEMENT, "13")
    late = _time(2021, 4, 9, 11, 30)
    report = FinancialReport(
        recipient_code="13", agreement_case_number="S2020/00345/FS",
        payment_decision_case_number="S2020/04567/FS", period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31), grant_under_agreement_sek=figures.grant_sek,
        paid_out_sek=figures.paid_sek, received_sek=figures.paid_sek,
        costs=(CostItem("Förstärkt primärvård, personal", 61_400_000),
               CostItem("Mobila team i samverkan med kommunerna", 18_250_000),
               CostItem("Vidareutbildning av sjuksköterskor", 9_800_000)),
        attestation=Attestation(Alternative.CORRECT, "Elin Ekström", "Ekonomidirektör",
                                "035-13 48 10", "elin.ekstrom@example.org"),
        signatory_name="Regiondirektören", signed_on=late.date(), arrived_at=late,
    )
    contact = _CONTACTS["13"]
    funding_repo.submit_report(session, AGREEMENT, report, {
        "recipient_name": contact.recipient_name,
        "organisation_number": contact.organisation_number,
        "contact_person": contact.contact_person, "postal_address": contact.postal_address,
        "phone": contact.phone, "fax": "", "email": contact.email,
        "agreement_name": "God och nära vård 2020"}, "halland")
    for code, when in (("13", _time(2020, 9, 28, 15, 0)), ("20", _time(2020, 10, 2, 9, 30))):
        funding_repo.record_submission(session, AGREEMENT, "delredovisning-regioner", code, when,
                                       _OFFICER)
    session.flush()
    return (f"Funding: {AGREEMENT} with {frozen} frozen lines; 3 requisitions (Halland paid, "
            "Dalarna pending); Halland's financial report late (reclaim case to decide).")
