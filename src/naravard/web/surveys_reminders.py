"""Reminders by e-mail to the respondents of a round who have not submitted the report now due
(or were reopened after submitting, for a new version).

Each organisation that owes the report gets one message, addressed to its active respondent
users with an e-mail address: what is due, by which day (or that the day has passed), and the
address of its questionnaire. Every organisation's outcome (sent, no address, no server,
failed) is recorded in the audit log, and the round's reminder as a whole with its counts, which
the round's page shows. Reminders are written in the service's language (``NARAVARD_LANGUAGE``,
Swedish unless set), not in the sender's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from naravard import mail
from naravard.storage import audit
from naravard.storage import survey_repo as repo
from naravard.storage.survey_comments import open_comments
from naravard.storage.survey_tables import OPEN, SurveyRound
from naravard.surveys.model import Questionnaire, RoundKind
from naravard.web import surveys_view as view
from naravard.web.i18n import gettext_for
from naravard.web.mailing import (
    FAILED,
    NO_ADDRESS,
    NO_SERVER,
    SENT,
    body_of,
    deliver,
    last_sent,
    record_batch,
    respondent_addresses,
)

__all__ = ["FAILED", "NO_ADDRESS", "NO_SERVER", "SENT", "Reminder", "invitation_text",
           "last_invitation", "last_reminder", "message_text", "reminders_due", "scheduled_rounds",
           "send_reminders", "upcoming"]

#: The audit actions: one per organisation, one for the round (a reminder, or the invitation
#: sent when the round is opened).
ORG_ACTION, ROUND_ACTION = "survey.reminder", "survey.round.remind"
INVITE_ACTION = "survey.round.invite"


@dataclass(frozen=True)
class Reminder:
    """One organisation that owes a report, whom to write to and, once sent, the outcome."""

    response_id: int
    organisation_code: str
    organisation_name: str
    report: RoundKind
    deadline: dt.date
    late: bool
    addresses: tuple[str, ...]
    #: Why the organisation was reopened after submitting (empty when it has not submitted).
    reopened: str = ""
    #: The follow-up authority's comments awaiting the new version: (question name, text).
    comments: tuple[tuple[str, str], ...] = ()
    outcome: str = ""
    error: str = ""


def reminders_due(session: Session, survey_round: SurveyRound, now: dt.datetime
                  ) -> list[Reminder]:  # fmt: skip
    """The organisations of an open round that owe the report now due, by organisation code."""
    owing = [r for r in sorted(survey_round.responses, key=lambda r: r.organisation_code)
             if repo.owes_report(r, now)]
    addresses = respondent_addresses(session, [r.organisation_code for r in owing])
    out = []
    for response in owing:
        kind, day = repo.due_report(response, now)
        reopened = repo.reopened_since_submission(response)
        out.append(Reminder(
            response.id, response.organisation_code,
            repo.organisation_name(session, response.organisation_code), kind, day,
            late=now >= repo.day_ends(day), addresses=addresses[response.organisation_code],
            reopened=(response.reopen_reason or "") if reopened else "",
            comments=tuple((c.name, c.text) for c in open_comments(response))
            if reopened else ()))
    return out


def invitation_text(survey_round: SurveyRound, reminder: Reminder, lang: str, site: str
                    ) -> tuple[str, str]:  # fmt: skip
    """The subject and body of one organisation's invitation to a round just opened."""
    _ = gettext_for(lang)
    title = repo.round_form(survey_round).settings.title.get(lang)
    day = reminder.deadline.isoformat()
    subject = _("Questionnaire to answer: %(title)s, last day %(day)s", title=title, day=day)
    body = body_of(
        _("%(org)s is asked to answer %(title)s (round %(round)s), open for answers from "
          "%(opens)s.", org=reminder.organisation_name, title=title, round=survey_round.code,
          opens=survey_round.opens_on.isoformat()),
        _("The last day is %(day)s (until midnight, Swedish time).", day=day),
        _("Answer here: %(url)s", url=f"{site}/surveys/responses/{reminder.response_id}"),
        _("The answers are public documents. This message was sent by Nära to the respondents "
          "of %(org)s.", org=reminder.organisation_name),
    )
    return subject, body


def _label(form: Questionnaire, name: str, lang: str) -> str:
    item = form.item(name)
    return view.label_of(item, lang) if item is not None else name


def message_text(survey_round: SurveyRound, reminder: Reminder, lang: str, site: str
                 ) -> tuple[str, str]:  # fmt: skip
    """The subject and body of one organisation's reminder."""
    _ = gettext_for(lang)
    title = repo.round_form(survey_round).settings.title.get(lang)
    day = reminder.deadline.isoformat()
    report = (_("the interim report") if reminder.report is RoundKind.INTERIM
              else _("the report"))
    if reminder.late:
        subject = _("Late: %(title)s, the last day was %(day)s", title=title, day=day)
        when = _("The last day was %(day)s. Contact the follow-up authority, who can reopen the "
                 "questionnaire for you.", day=day)
    else:
        subject = _("Reminder: %(title)s, last day %(day)s", title=title, day=day)
        when = _("The last day is %(day)s (until midnight, Swedish time).", day=day)
    if reminder.reopened:
        what = _("%(title)s (round %(round)s) has been reopened for %(org)s: %(reason)s. Submit "
                 "the changed answers as a new version.", title=title, round=survey_round.code,
                 org=reminder.organisation_name, reason=reminder.reopened)
    else:
        what = _("%(org)s has not yet submitted %(report)s of %(title)s (round %(round)s).",
                 org=reminder.organisation_name, report=report, title=title,
                 round=survey_round.code)
    form = repo.round_form(survey_round)
    noted = [_("The follow-up authority's comments, shown beside the questions:")] + [
        f"- {_label(form, name, lang)}: {text}" for name, text in reminder.comments]
    body = body_of(
        what,
        *(["\n".join(noted)] if reminder.comments else []),
        when,
        _("Answer here: %(url)s", url=f"{site}/surveys/responses/{reminder.response_id}"),
        _("This reminder was sent by Nära to the respondents of %(org)s. If the report has "
          "been submitted since, no more is needed.", org=reminder.organisation_name),
    )
    return subject, body


def send_reminders(session: Session, survey_round: SurveyRound, now: dt.datetime, actor: str,
                   lang: str, site: str, settings: mail.SmtpSettings | None = None,
                   only: str | None = None, due_within: int | None = None,
                   invitation: bool = False) -> list[Reminder]:  # fmt: skip
    """E-mail every organisation that owes the report now due (only organisation ``only``, when
    given; only those whose last day is today or within ``due_within`` days, when given);
    record each outcome and the round's counts in the audit log (in the caller's transaction).
    With ``invitation`` the message invites to a round just opened instead of reminding.
    Returns the reminders with their outcomes."""
    done = []
    with mail.Sender(settings or mail.smtp_settings()) as sender:
        for reminder in reminders_due(session, survey_round, now):
            if only is not None and reminder.organisation_code != only:
                continue
            if due_within is not None and not upcoming(reminder, now, due_within):
                continue
            subject, body = (invitation_text if invitation else message_text)(
                survey_round, reminder, lang, site)
            outcome, error = deliver(sender, reminder.addresses, subject, body)
            audit.record(session, actor, ORG_ACTION, "survey_response", reminder.response_id,
                         reminder.organisation_code, round=survey_round.code, outcome=outcome,
                         kind="invitation" if invitation else "reminder",
                         report=reminder.report.value, deadline=reminder.deadline.isoformat(),
                         recipients=len(reminder.addresses), error=error)
            done.append(replace(reminder, outcome=outcome, error=error))
    record_batch(session, actor, INVITE_ACTION if invitation else ROUND_ACTION, "survey_round",
                 survey_round.id, now, [(r.organisation_code, r.outcome) for r in done],
                 code=survey_round.code)
    return done


def upcoming(reminder: Reminder, now: dt.datetime, days: int) -> bool:
    """Whether the reminder's last day has not passed and is at most ``days`` days away."""
    today = now.astimezone(repo.STOCKHOLM).date()
    return not reminder.late and (reminder.deadline - today).days <= days


def scheduled_rounds(session: Session, now: dt.datetime, due_within: int, every: int
                     ) -> list[SurveyRound]:  # fmt: skip
    """The open rounds to remind on a schedule: some respondent owes a report whose last day
    is today or within ``due_within`` days, and the round has not been reminded in the last
    ``every`` days."""
    out = []
    for survey_round in repo.list_rounds(session):
        if survey_round.status != OPEN:
            continue
        if not any(upcoming(r, now, due_within)
                   for r in reminders_due(session, survey_round, now)):
            continue
        last = last_reminder(session, survey_round)
        if last is not None and now - last["at"] < dt.timedelta(days=every):
            continue
        out.append(survey_round)
    return sorted(out, key=lambda r: (r.deadline, r.code))


def last_reminder(session: Session, survey_round: SurveyRound) -> dict[str, Any] | None:
    """The round's latest reminder: its details (time, counts, organisations not reached)
    with the actor, or ``None``."""
    return last_sent(session, ROUND_ACTION, "survey_round", str(survey_round.id))


def last_invitation(session: Session, survey_round: SurveyRound) -> dict[str, Any] | None:
    """The invitation sent when the round was opened (as :func:`last_reminder`), or ``None``."""
    return last_sent(session, INVITE_ACTION, "survey_round", str(survey_round.id))
