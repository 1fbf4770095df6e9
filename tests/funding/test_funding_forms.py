"""Form parsing and the Swedish messages of the domain's findings."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from naravard.funding.deadlines import STOCKHOLM, Deadline
from naravard.funding.problems import Problem
from naravard.funding.reports import Alternative, validate_financial_report
from naravard.funding.requisitions import Contact, Signature, validate_requisition
from naravard.storage.funding_repo import contact_problems
from naravard.web import funding_forms as forms
from naravard.web.i18n import gettext_for
from tests.funding import seeding


def every_finding() -> list[Problem]:
    """Every kind of finding the requisition and report rules produce."""
    bad = dataclasses.replace(
        seeding.requisition("13", 0, dt.datetime(2020, 12, 2, 0, 0, tzinfo=STOCKHOLM)),
        contact=Contact("", "12", "", "", "", "nope"), agreement_case_number="S1",
        payment_decision_case_number=" ", bankgiro_plusgiro="x",
        period_start=dt.date(2020, 12, 31), period_end=dt.date(2020, 1, 1),
        signature=Signature("", "", dt.date(2020, 1, 1)), agreement_name="",
        payment_reference="")
    found = list(validate_requisition(bad, 10, (), Deadline(dt.date(2020, 12, 1)),
                                      ("S2", None)).problems)
    found += validate_requisition(seeding.requisition("13", 11), 10).problems
    found += validate_requisition(seeding.requisition("13", 1), 10, [seeding.requisition("13", 1)],
                                  single_requisition=True).problems
    report = seeding.report("13", 1, 2, (-1,), dt.datetime(2021, 3, 1, tzinfo=STOCKHOLM),
                            Alternative.NOT_CORRECT)
    report = dataclasses.replace(
        report, received_sek=-1, agreement_case_number="", signatory_name="",
        costs=(dataclasses.replace(report.costs[0], label=""),),
        attestation=dataclasses.replace(report.attestation, name=""))
    found += validate_financial_report(report)
    found += contact_problems({"organisation_number": "1", "email": ""})
    return found


def test_every_domain_finding_has_a_ui_message() -> None:
    findings = every_finding()
    assert len(findings) >= 25
    unmatched = [p for p in findings if forms.message_for(p.message).msgid == p.message]
    assert unmatched == []
    assert {forms.message_for(p.message).msgid for p in findings} >= {
        "Not a valid organisation number: write NNNNNN-NNNN with the right check digit.",
        "The requisition arrived %(arrived)s (Swedish time), after the deadline %(deadline)s: "
        "the right to the grant has lapsed.",
        "This agreement allows one requisition per line.",
        "Alternative 2 requires the measures (write “no measures” if there are none).",
    }


def test_amounts_in_messages_are_formatted_the_swedish_way() -> None:
    message = forms.message_for(
        "96000000 kr exceeds the remaining entitlement of 95223749 kr "
        "(entitlement 95223749 kr, already requisitioned 0 kr)")
    assert message.text(gettext_for("sv")) == (
        "96\u202f000\u202f000 kr överstiger det som återstår att rekvirera, "
        "95\u202f223\u202f749 kr (tilldelat 95\u202f223\u202f749 kr, redan rekvirerat 0 kr).")
    assert forms.message_for("something new").text(gettext_for("sv")) == "something new"


def test_findings_go_to_their_form_fields() -> None:
    errors: forms.Errors = {"amount_sek": [forms.Message("Give a whole number of kronor.")]}
    forms.add_problems(errors, [
        Problem("amount_sek", "must be more than 0 kr, not 0"),
        Problem("signature.authority", "record the signatory's authority (behörig företrädare)"),
        Problem("costs.1.label", "name the cost item"),
        Problem("arrived_at", "anything"),
    ], cost_rows=[0, 3])
    assert {k: [m.msgid for m in v] for k, v in errors.items()} == {
        "amount_sek": ["Give a whole number of kronor."],  # the parse error alone
        "signatory_authority": [
            "State the signatory's authority to sign, e.g. the delegation decision."],
        "cost_label_3": ["Name the cost item."],
        forms.FORM: ["anything"],
    }


def test_typed_amounts() -> None:
    assert forms.parse_sek("1 000 000") == 1_000_000
    assert forms.parse_sek("1\u202f000\u00a0000 kr") == 1_000_000
    assert forms.parse_sek("−5") == -5
    for bad in ("", "12,5", "1.000", "kr", "1e6", "12 345 678 901 234 567"):
        assert forms.parse_sek(bad) is None, bad


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_any_whole_amount_typed_with_thin_spaces_reads_back(amount: int) -> None:
    typed = f"{amount:,}".replace(",", "\u202f").replace("-", "−") + " kr"
    assert forms.parse_sek(typed) == amount


def test_unparsable_fields_keep_their_text_and_get_one_message() -> None:
    values = forms.FormValues.of({"amount_sek": "tio", "period_start": "1/1"},
                                 forms.REQUISITION_FIELDS)
    _, errors = forms.parse_requisition(values, "13", "nara-vard",
                                        dt.datetime(2020, 11, 2, tzinfo=STOCKHOLM))
    assert values["amount_sek"] == "tio"
    assert [m.msgid for m in errors["amount_sek"]] == ["Give a whole number of kronor."]
    assert [m.msgid for m in errors["period_start"]] == ["Give a date as YYYY-MM-DD."]
    assert [m.msgid for m in errors["certify"]] == ["Confirm the declaration."]
