"""The e-mail platform: the delivery queue's rows for ``email`` go out over SMTP.

It only sends (nobody writes to Relais by e-mail), behind the same port as the chat
platforms, so the queue's rules hold: a row is claimed (committed) before the mail server
is called and never sent again after a crash; one member's mails leave in order.

* **Who**: a delivery's chat id is the member's id. ``lookup`` (given by the composition
  root, it reads :mod:`bot.mailing.addresses`) says where to write and whether anything
  stops it — read at send time, so an unsubscribe between queueing and sending wins
  (the row ends ``failed``: :class:`Rejected`).
* **Pace**: at most ``[email] messages_per_minute`` (providers limit senders), in real
  time; the sender waits for it before claiming a row (:class:`~bot.core.port.Paced`),
  so a crash during a long queue loses nothing that was only waiting.
* **Replies**: a 4xx is temporary (:class:`TemporaryFailure`: the queue retries it later
  with growing waits); a 5xx to the recipient, or an address that cannot be written, is
  permanent (:class:`Unreachable`: the row ends ``unreachable`` and the address is marked
  so by :mod:`bot.members.facts`); a 5xx to the sender or the login is Relais' own
  set-up (:class:`Rejected`, logged). Connection errors and time-outs are temporary.
* **Privacy**: errors carry the reply code only — servers quote the address in their
  text — and nothing here logs an address, a name or a subject.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

import aiosmtplib

from bot.core.config import EmailSettings, EmailTls
from bot.core.port import Outgoing, Rejected, TemporaryFailure, Unreachable
from bot.mailing import EMAIL
from bot.mailing.addresses import Recipient
from bot.platforms.email.compose import BadAddress, Frame, build
from bot.platforms.pacing import Pacer

log = logging.getLogger(__name__)

Lookup = Callable[[int], Awaitable[Recipient | None]]


def _refusal(code: int) -> Exception:
    """What a refusal of the recipient (or of the message) with ``code`` means."""
    if 400 <= code < 500:
        return TemporaryFailure(f"smtp {code}")
    return Unreachable(f"smtp {code}")


class EmailPlatform:
    """Sends the queue's e-mail deliveries through one SMTP server."""

    name = EMAIL
    #: Nothing comes in by e-mail: the app's throttle has nobody to hold back.
    throttled = False

    def __init__(
        self,
        settings: EmailSettings,
        *,
        password: str | None,
        frame: Frame,
        lookup: Lookup,
        pacer: Pacer | None = None,
    ) -> None:
        self.settings = settings
        self._password = password
        self.frame = frame
        self._lookup = lookup
        self._pacer = pacer or Pacer(settings.messages_per_minute, 60.0)
        #: Mails accepted by the server in this run (for progress lines and tests).
        self.sent = 0

    async def start(self) -> None:
        log.info(
            "email: sending through %s:%s (%s)",
            self.settings.host,
            self.settings.port,
            self.settings.tls,
        )

    async def stop(self) -> None:
        return None

    async def pace(self) -> None:
        """Wait for the next slot of ``messages_per_minute`` (the sender calls it before
        claiming a delivery: see :class:`~bot.core.port.Paced`)."""
        await self._pacer.acquire("smtp")

    async def send(self, outgoing: Outgoing) -> str | None:
        try:
            member_id = int(outgoing.address.chat_id)
        except ValueError as error:
            raise Rejected("an e-mail delivery is addressed to a member id") from error
        recipient = await self._lookup(member_id)
        if recipient is None:
            raise Rejected("no such member")
        if recipient.stop is not None:
            raise Rejected(recipient.stop)
        try:
            mail = build(outgoing.message, recipient, self.frame)
        except BadAddress as error:
            raise Unreachable("invalid address") from error
        await self._transmit(mail, recipient.address)
        self.sent += 1
        return str(mail["Message-ID"]).strip("<>")[:64]

    async def _transmit(self, mail: EmailMessage, address: str) -> None:
        settings = self.settings
        assert settings.from_address is not None
        try:
            await aiosmtplib.send(
                mail,
                sender=settings.from_address,
                recipients=[address],
                hostname=settings.host,
                port=settings.port,
                username=settings.user,
                password=self._password if settings.user else None,
                use_tls=settings.tls is EmailTls.IMPLICIT,
                start_tls=settings.tls is EmailTls.STARTTLS,
                timeout=settings.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refused.code for refused in error.recipients]
            raise _refusal(max(codes) if codes else 550) from None
        except aiosmtplib.SMTPRecipientRefused as error:
            raise _refusal(error.code) from None
        except aiosmtplib.SMTPDataError as error:
            raise _refusal(error.code) from None
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPAuthenticationError) as error:
            if 400 <= error.code < 500:
                raise TemporaryFailure(f"smtp {error.code}") from None
            log.warning("email: the server refused the sender or the login (%s)", error.code)
            raise Rejected(f"smtp {error.code} (sender or login refused)") from None
        except aiosmtplib.SMTPResponseException as error:
            if 400 <= error.code < 500:
                raise TemporaryFailure(f"smtp {error.code}") from None
            raise Rejected(f"smtp {error.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TemporaryFailure(f"smtp {type(error).__name__}") from None
