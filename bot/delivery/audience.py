"""Whom a broadcast reaches, and where: members' private chats, category channels, the
coordinators' channel. Everything goes through the delivery queue, so a retried update or
a re-run job adds nothing (each delivery has a business key) and nothing is lost.

A person may have identities on several platforms: a private message goes to the one
:mod:`bot.delivery.recipients` picks (their preferred platform when reachable), so nobody is told
the same thing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.port import Address, Message
from bot.delivery import channels, queue
from bot.delivery.recipients import Recipient, private_recipients
from bot.models import Member, MemberStatus, Role, Visibility

#: language → the message in that language.
Render = Callable[[str], Message]


async def active_members(session: AsyncSession, categories: Sequence[str]) -> list[int]:
    """Active members of these categories (all categories when empty)."""
    query = select(Member.id).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
    if categories:
        query = query.where(Member.category.in_(categories))
    return list(await session.scalars(query))


async def coordinators(session: AsyncSession) -> list[int]:
    return list(
        await session.scalars(
            select(Member.id).where(
                Member.role == Role.COORDINATOR, Member.status == MemberStatus.ACTIVE
            )
        )
    )


def private(
    recipient: Recipient,
    key: str,
    render: Render,
    subjects: Sequence[int] = (),
    *,
    broadcast: bool = False,
) -> queue.Planned:
    """A private message in the recipient's language; ``broadcast``: one copy of a bulk
    message (``Planned.broadcast``)."""
    return queue.Planned(
        key=key,
        address=recipient.address,
        message=replace(render(recipient.language), language=recipient.language),
        private=True,
        member_id=recipient.member_id,
        subjects=tuple(subjects),
        broadcast=broadcast,
    )


def to_channel(
    key_prefix: str,
    address: Address,
    message: Message,
    subjects: Sequence[int] = (),
    *,
    pin: bool = False,
) -> queue.Planned:
    """A channel post, keyed by its chat so each chat gets it once; ``pin``: pinned once
    sent, where the bot may pin."""
    key = f"{key_prefix}:ch:{address.platform}:{address.chat_id}:{address.thread_id or ''}"
    return queue.Planned(
        key=key, address=address, message=message, subjects=tuple(subjects), pin=pin
    )


async def nameable(
    session: AsyncSession, categories: Sequence[str], *, hidden: bool = False
) -> list[int]:
    """Everyone a post about these categories (all when empty) may name: members not
    erased, and, unless ``hidden``, who do not hide from leaderboards. Recorded as the
    post's subjects, so erasing any of them deletes its stored copies."""
    query = select(Member.id).where(Member.status != MemberStatus.FORGOTTEN)
    if categories:
        query = query.where(Member.category.in_(categories))
    if not hidden:
        query = query.where(Member.visibility != Visibility.HIDDEN)
    return list(await session.scalars(query.order_by(Member.id)))


async def tell_members(
    session: AsyncSession,
    *,
    now: datetime,
    platforms: Sequence[str],
    member_ids: Iterable[int],
    key_prefix: str,
    batch: str,
    render: Render,
    subjects: Sequence[int] = (),
) -> int:
    """A private message to each member in their own language; key ``<prefix>:m<id>``.
    ``subjects``: the members it names (see :attr:`bot.delivery.queue.Planned.subjects`)."""
    recipients = await private_recipients(session, member_ids, platforms)
    planned = [private(r, f"{key_prefix}:m{r.member_id}", render, subjects) for r in recipients]
    return await queue.enqueue(session, now, batch, planned)


async def tell_coordinators(
    session: AsyncSession,
    settings: Settings,
    *,
    now: datetime,
    platforms: Sequence[str],
    key_prefix: str,
    render: Render,
    subjects: Sequence[int] = (),
) -> int:
    """Post to the coordinators' channel on every platform where it is bound (in the
    network's language); where none is bound at all, each coordinator privately."""
    addresses = await channels.addresses_for(session, settings, channels.COORDINATORS, platforms)
    if addresses:
        message = render(settings.network.default_language)
        planned = [to_channel(key_prefix, address, message, subjects) for address in addresses]
        return await queue.enqueue(session, now, key_prefix, planned)
    return await tell_members(
        session,
        now=now,
        platforms=platforms,
        member_ids=await coordinators(session),
        key_prefix=key_prefix,
        batch=key_prefix,
        render=render,
        subjects=subjects,
    )
