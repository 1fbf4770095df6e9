"""Requisitions (*rekvisitioner*): the form's fields and the rules a requisition must pass.

Rules (2020 agreement §10.1 and Bilaga 4): the amount is a whole number of kronor above zero and
at most the remaining entitlement; the requisition arrives by the deadline (Stockholm time; after
it the right to the grant lapses); both Government Offices reference numbers are present; the
signatory and the authority to sign are recorded. Several requisitions per recipient and line are
allowed (each paid once) while their sum stays within the entitlement, unless the caller asks for
a single requisition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from naravard.funding.deadlines import Deadline, format_local, is_on_time
from naravard.funding.problems import Problem

_ORGNR = re.compile(r"^(\d{6})-?(\d{4})$")
_GIRO = re.compile(r"^\d[\d -]{0,10}\d$")


@dataclass(frozen=True)
class Contact:
    """Bilaga 4 point 1: the recipient's contact details."""

    recipient_name: str
    organisation_number: str
    contact_person: str
    postal_address: str
    phone: str
    email: str
    fax: str = ""


@dataclass(frozen=True)
class Signature:
    """Who signed, by what authority (e.g. a delegation decision), and when."""

    name: str
    authority: str
    signed_on: dt.date


@dataclass(frozen=True)
class Requisition:
    """One requisition of one recipient for one funding line."""

    recipient_code: str
    line_id: str
    contact: Contact
    agreement_case_number: str
    payment_decision_case_number: str
    agreement_name: str
    amount_sek: int
    period_start: dt.date
    period_end: dt.date
    bankgiro_plusgiro: str
    payment_reference: str
    signature: Signature
    arrived_at: dt.datetime


@dataclass(frozen=True)
class RequisitionCheck:
    """The outcome of checking one requisition against the entitlement and deadline."""

    problems: tuple[Problem, ...]
    entitlement_sek: int
    earlier_sek: int
    lapsed: bool

    @property
    def ok(self) -> bool:
        """Whether the requisition may be approved."""
        return not self.problems

    @property
    def remaining_before_sek(self) -> int:
        """Entitlement not yet requisitioned before this requisition."""
        return max(0, self.entitlement_sek - self.earlier_sek)


def organisation_number_ok(number: str) -> bool:
    """Whether ``number`` is a Swedish organisation number (NNNNNN-NNNN, Luhn check digit)."""
    match = _ORGNR.match(number.strip())
    if not match:
        return False
    digits = [int(c) for c in match.group(1) + match.group(2)]
    total = 0
    for i, d in enumerate(digits[:9]):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return (10 - total % 10) % 10 == digits[9]


def _normal(case_number: str) -> str:
    return "".join(case_number.split()).upper()


def remaining_entitlement(entitlement_sek: int, accepted: Sequence[Requisition]) -> int:
    """Entitlement left after the ``accepted`` requisitions (never below zero)."""
    return max(0, entitlement_sek - sum(r.amount_sek for r in accepted))


def _form_problems(req: Requisition) -> list[Problem]:
    out: list[Problem] = []
    c = req.contact
    for field, value in (
        ("contact.recipient_name", c.recipient_name),
        ("contact.contact_person", c.contact_person),
        ("contact.postal_address", c.postal_address),
        ("contact.phone", c.phone),
        ("agreement_name", req.agreement_name),
        ("payment_reference", req.payment_reference),
    ):
        if not value.strip():
            out.append(Problem(field, "is required"))
    if not organisation_number_ok(c.organisation_number):
        out.append(
            Problem(
                "contact.organisation_number",
                f"{c.organisation_number!r} is not a valid organisation number (NNNNNN-NNNN)",
            )
        )
    if "@" not in c.email.strip()[1:-1]:
        out.append(Problem("contact.email", f"{c.email!r} is not an e-mail address"))
    for field, value in (
        ("agreement_case_number", req.agreement_case_number),
        ("payment_decision_case_number", req.payment_decision_case_number),
    ):
        if not value.strip():
            out.append(Problem(field, "the Government Offices reference number is required"))
    if not _GIRO.match(req.bankgiro_plusgiro.strip()):
        out.append(
            Problem("bankgiro_plusgiro", f"{req.bankgiro_plusgiro!r} is not a bankgiro/plusgiro")
        )
    if req.period_end < req.period_start:
        out.append(Problem("period_end", "the period ends before it starts"))
    if not req.signature.name.strip():
        out.append(Problem("signature.name", "the signatory's name is required"))
    if not req.signature.authority.strip():
        out.append(
            Problem("signature.authority", "record the signatory's authority (behörig företrädare)")
        )
    return out


def validate_requisition(
    req: Requisition,
    entitlement_sek: int,
    accepted: Sequence[Requisition] = (),
    deadline: Deadline | None = None,
    expected_case_numbers: tuple[str | None, str | None] = (None, None),
    single_requisition: bool = False,
) -> RequisitionCheck:
    """Check ``req`` against the form rules, the entitlement, earlier requisitions and deadline.

    ``accepted`` are this recipient's earlier accepted requisitions for the same line.
    ``expected_case_numbers`` (agreement, payment decision), where known, must match.
    """
    problems = _form_problems(req)
    for field, given, expected in (
        ("agreement_case_number", req.agreement_case_number, expected_case_numbers[0]),
        ("payment_decision_case_number", req.payment_decision_case_number,
         expected_case_numbers[1]),
    ):
        if expected and given.strip() and _normal(given) != _normal(expected):
            problems.append(Problem(field, f"{given!r} is not the expected {expected!r}"))
    others = [r for r in accepted if (r.recipient_code, r.line_id) == (req.recipient_code,
                                                                     req.line_id)]
    earlier = sum(r.amount_sek for r in others)
    remaining = max(0, entitlement_sek - earlier)
    if isinstance(req.amount_sek, bool) or not isinstance(req.amount_sek, int):
        problems.append(Problem("amount_sek", "must be a whole number of kronor"))
    elif req.amount_sek <= 0:
        problems.append(Problem("amount_sek", f"must be more than 0 kr, not {req.amount_sek}"))
    elif req.amount_sek > remaining:
        problems.append(
            Problem(
                "amount_sek",
                f"{req.amount_sek} kr exceeds the remaining entitlement of {remaining} kr "
                f"(entitlement {entitlement_sek} kr, already requisitioned {earlier} kr)",
            )
        )
    if single_requisition and others:
        problems.append(Problem("line_id", "this agreement allows one requisition per line"))
    lapsed = deadline is not None and not is_on_time(req.arrived_at, deadline)
    if lapsed:
        assert deadline is not None
        problems.append(
            Problem(
                "arrived_at",
                f"arrived {format_local(req.arrived_at)} (Europe/Stockholm), after the deadline "
                f"{deadline.effective_day.isoformat()}: the right to the grant has lapsed",
            )
        )
    return RequisitionCheck(tuple(problems), entitlement_sek, earlier, lapsed)
