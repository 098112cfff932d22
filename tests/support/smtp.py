"""A real SMTP server on loopback (aiosmtpd), and helpers to read what it received.

:class:`Mailbox` runs aiosmtpd's ``Controller`` on a free port (its own thread and event
loop, as a real server would be) and keeps every accepted message, parsed by the standard
library. Addresses can be told to refuse: ``refuse["bob@x.test"] = [451, 451]`` answers
the next two ``RCPT TO`` for bob with a 451 (temporary), ``[550]`` once with a 550.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(slots=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass(slots=True)
class Mailbox:
    """What the server received, and the refusals it was told to give."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, list[int]] = field(default_factory=dict)
    #: Signalled at every accepted message (the server runs in its own thread).
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        codes = self.refuse.get(address)
        if codes:
            code = codes.pop(0)
            return f"{code} {address} refused for the test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.arrived:
            self.received.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), message)
            )
            self.arrived.notify_all()
        return "250 Message accepted"

    def wait_for(self, address: str, timeout: float = 30) -> list[EmailMessage]:
        """The messages to ``address`` once at least one arrived (a sender running in
        another task may still be on its way); blocks, so call it through
        ``asyncio.to_thread``."""
        with self.arrived:
            self.arrived.wait_for(lambda: bool(self.to(address)), timeout)
        return self.to(address)

    def to(self, address: str) -> list[EmailMessage]:
        return [item.message for item in self.received if address in item.recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A running SMTP server on 127.0.0.1 (no TLS, no login), stopped on exit."""
    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def email_env(mailbox: Mailbox, **more: str) -> dict[str, str]:
    """``network_factory`` overrides that send e-mail to ``mailbox``."""
    return {
        "email__host": "127.0.0.1",
        "email__port": str(mailbox.port),
        "email__tls": "none",
        "email__from_address": "ambassadors@relais.test",
        "email__from_name": "Relais Lyon",
        "email__reply_to": "team@relais.test",
        "email__messages_per_minute": "10000",
        **more,
    }


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def inline_png(message: EmailMessage) -> bytes:
    for part in message.walk():
        if part.get_content_type() == "image/png":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload
    raise AssertionError("no inline PNG in the message")
