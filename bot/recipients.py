"""Whom to tell, where, in which language: private chats of members and coordinators.

A person may have identities on several platforms; a notification goes to one private
chat (the oldest identity that has one), so nobody is told the same thing twice. Members
without a private chat (who never opened the bot, or were forgotten) are not contacted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Identity, Member, MemberStatus, Role
from bot.platforms.port import Address


@dataclass(frozen=True, slots=True)
class Recipient:
    member_id: int
    language: str
    address: Address


async def private_recipients(session: AsyncSession, member_ids: Iterable[int]) -> list[Recipient]:
    """One private address per member that has one, in member id order."""
    ids = sorted(set(member_ids))
    if not ids:
        return []
    rows = (
        await session.execute(
            select(Member.id, Member.language, Identity.platform, Identity.private_chat_id)
            .join(Identity, Identity.member_id == Member.id)
            .where(
                Member.id.in_(ids),
                Member.status != MemberStatus.FORGOTTEN,
                Identity.private_chat_id.is_not(None),
                Identity.unreachable_at.is_(None),
            )
            .order_by(Member.id, Identity.id)
        )
    ).all()
    found: dict[int, Recipient] = {}
    for member_id, language, platform, chat_id in rows:
        if member_id not in found and chat_id is not None:
            found[member_id] = Recipient(member_id, language, Address(platform, chat_id))
    return list(found.values())


async def coordinator_recipients(session: AsyncSession) -> list[Recipient]:
    """Every active coordinator reachable in private."""
    ids = await session.scalars(
        select(Member.id).where(
            Member.role == Role.COORDINATOR, Member.status == MemberStatus.ACTIVE
        )
    )
    return await private_recipients(session, ids)
