"""Requisition and financial-report forms: parsing typed text, and Swedish messages per field.

The rules live in :mod:`naravard.funding`; its findings (:class:`Problem`, English) are turned
into UI messages here (English message ids, translated in ``i18n/funding.sv.po``) and placed next
to the form field they concern. A finding that matches no known message is shown as it is, never
dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from naravard.formatting import fmt_sek
from naravard.funding.problems import Problem
from naravard.funding.reports import Alternative, Attestation, CostItem, FinancialReport
from naravard.funding.requisitions import Contact, Requisition, Signature

#: Form-level messages (not tied to one field) are filed under this key.
FORM = "_form"

REQUISITION_FIELDS = (
    "recipient_name", "organisation_number", "contact_person", "postal_address", "phone", "fax",
    "email", "agreement_case_number", "payment_decision_case_number", "agreement_name",
    "amount_sek", "period_start", "period_end", "bankgiro_plusgiro", "payment_reference",
    "signatory_name", "signatory_authority", "signed_on", "certify",
)
CONTACT_FIELDS = (
    "recipient_name", "organisation_number", "contact_person", "postal_address", "phone", "fax",
    "email",
)
#: Rows of cost items the report form offers.
COST_ROWS = 8
REPORT_FIELDS = (
    *CONTACT_FIELDS, "agreement_case_number", "payment_decision_case_number", "agreement_name",
    "received_sek", "period_start", "period_end", "alternative", "attestation_name",
    "attestation_title", "attestation_phone", "attestation_email", "deviations", "measures",
    "signatory_name", "signed_on", "certify",
    *(f"cost_label_{i}" for i in range(COST_ROWS)),
    *(f"cost_amount_{i}" for i in range(COST_ROWS)),
)

#: Domain field → form field.
_FIELD_NAMES = {
    "contact.recipient_name": "recipient_name",
    "contact.organisation_number": "organisation_number",
    "contact.contact_person": "contact_person",
    "contact.postal_address": "postal_address",
    "contact.phone": "phone",
    "contact.email": "email",
    "signature.name": "signatory_name",
    "signature.authority": "signatory_authority",
    "attestation.name": "attestation_name",
    "attestation.title": "attestation_title",
    "attestation.deviations": "deviations",
    "attestation.measures": "measures",
    "arrived_at": FORM,
    "line_id": FORM,
    "recipient_code": FORM,
    "paid_out_sek": FORM,
    "grant_under_agreement_sek": FORM,
}
_COST = re.compile(r"^costs\.(\d+)\.(label|amount_sek)$")


def form_field(domain_field: str) -> str:
    """The form field a domain finding belongs to."""
    match = _COST.match(domain_field)
    if match:
        kind = "label" if match.group(2) == "label" else "amount"
        return f"cost_{kind}_{match.group(1)}"
    return _FIELD_NAMES.get(domain_field, domain_field)


def _sek(value: str) -> str:
    return fmt_sek(int(value))


Formatters = dict[str, Callable[[str], str]]
_NONE: Formatters = {}
_AMOUNTS: Formatters = {"amount": _sek, "remaining": _sek, "entitlement": _sek, "earlier": _sek}
_RECEIVED: Formatters = {"received": _sek, "paid": _sek}
_MESSAGE_TABLE: tuple[tuple[str, str, Formatters], ...] = (
    (r"^is required$", "This field is required.", _NONE),
    (r"^'.*' is not a valid organisation number \(NNNNNN-NNNN\)$",
     "Not a valid organisation number: write NNNNNN-NNNN with the right check digit.", _NONE),
    (r"^'.*' is not an e-mail address$", "Not an e-mail address.", _NONE),
    (r"^the Government Offices reference number is required$",
     "The Government Offices reference number (diarienummer) is required.", _NONE),
    (r"^'.*' is not a bankgiro/plusgiro$", "Not a bankgiro or plusgiro number.", _NONE),
    (r"^the period ends before it starts$", "The period ends before it starts.", _NONE),
    (r"^the signatory's name is required$", "The signatory's name is required.", _NONE),
    (r"^record the signatory's authority \(behörig företrädare\)$",
     "State the signatory's authority to sign, e.g. the delegation decision.", _NONE),
    (r"^'.*' is not the expected '(?P<expected>.*)'$",
     "Not the agreement's reference number %(expected)s.", _NONE),
    (r"^must be a whole number of kronor$", "Give a whole number of kronor.", _NONE),
    (r"^must be more than 0 kr, not -?\d+$", "The amount must be more than 0 kr.", _NONE),
    (r"^(?P<amount>\d+) kr exceeds the remaining entitlement of (?P<remaining>\d+) kr "
     r"\(entitlement (?P<entitlement>\d+) kr, already requisitioned (?P<earlier>\d+) kr\)$",
     "%(amount)s exceeds the remaining entitlement of %(remaining)s (entitlement "
     "%(entitlement)s, already requisitioned %(earlier)s).",
     _AMOUNTS),
    (r"^this agreement allows one requisition per line$",
     "This agreement allows one requisition per line.", _NONE),
    (r"^arrived (?P<arrived>[\d-]+ [\d:]+) \(Europe/Stockholm\), after the deadline "
     r"(?P<deadline>[\d-]+): the right to the grant has lapsed$",
     "The requisition arrived %(arrived)s (Swedish time), after the deadline %(deadline)s: "
     "the right to the grant has lapsed.", _NONE),
    (r"^must be 0 kr or more, not -?\d+$", "The amount must be 0 kr or more.", _NONE),
    (r"^(?P<received>-?\d+) kr received differs from (?P<paid>-?\d+) kr paid out$",
     "%(received)s received differs from %(paid)s paid out.",
     _RECEIVED),
    (r"^more was paid out than the grant under the agreement$",
     "More was paid out than the grant under the agreement.", _NONE),
    (r"^name the cost item$", "Name the cost item.", _NONE),
    (r"^alternative 2 requires the deviations$", "Alternative 2 requires the deviations.",
     _NONE),
    (r"^alternative 2 requires the measures$",
     "Alternative 2 requires the measures (write “no measures” if there are none).", _NONE),
    (r"^the authorised representative's name is required$",
     "The authorised representative's name is required.", _NONE),
    (r"^no entitlement: the line is not allocated to this recipient$",
     "Your organisation has no entitlement on this line.", _NONE),
    (r"^the grant and payment figures are not on record$",
     "The grant and payment figures do not match those on record; reload the form.", _NONE),
    (r"^a financial report is already submitted$",
     "A financial report for this agreement is already submitted.", _NONE),
)
#: (pattern of a domain message, UI message id, formatters of the named groups).
MESSAGES: tuple[tuple[re.Pattern[str], str, Formatters], ...] = tuple(
    (re.compile(pattern), msgid, fmt) for pattern, msgid, fmt in _MESSAGE_TABLE
)


@dataclass(frozen=True)
class Message:
    """A UI message: an English message id and its parameters (already formatted)."""

    msgid: str
    params: dict[str, str] = field(default_factory=dict)

    def text(self, gettext: Callable[..., str]) -> str:
        """The message in the user's language."""
        return gettext(self.msgid, **self.params)


def message_for(problem_message: str) -> Message:
    """The UI message of a domain finding (the finding itself if no pattern matches)."""
    for pattern, msgid, formatters in MESSAGES:
        match = pattern.match(problem_message)
        if match:
            params = {k: formatters.get(k, str)(v) for k, v in match.groupdict().items()}
            return Message(msgid, params)
    return Message(problem_message)


Errors = dict[str, list[Message]]


def add_problems(
    errors: Errors, problems: tuple[Problem, ...] | list[Problem],
    cost_rows: list[int] | None = None,
) -> None:
    """File domain findings under their form fields.

    A field that already has a parse error keeps only that one (the domain would only repeat it
    less clearly). ``cost_rows`` maps a cost item's index to its row in the form.
    """
    parsed = set(errors)
    for p in problems:
        name = p.field
        match = _COST.match(name)
        if match and cost_rows is not None:
            name = f"costs.{cost_rows[int(match.group(1))]}.{match.group(2)}"
        target = form_field(name)
        if target not in parsed:
            errors.setdefault(target, []).append(message_for(p.message))


def translate(errors: Errors, gettext: Callable[..., str]) -> dict[str, list[str]]:
    """Field → messages in the user's language."""
    return {k: [m.text(gettext) for m in v] for k, v in errors.items()}


# --- parsing -----------------------------------------------------------------------------------

#: Spaces people type or paste inside numbers (thin and no-break ones too).
SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def parse_sek(raw: str) -> int | None:
    """Whole kronor from typed text (``1 000 000``, ``1000000 kr``, ``−5``); ``None`` if not."""
    text = SPACES.sub("", raw).replace("−", "-")
    text = text.removesuffix("kr").removesuffix("SEK")
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    return None


def parse_date(raw: str) -> dt.date | None:
    """An ISO date (``2020-11-30``); ``None`` if not one."""
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


class FormValues(dict[str, str]):
    """The typed values of a form, every one kept as text (so it can be shown again)."""

    @classmethod
    def of(cls, data: Mapping[str, object], names: tuple[str, ...]) -> FormValues:
        """Pick ``names`` from submitted form data (missing ones as empty text)."""
        return cls({n: str(data.get(n) or "") for n in names})


def _required_sek(values: FormValues, name: str, errors: Errors) -> int:
    amount = parse_sek(values.get(name, ""))
    if amount is None:
        errors.setdefault(name, []).append(Message("Give a whole number of kronor."))
        return 0
    return amount


def _required_date(values: FormValues, name: str, errors: Errors) -> dt.date:
    day = parse_date(values.get(name, ""))
    if day is None:
        errors.setdefault(name, []).append(Message("Give a date as YYYY-MM-DD."))
        return dt.date.min
    return day


def _certified(values: FormValues, errors: Errors) -> None:
    if values.get("certify") != "yes":
        errors.setdefault("certify", []).append(Message("Confirm the declaration."))


def contact_of(values: FormValues) -> Contact:
    """Bilaga 4 point 1 from the form."""
    return Contact(values["recipient_name"], values["organisation_number"],
                   values["contact_person"], values["postal_address"], values["phone"],
                   values["email"], values["fax"])


def parse_requisition(
    values: FormValues, recipient_code: str, line_id: str, arrived_at: dt.datetime
) -> tuple[Requisition, Errors]:
    """A requisition from the form and the parse errors (unparsable fields hold placeholders)."""
    errors: Errors = {}
    amount = _required_sek(values, "amount_sek", errors)
    start = _required_date(values, "period_start", errors)
    end = _required_date(values, "period_end", errors)
    signed = _required_date(values, "signed_on", errors)
    _certified(values, errors)
    req = Requisition(
        recipient_code=recipient_code, line_id=line_id,
        contact=contact_of(values),
        agreement_case_number=values["agreement_case_number"],
        payment_decision_case_number=values["payment_decision_case_number"],
        agreement_name=values["agreement_name"], amount_sek=amount, period_start=start,
        period_end=end, bankgiro_plusgiro=values["bankgiro_plusgiro"],
        payment_reference=values["payment_reference"],
        signature=Signature(values["signatory_name"], values["signatory_authority"], signed),
        arrived_at=arrived_at,
    )
    return req, errors


def parse_report(
    values: FormValues, recipient_code: str, grant_sek: int, paid_sek: int,
    arrived_at: dt.datetime,
) -> tuple[FinancialReport, Errors, list[int]]:
    """A financial report from the form, the parse errors, and the form row of each cost item.

    Empty cost rows are skipped; a row with only a label or only an amount is an error.
    """
    errors: Errors = {}
    received = _required_sek(values, "received_sek", errors)
    start = _required_date(values, "period_start", errors)
    end = _required_date(values, "period_end", errors)
    signed = _required_date(values, "signed_on", errors)
    _certified(values, errors)
    costs: list[CostItem] = []
    rows: list[int] = []
    for i in range(COST_ROWS):
        label = values.get(f"cost_label_{i}", "").strip()
        raw = values.get(f"cost_amount_{i}", "").strip()
        if not label and not raw:
            continue
        amount = _required_sek(values, f"cost_amount_{i}", errors)
        costs.append(CostItem(label, amount))
        rows.append(i)
    if not costs:
        errors.setdefault("cost_label_0", []).append(Message("Give at least one cost item."))
    alternative = Alternative.CORRECT
    if values.get("alternative") == "2":
        alternative = Alternative.NOT_CORRECT
    elif values.get("alternative") != "1":
        errors.setdefault("alternative", []).append(Message("Choose alternative 1 or 2."))
    report = FinancialReport(
        recipient_code=recipient_code,
        agreement_case_number=values["agreement_case_number"],
        payment_decision_case_number=values["payment_decision_case_number"],
        period_start=start, period_end=end, grant_under_agreement_sek=grant_sek,
        paid_out_sek=paid_sek, received_sek=received, costs=tuple(costs),
        attestation=Attestation(alternative, values["attestation_name"],
                                values["attestation_title"], values["attestation_phone"],
                                values["attestation_email"], values["deviations"],
                                values["measures"]),
        signatory_name=values["signatory_name"], signed_on=signed, arrived_at=arrived_at,
    )
    return report, errors, rows
