"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import socket
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


class SmtpSink:
    """Collects every message delivered to it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        #: The client's address and port of each message (one per connection).
        self.peers: list[Any] = []
        #: Recipients the server refuses (550), as a real server refuses an unknown mailbox.
        self.refused: set[str] = set()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
