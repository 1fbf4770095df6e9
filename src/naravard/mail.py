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


class Sender:
    """Hands messages to the configured server over one connection, opened at the first
    message and closed when the ``with`` block ends: a batch of reminders costs one connection,
    not one per message. A failed message closes the connection (the next opens a new one); a
    kept connection the server has dropped meanwhile is opened again once."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._server: smtplib.SMTP | None = None

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if s.username:
                server.login(s.username, s.password or "")
        except BaseException:
            server.close()
            raise
        return server

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; raises :class:`MailError` on failure."""
        s = self.settings
        if not s.enabled:
            raise MailError("no SMTP server is configured (NARAVARD_SMTP_HOST)")
        kept = self._server is not None
        try:
            if self._server is None:
                self._server = self._open()
            self._server.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            if not kept:
                raise MailError(f"sending mail via {s.host}:{s.port} failed: the server "
                                "closed the connection") from None
            self.send(message)  # the kept connection had been dropped: once more, new
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError(f"sending mail via {s.host}:{s.port} failed: {exc}") from exc

    def close(self) -> None:
        """Say goodbye to the server (quietly if it is gone)."""
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand one ``message`` to the configured server; raises :class:`MailError` on failure."""
    with Sender(settings) as sender:
        sender.send(message)
