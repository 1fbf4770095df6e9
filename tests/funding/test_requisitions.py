"""Requisitions: amount within the remaining entitlement, deadline, case numbers, signatory."""

from __future__ import annotations

import dataclasses
import datetime as dt

from naravard.funding.deadlines import STOCKHOLM, Deadline
from naravard.funding.requisitions import (
    Contact,
    Requisition,
    Signature,
    organisation_number_ok,
    remaining_entitlement,
    validate_requisition,
)

DEADLINE = Deadline(dt.date(2020, 12, 1))
CASES = ("S2020/00001", "S2020/00002")


def requisition(amount: int = 400, **changes: object) -> Requisition:
    base = Requisition(
        recipient_code="01",
        line_id="nara-vard",
        contact=Contact("Region Stockholm", "232100-0016", "Anna Andersson", "Box 1, 100 00 Ort",
                        "08-123 456", "anna@example.org"),
        agreement_case_number="S2020/00001",
        payment_decision_case_number="S2020/00002",
        agreement_name="God och nära vård 2020",
        amount_sek=amount,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
        bankgiro_plusgiro="123-4567",
        payment_reference="GONV2020",
        signature=Signature(
            "Bo Berg", "Regionstyrelsens delegationsordning §4", dt.date(2020, 11, 2)
        ),
        arrived_at=dt.datetime(2020, 11, 3, 10, 0, tzinfo=STOCKHOLM),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def fields(check: object) -> list[str]:
    return [p.field for p in check.problems]  # type: ignore[attr-defined]


def test_a_complete_requisition_within_the_entitlement_passes() -> None:
    check = validate_requisition(requisition(400), 1000, (), DEADLINE, CASES)
    assert check.ok and not check.lapsed
    assert check.remaining_before_sek == 1000


def test_partial_and_repeated_requisitions_up_to_the_entitlement() -> None:
    first = requisition(400)
    second = requisition(600)
    assert validate_requisition(second, 1000, [first], DEADLINE).ok
    assert remaining_entitlement(1000, [first, second]) == 0
    third = validate_requisition(requisition(1), 1000, [first, second], DEADLINE)
    assert fields(third) == ["amount_sek"]
    assert "exceeds the remaining entitlement of 0 kr" in third.problems[0].message
    too_much = validate_requisition(requisition(601), 1000, [first], DEADLINE)
    assert "601 kr exceeds the remaining entitlement of 600 kr" in too_much.problems[0].message


def test_earlier_requisitions_of_other_lines_or_recipients_do_not_count() -> None:
    other_line = requisition(1000, line_id="1177-vardguiden")
    other_region = requisition(1000, recipient_code="03")
    check = validate_requisition(requisition(1000), 1000, [other_line, other_region], DEADLINE)
    assert check.ok and check.earlier_sek == 0


def test_single_requisition_rule_when_an_agreement_asks_for_it() -> None:
    check = validate_requisition(requisition(100), 1000, [requisition(100)], DEADLINE,
                                 single_requisition=True)
    assert fields(check) == ["line_id"]


def test_amount_must_be_positive_whole_kronor() -> None:
    assert fields(validate_requisition(requisition(0), 1000)) == ["amount_sek"]
    assert fields(validate_requisition(requisition(-5), 1000)) == ["amount_sek"]
    assert fields(validate_requisition(requisition(10.5), 1000)) == ["amount_sek"]  # type: ignore[arg-type]


def test_arrival_on_the_deadline_day_until_midnight() -> None:
    on_time = requisition(arrived_at=dt.datetime(2020, 12, 1, 23, 59, 59, tzinfo=STOCKHOLM))
    assert validate_requisition(on_time, 1000, (), DEADLINE).ok
    late = requisition(arrived_at=dt.datetime(2020, 12, 2, 0, 0, tzinfo=STOCKHOLM))
    check = validate_requisition(late, 1000, (), DEADLINE)
    assert check.lapsed and fields(check) == ["arrived_at"]
    assert check.problems[0].message == (
        "arrived 2020-12-02 00:00:00 (Europe/Stockholm), after the deadline 2020-12-01: "
        "the right to the grant has lapsed"
    )


def test_arrival_given_in_utc_is_converted() -> None:
    late = requisition(arrived_at=dt.datetime(2020, 12, 1, 23, 30, tzinfo=dt.UTC))
    assert validate_requisition(late, 1000, (), DEADLINE).lapsed


def test_both_case_numbers_are_required_and_must_match() -> None:
    missing = requisition(agreement_case_number=" ", payment_decision_case_number="")
    assert fields(validate_requisition(missing, 1000, (), DEADLINE, CASES)) == [
        "agreement_case_number",
        "payment_decision_case_number",
    ]
    wrong = requisition(payment_decision_case_number="S2020/09999")
    assert fields(validate_requisition(wrong, 1000, (), DEADLINE, CASES)) == [
        "payment_decision_case_number"
    ]
    spaced = requisition(agreement_case_number="s2020/ 00001")
    assert validate_requisition(spaced, 1000, (), DEADLINE, CASES).ok


def test_signatory_and_authority_are_recorded() -> None:
    unsigned = requisition(signature=Signature("", "", dt.date(2020, 11, 2)))
    assert fields(validate_requisition(unsigned, 1000)) == ["signature.name", "signature.authority"]


def test_form_fields() -> None:
    bad = requisition(
        contact=Contact("", "232100-0017", "", "", "", "not-an-address"),
        bankgiro_plusgiro="abc",
        period_end=dt.date(2019, 12, 31),
        payment_reference="",
    )
    assert fields(validate_requisition(bad, 1000)) == [
        "contact.recipient_name",
        "contact.contact_person",
        "contact.postal_address",
        "contact.phone",
        "payment_reference",
        "contact.organisation_number",
        "contact.email",
        "bankgiro_plusgiro",
        "period_end",
    ]


def test_organisation_numbers() -> None:
    assert organisation_number_ok("232100-0016")  # Region Stockholm
    assert organisation_number_ok("2321000016")
    assert not organisation_number_ok("232100-0017")
    assert not organisation_number_ok("23210-00016")
