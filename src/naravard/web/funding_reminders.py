"""Messages by e-mail to the recipients of an agreement's money: reminders to those who have
been paid and not yet submitted the financial report (Bilaga 4), before its deadline or after
it, and the decision and payment of a requisition.

One message per recipient organisation, to its active respondents' addresses, in the
service's language; each outcome is recorded in the audit log (``funding.reminder``) and the
reminder as a whole with its counts (``funding.agreement.remind``), which the agreement's page
shows. The addresses themselves are not kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from naravard import mail
from naravard.formatting import fmt_sek
from naravard.funding.agreements import DutyKind
from naravard.funding.deadlines import STOCKHOLM, is_overdue
from naravard.storage import audit
from naravard.storage import funding_overview as overview
from naravard.storage import funding_repo as repo
from naravard.storage.funding_tables import StoredRequisition
from naravard.web.i18n import gettext_for
from naravard.web.mailing import (
    body_of,
    deliver,
    last_sent,
    record_batch,
    respondent_addresses,
)

__all__ = ["ReportDue", "last_report_reminder", "last_requisition_notice", "reports_due",
           "requisition_notice_text", "send_report_reminders", "tell_requisition"]

ORG_ACTION, AGREEMENT_ACTION = "funding.reminder", "funding.agreement.remind"


@dataclass(frozen=True)
class ReportDue:
    """A recipient paid under the agreement whose financial report has not arrived."""

    organisation_code: str
    organisation_name: str
    paid_sek: int
    deadline: dt.date
    late: bool
    addresses: tuple[str, ...]
    outcome: str = ""
    error: str = ""


def reports_due(session: Session, agreement_code: str, now: dt.datetime) -> list[ReportDue]:
    """The recipients that have been paid, have a report deadline and no report yet."""
    stored = repo.get_agreement(session, agreement_code)
    if stored is None:
        return []
    agreement = repo.agreement_of(stored)
    found = []
    for summary in overview.recipient_summaries(session, agreement_code, now):
        deadline = repo.deadline_for(agreement, summary.code, DutyKind.FINANCIAL_REPORT)
        if summary.report is None and summary.paid_sek > 0 and deadline is not None:
            found.append((summary, deadline))
    addresses = respondent_addresses(session, [s.code for s, _ in found])
    return [ReportDue(s.code, s.name, s.paid_sek, d.effective_day, is_overdue(now, d),
                      addresses[s.code]) for s, d in found]


def message_text(agreement_code: str, agreement_name: str, due: ReportDue, lang: str,
                 site: str) -> tuple[str, str]:  # fmt: skip
    """The subject and body of one recipient's reminder."""
    _ = gettext_for(lang)
    day = due.deadline.isoformat()
    if due.late:
        subject = _("Late: the financial report for %(agreement)s, the last day was %(day)s",
                    agreement=agreement_name, day=day)
        when = _("The last day was %(day)s. When the report is late, the government may reclaim "
                 "the grant.", day=day)
    else:
        subject = _("Reminder: the financial report for %(agreement)s, last day %(day)s",
                    agreement=agreement_name, day=day)
        when = _("The last day is %(day)s (until midnight, Swedish time).", day=day)
    url = f"{site}/funding/org/{due.organisation_code}/agreements/{agreement_code}/report"
    body = body_of(
        _("%(org)s has been paid %(paid)s under %(agreement)s and is to submit a financial "
          "report on how the money was used.", org=due.organisation_name,
          paid=fmt_sek(due.paid_sek), agreement=agreement_name),
        when,
        _("Submit it here: %(url)s", url=url),
        _("This reminder was sent by Nära to the respondents of %(org)s. If the report has "
          "been submitted since, no more is needed.", org=due.organisation_name),
    )
    return subject, body


def send_report_reminders(session: Session, agreement_code: str, now: dt.datetime, actor: str,
                          lang: str, site: str, settings: mail.SmtpSettings | None = None
                          ) -> list[ReportDue]:  # fmt: skip
    """E-mail every recipient whose financial report is due or late; record each outcome and
    the counts in the audit log (in the caller's transaction)."""
    stored = repo.get_agreement(session, agreement_code)
    if stored is None:
        return []
    done = []
    with mail.Sender(settings or mail.smtp_settings()) as sender:
        for due in reports_due(session, agreement_code, now):
            subject, body = message_text(agreement_code, stored.name, due, lang, site)
            outcome, error = deliver(sender, due.addresses, subject, body)
            audit.record(session, actor, ORG_ACTION, "funding_agreement", agreement_code,
                         due.organisation_code, duty="financial_report", outcome=outcome,
                         deadline=due.deadline.isoformat(), recipients=len(due.addresses),
                         error=error)
            done.append(replace(due, outcome=outcome, error=error))
    record_batch(session, actor, AGREEMENT_ACTION, "funding_agreement", agreement_code, now,
                 [(d.organisation_code, d.outcome) for d in done], duty="financial_report")
    return done


def last_report_reminder(session: Session, agreement_code: str) -> dict[str, Any] | None:
    """The agreement's latest reminder of financial reports (details with actor), or None."""
    return last_sent(session, AGREEMENT_ACTION, "funding_agreement", agreement_code)


# --- a requisition's decision and payment, told to the recipient ------------------------------

NOTICE_ACTION = "funding.requisition.notice"


def requisition_notice_text(row: StoredRequisition, lang: str, site: str) -> tuple[str, str]:
    """The subject and body telling a recipient its requisition's new status."""
    _ = gettext_for(lang)
    facts = {"id": row.id, "org": row.recipient_name, "amount": fmt_sek(row.amount_sek),
             "agreement": row.agreement_name, "line": row.line.label}
    if row.status == repo.PAID:
        subject = _("Requisition no. %(id)s is paid", id=row.id)
        what = _("Requisition no. %(id)s of %(org)s, %(amount)s under %(agreement)s (%(line)s), "
                 "was paid on %(day)s (reference %(ref)s).", day=row.paid_on.isoformat()
                 if row.paid_on else "", ref=row.payout_reference or "–", **facts)
    elif row.status == repo.REJECTED:
        subject = _("Requisition no. %(id)s is rejected", id=row.id)
        what = _("Requisition no. %(id)s of %(org)s, %(amount)s under %(agreement)s (%(line)s), "
                 "is rejected: %(note)s. The money can be requisitioned again before the "
                 "requisition deadline.", note=row.decision_note or "–", **facts)
    elif row.status == repo.SUBMITTED:
        subject = _("Requisition no. %(id)s has arrived", id=row.id)
        what = _("Requisition no. %(id)s of %(org)s, %(amount)s under %(agreement)s (%(line)s), "
                 "arrived %(time)s Swedish time and awaits the grant officer's decision.",
                 time=repo.aware(row.arrived_at).astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
                 **facts)
    else:
        subject = _("Requisition no. %(id)s is approved", id=row.id)
        what = _("Requisition no. %(id)s of %(org)s, %(amount)s under %(agreement)s (%(line)s), "
                 "is approved; the payment follows.", **facts)
    body = body_of(
        what,
        _("See it here: %(url)s", url=f"{site}/funding/requisitions/{row.id}"),
        _("This message was sent by Nära to the respondents of %(org)s and the requisition's "
          "contact person.", org=row.recipient_name),
    )
    return subject, body


def tell_requisition(session: Session, row: StoredRequisition, now: dt.datetime, actor: str,
                     lang: str, site: str, settings: mail.SmtpSettings | None = None) -> str:
    """E-mail the recipient's respondents and the requisition's contact person its new status;
    record the outcome in the audit log (in the caller's transaction) and return it."""
    addresses = list(respondent_addresses(session, [row.recipient_code])[row.recipient_code])
    contact = (row.email or "").strip()
    if contact and contact not in addresses:
        addresses.append(contact)
    subject, body = requisition_notice_text(row, lang, site)
    with mail.Sender(settings or mail.smtp_settings()) as sender:
        outcome, error = deliver(sender, addresses, subject, body)
    audit.record(session, actor, NOTICE_ACTION, "funding_requisition", row.id,
                 row.recipient_code, status=row.status, outcome=outcome,
                 recipients=len(addresses), error=error, at=now.astimezone(dt.UTC).isoformat())
    return outcome


def last_requisition_notice(session: Session, requisition_id: int) -> dict[str, Any] | None:
    """The latest message about a requisition (status, outcome, time, actor), or None."""
    return last_sent(session, NOTICE_ACTION, "funding_requisition", str(requisition_id))
