"""What Relais knows about their e-mail address (the address itself is a field of the
member row, see :mod:`bot.members.privacy.personal`): how many invitations went to it and
when, whether it bounced, whether its owner unsubscribed, and the random token of its
unsubscribe link.

``/mydata`` shows the invitations, the bounce and the unsubscribe (not the token).
``/forget`` (and the purge of old applicants) deletes the whole state with the address:
the token's link then leads nowhere, and nothing is left to write to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.mailing import addresses
from bot.members.privacy._kind import Erasure, when
from bot.models import EmailAddress, Member

ERASES = {
    "email_addresses": "deleted: the state of an address they no longer have (invitations, "
    "bounce, unsubscribe, token)",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    mail = await session.get(EmailAddress, member.id)
    return {
        "email_address": {
            "invitations": mail.invitations,
            "first_invited_at": when(mail.first_invited_at),
            "invited_at": when(mail.invited_at),
            "bounced_at": when(mail.unreachable_at),
            "unsubscribed_at": when(mail.unsubscribed_at),
        }
        if mail is not None
        else None,
    }


async def erase(erasure: Erasure) -> None:
    await drop(erasure.session, [erasure.member.id])


async def drop(session: AsyncSession, member_ids: Sequence[int]) -> None:
    """Delete these members' addresses' state (see the module's doc)."""
    await addresses.forget(session, member_ids)
