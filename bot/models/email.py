"""What Relais knows about a member's e-mail address: invitations sent, whether it bounced,
whether its owner unsubscribed, and the secret token of their unsubscribe link.

The address itself stays on :attr:`Member.email` (the spreadsheet's column); this row is
its state, created the first time Relais writes to it (or is asked to stop). One row per
member, deleted with the member's personal data (``/forget``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class EmailAddress(Base):
    __tablename__ = "email_addresses"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    #: The secret of ``/u/<token>`` and of the ``List-Unsubscribe`` link: whoever holds
    #: it may stop e-mail to this address, nothing else.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    #: Invitations queued so far (the first one and its reminders), and when.
    invitations: Mapped[int] = mapped_column(Integer, default=0)
    first_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The mail server refused the address for good (a 5xx): nothing more is sent to it
    #: until the address changes.
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The server's reply code, for coordinators (``550``); never the address.
    unreachable_reason: Mapped[str | None] = mapped_column(String(64))
    #: Its owner asked for no more e-mail: nothing is ever sent to it again.
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<EmailAddress of {self.member_id} x{self.invitations}>"
