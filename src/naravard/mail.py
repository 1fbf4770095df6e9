"""E-mail over SMTP (receipts, reminders), configured by ``NARAVARD_SMTP_*``."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how mail is sent; ``host`` empty means mail is switched off."""

    host: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    security: str = "none"  # "none", "starttls" or "ssl"
    sender: str = "nara@localhost"
    timeout: float = 20.0

    @property
    def enabled(self) -> bool:
        """Whether a server is configured."""
        return bool(self.host)


def smtp_settings() -> SmtpSettings:
    """Read ``NARAVARD_SMTP_HOST``, ``_PORT``, ``_USERNAME``, ``_PASSWORD``, ``_SECURITY``,
    ``_SENDER``."""
    env = os.environ
    return SmtpSettings(
        host=env.get("NARAVARD_SMTP_HOST", ""),
        port=int(env.get("NARAVARD_SMTP_PORT", "25")),
        username=env.get("NARAVARD_SMTP_USERNAME") or None,
        password=env.get("NARAVARD_SMTP_PASSWORD") or None,
        security=env.get("NARAVARD_SMTP_SECURITY", "none"),
        sender=env.get("NARAVARD_SMTP_SENDER", "nara@localhost"),
    )


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    content: bytes
    mime_type: str = "application/pdf"


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


def build_message(
    settings: SmtpSettings, to: list[str], subject: str, body: str,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """A plain-text message with attachments."""
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.sender.split("@")[-1])
    msg.set_content(body)
    for a in attachments:
        main, _, sub = a.mime_type.partition("/")
        msg.add_attachment(a.content, maintype=main, subtype=sub, filename=a.filename)
    return msg


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand ``message`` to the configured server; raises :class:`MailError` on failure."""
    if not settings.enabled:
        raise MailError("no SMTP server is configured (NARAVARD_SMTP_HOST)")
    try:
        if settings.security == "ssl":
            context = ssl.create_default_context()
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port,
                                                    timeout=settings.timeout, context=context)
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.username:
                server.login(settings.username, settings.password or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"sending mail via {settings.host}:{settings.port} failed: {exc}") from exc
