"""Who may receive e-mail, and the facts that stop it: a bounce, an unsubscribe.

A member may be written to by e-mail when they have an address (:attr:`Member.email`),
are not erased, and their address is neither unsubscribed nor unreachable. Both stops
are final for that address: **unsubscribed** means nothing more by e-mail, ever (the
person said so, by the one-click link or by writing to the reply address); **unreachable**
(the mail server refused it for good) lasts until a new address is imported, since the
same one would bounce again. A bounce is a fact the e-mail platform reports: it is
written by :mod:`bot.members.facts`, the one writer of "unreachable".

The state row (:class:`EmailAddress`) is created lazily, with a random token for the
unsubscribe link, the first time Relais writes to the address; no row means "never
written to, nothing stops it".
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, not_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import EmailAddress, Member, MemberStatus

log = logging.getLogger(__name__)


def new_token() -> str:
    """A secret for an unsubscribe link: 22 URL-safe characters, 128 bits."""
    return secrets.token_urlsafe(16)


def stopped() -> ColumnElement[bool]:
    """Condition on ``Member``: their address is unsubscribed or unreachable (an alias
    of the state table, so that callers may join the table itself)."""
    state = aliased(EmailAddress)
    return (
        select(state.member_id)
        .where(
            state.member_id == Member.id,
            or_(state.unsubscribed_at.is_not(None), state.unreachable_at.is_not(None)),
        )
        .exists()
    )


def mailable() -> ColumnElement[bool]:
    """Condition on ``Member``: Relais may write to them by e-mail now."""
    return and_(
        Member.email.is_not(None),
        Member.status != MemberStatus.FORGOTTEN,
        not_(stopped()),
    )


async def ensure(session: AsyncSession, member_ids: Sequence[int], now: datetime) -> None:
    """Give these members a state row (and a token) if they have none; idempotent, and
    safe against a concurrent writer (insert-or-nothing)."""
    if not member_ids:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [
        {"member_id": member_id, "token": new_token(), "invitations": 0, "created_at": now}
        for member_id in sorted(set(member_ids))
    ]
    await session.execute(insert(EmailAddress).on_conflict_do_nothing(), rows)


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the e-mail adapter needs to write to one member (read at send time, so an
    unsubscribe between queueing and sending is honoured)."""

    member_id: int
    address: str
    name: str
    language: str
    token: str
    #: Why nothing may be sent (``unsubscribed``, ``unreachable``, ``no address``), or None.
    stop: str | None = None


async def recipient(session: AsyncSession, member_id: int, now: datetime) -> Recipient | None:
    """The member behind an e-mail delivery's chat id; None when there is no such member."""
    member = await session.get(Member, member_id)
    if member is None:
        return None
    if member.email is None or member.status is MemberStatus.FORGOTTEN:
        return Recipient(member_id, "", "", member.language, "", stop="no address")
    await ensure(session, [member_id], now)
    state = await session.get(EmailAddress, member_id)
    assert state is not None
    stop = (
        "unsubscribed"
        if state.unsubscribed_at is not None
        else "unreachable"
        if state.unreachable_at is not None
        else None
    )
    return Recipient(
        member_id, member.email, member.display_name, member.language, state.token, stop
    )


async def by_token(session: AsyncSession, token: str) -> EmailAddress | None:
    if not token or len(token) > 32:
        return None
    return await session.scalar(select(EmailAddress).where(EmailAddress.token == token))


async def unsubscribe(session: AsyncSession, state: EmailAddress, now: datetime) -> bool:
    """Stop every e-mail to this address, for good; True if it was not stopped yet."""
    if state.unsubscribed_at is not None:
        return False
    state.unsubscribed_at = now
    log.info("an e-mail address unsubscribed (member %s)", state.member_id)
    return True


async def unsubscribe_member(session: AsyncSession, member_id: int, now: datetime) -> bool:
    """Unsubscribe a member's address by hand (a reply asking for it reached the reply
    address: ``relais unsubscribe``)."""
    await ensure(session, [member_id], now)
    state = await session.get(EmailAddress, member_id)
    assert state is not None
    return await unsubscribe(session, state, now)


async def address_changed(session: AsyncSession, member_ids: Sequence[int]) -> None:
    """New addresses were imported for these members: the old ones' state says nothing
    about them (a bounce, invitations counted), so it goes — except an unsubscribe,
    which stays: the person asked for no more e-mail."""
    if member_ids:
        await session.execute(
            delete(EmailAddress).where(
                EmailAddress.member_id.in_(member_ids), EmailAddress.unsubscribed_at.is_(None)
            )
        )


async def forget(session: AsyncSession, member_ids: Sequence[int]) -> None:
    """Erase what Relais knows about these members' addresses (``/forget``)."""
    if member_ids:
        await session.execute(delete(EmailAddress).where(EmailAddress.member_id.in_(member_ids)))
