"""The receipt of a submission: a PDF of every answer (WeasyPrint) and the e-mail that carries it.

A failed e-mail never undoes a submission: the outcome (sent, no address, no server, failed) is
stored with the submission and shown to the respondent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.orm import Session

from naravard import mail
from naravard.pdf import html_to_pdf
from naravard.storage import survey_repo as repo
from naravard.storage.models import User
from naravard.storage.survey_tables import SurveySubmission
from naravard.surveys.model import Question, Questionnaire, Table
from naravard.web import surveys_view as view
from naravard.web.i18n import gettext_for
from naravard.web.rendering import templates


def stockholm_time(moment: dt.datetime | None, seconds: bool = False) -> str:
    """``2024-03-28 10:15`` (Swedish time)."""
    if moment is None:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return repo.aware(moment).astimezone(repo.STOCKHOLM).strftime(fmt)


def sections(form: Questionnaire, values: Mapping[str, object], lang: str,
             unanswered: Collection[str] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """Stored answers by page: ``[{title, rows: [{name, page, label, text | table}]}]``; the
    items named in ``unanswered`` are listed without an answer too (``text`` ``None``)."""
    out = []
    for page in view.pages(form):
        rows: list[dict[str, Any]] = []
        for item in page.items():
            value = values.get(item.name)
            if value is None:
                if item.name in unanswered:
                    rows.append({"name": item.name, "page": page.number, "text": None,
                                 "label": view.label_of(item, lang)})
                continue
            if isinstance(item, Table):
                table = []
                for row in form.options(item):
                    cells = [view.display(form, c, view.cell(value, row.name, c.name), lang)
                             for c in item.columns]
                    table.append((row.label.get(lang), cells))
                rows.append({"name": item.name, "page": page.number,
                             "label": view.label_of(item, lang), "table": table,
                             "columns": [c.label.get(lang) for c in item.columns]})
            elif isinstance(item, Question):
                rows.append({"name": item.name, "page": page.number,
                             "label": view.label_of(item, lang),
                             "text": view.display(form, item, value, lang)})
        if rows:
            out.append({"title": page.title.get(lang), "rows": rows})
    return out


def receipt_html(data: repo.ReceiptData, lang: str) -> str:
    """The receipt as a standalone HTML document."""
    return templates.env.get_template("surveys/receipt_pdf.html").render(
        _=gettext_for(lang), lang=lang, data=data,
        sections=sections(data.form, data.values, lang),
        submitted=stockholm_time(data.submitted_at, seconds=True),
        submitted_utc=data.submitted_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        title=data.form.settings.title.get(lang),
    )


def renderer(lang: str) -> repo.ReceiptRenderer:
    """A receipt renderer for :func:`naravard.storage.survey_repo.submit` in ``lang``."""

    def render(data: repo.ReceiptData) -> bytes:
        return html_to_pdf(receipt_html(data, lang))

    return render


def receipt_filename(submission: SurveySubmission) -> str:
    """``kvitto-<round>-<org>-v<version>.pdf``."""
    response = submission.response
    return f"kvitto-{response.round.code}-{response.organisation_code}-v{submission.version}.pdf"


def send_receipt(session: Session, submission: SurveySubmission, user: User | None,
                 lang: str, settings: mail.SmtpSettings | None = None) -> str:  # fmt: skip
    """E-mail the receipt to the submitting user and record the outcome (returned)."""
    settings = settings or mail.smtp_settings()
    actor = user.username if user else submission.submitted_by
    address = (user.email or "").strip() if user else ""
    if not address:
        repo.record_mail(session, submission, repo.MAIL_NO_ADDRESS, None, "", actor)
        return repo.MAIL_NO_ADDRESS
    if not settings.enabled:
        repo.record_mail(session, submission, repo.MAIL_NO_SERVER, address, "", actor)
        return repo.MAIL_NO_SERVER
    _ = gettext_for(lang)
    response = submission.response
    round_ = response.round
    title = repo.round_form(round_).settings.title.get(lang)
    org = repo.organisation_name(session, response.organisation_code)
    subject = _("Receipt: %(title)s, version %(version)s", title=title,
                version=submission.version)
    body = _(
        "Nära has received the answers of %(org)s to %(title)s (round %(round)s), version "
        "%(version)s, at %(time)s Swedish time.\n\nThe receipt with every answer is attached. "
        "The answers are public documents.\n",
        org=org, title=title, round=round_.code, version=submission.version,
        time=stockholm_time(submission.submitted_at, seconds=True),
    )
    message = mail.build_message(
        settings, [address], subject, body,
        (mail.Attachment(receipt_filename(submission), submission.receipt_pdf),),
    )
    try:
        mail.send(settings, message)
    except mail.MailError as exc:
        repo.record_mail(session, submission, repo.MAIL_FAILED, address, str(exc), actor)
        return repo.MAIL_FAILED
    repo.record_mail(session, submission, repo.MAIL_SENT, address, "", actor)
    return repo.MAIL_SENT
