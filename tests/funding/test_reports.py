"""Financial reports: unspent = received − costs, repayments, attestation, reclaim cases."""

from __future__ import annotations

import dataclasses
import datetime as dt

from naravard.funding.deadlines import STOCKHOLM, Deadline
from naravard.funding.reports import (
    Alternative,
    Attestation,
    CostItem,
    FinancialReport,
    ReclaimStatus,
    reclaim_case,
    repayment_obligation,
    repayment_status,
    summarise,
    validate_financial_report,
)

DUE = Deadline(dt.date(2021, 3, 31))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def report(costs: tuple[int, ...] = (300, 200), received: int = 1000, **changes: object
           ) -> FinancialReport:
    base = FinancialReport(
        recipient_code="13",
        agreement_case_number="S2020/00001",
        payment_decision_case_number="S2020/00002",
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
        grant_under_agreement_sek=1000,
        paid_out_sek=received,
        received_sek=received,
        costs=tuple(CostItem(f"post {i}", c) for i, c in enumerate(costs)),
        attestation=Attestation(
            Alternative.CORRECT, "Cia Ek", "Ekonomidirektör", "035-1", "c@x.se"
        ),
        signatory_name="Dan Lund",
        signed_on=dt.date(2021, 3, 1),
        arrived_at=at(2021, 3, 2, 9, 0),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_unspent_is_received_minus_costs() -> None:
    s = summarise(report((300, 200)))
    got = (s.received_sek, s.total_costs_sek, s.unspent_sek, s.repayment_sek)
    assert got == (1000, 500, 500, 500)


def test_positive_unspent_creates_a_repayment_obligation() -> None:
    obligation = repayment_obligation(report((300, 200)), DUE)
    assert obligation is not None
    assert (obligation.recipient_code, obligation.amount_sek) == ("13", 500)
    assert obligation.deadline == DUE


def test_negative_or_zero_unspent_repays_nothing() -> None:
    over = report((800, 400))
    assert summarise(over).unspent_sek == -200
    assert summarise(over).repayment_sek == 0
    assert repayment_obligation(over, DUE) is None
    assert repayment_obligation(report((1000,)), DUE) is None
    assert validate_financial_report(over) == ()


def test_repayment_status_partial_late_and_complete() -> None:
    obligation = repayment_obligation(report((300, 200)), DUE)
    assert obligation is not None
    partial = repayment_status(obligation, [(200, at(2021, 3, 20, 12, 0))], at(2021, 3, 25, 0, 0))
    assert (partial.repaid_sek, partial.outstanding_sek, partial.overdue) == (200, 300, False)
    after = repayment_status(obligation, [(200, at(2021, 3, 20, 12, 0))], at(2021, 4, 1, 0, 0))
    assert after.overdue
    late = repayment_status(
        obligation,
        [(200, at(2021, 3, 20, 12, 0)), (300, at(2021, 4, 2, 8, 0))],
        at(2021, 4, 3, 0, 0),
    )
    assert (late.outstanding_sek, late.repaid_late_sek, late.overdue) == (0, 300, True)
    done = repayment_status(obligation, [(500, at(2021, 3, 31, 23, 59, 59))], at(2021, 5, 1, 0, 0))
    assert (done.outstanding_sek, done.overdue) == (0, False)


def test_alternative_2_requires_deviations_and_measures() -> None:
    att = Attestation(Alternative.NOT_CORRECT, "Cia Ek", "Ekonomidirektör", "035-1", "c@x.se")
    problems = validate_financial_report(report(attestation=att))
    assert [p.field for p in problems] == ["attestation.deviations", "attestation.measures"]
    complete = dataclasses.replace(att, deviations="Kostnad för 2021 bokförd 2020",
                                   measures="Rättas i bokslutet")
    assert validate_financial_report(report(attestation=complete)) == ()


def test_report_checks_amounts_and_case_numbers() -> None:
    bad = dataclasses.replace(
        report(received=900),
        paid_out_sek=1000,
        payment_decision_case_number="",
        costs=(CostItem("", 100), CostItem("post", -5)),
    )
    assert [p.field for p in validate_financial_report(bad)] == [
        "received_sek",
        "costs.0.label",
        "costs.1.amount_sek",
        "payment_decision_case_number",
    ]


def test_late_report_opens_a_reclaim_case_to_decide() -> None:
    assert reclaim_case("13", DUE, at(2021, 3, 31, 23, 59, 59), at(2021, 4, 5, 0, 0)) is None
    case = reclaim_case("13", DUE, at(2021, 4, 1, 0, 0), at(2021, 4, 5, 0, 0))
    assert case is not None
    assert (case.days_late, case.status) == (1, ReclaimStatus.TO_DECIDE)
    assert case.reason == (
        "financial report arrived 1 day(s) after 2021-03-31; the government may reclaim the grant"
    )


def test_missing_report_opens_a_case_only_after_the_deadline() -> None:
    assert reclaim_case("13", DUE, None, at(2021, 3, 31, 23, 0)) is None
    case = reclaim_case("13", DUE, None, at(2021, 4, 10, 9, 0))
    assert case is not None and case.arrived_at is None and case.days_late == 10
    assert case.reason.startswith("no financial report by 2021-03-31")
