"""The delivery queue's copies of messages to them or about them: their private
messages, and the application cards, signal cards, leaderboard posts, digests and replies
that name or quote them, found by the subjects recorded when each message was queued
(never by searching texts for a name).

``/mydata`` shows the messages addressed to them (text, platform, state, dates).
``/forget`` (and the purge of old applicants) deletes every copy to or about them,
whatever its state: a pending one is never sent, a sent one keeps no copy of their name
or words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import queue
from bot.members.privacy._kind import Erasure, when
from bot.models import Delivery, Member

ERASES = {
    "deliveries": "deleted: a copy of a message to them or naming them holds their name "
    "or their words",
    "delivery_subjects": "deleted with the messages: each row says whom a message names",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    messages = await session.scalars(
        select(Delivery).where(Delivery.member_id == member.id).order_by(Delivery.id)
    )
    return {
        "messages": [
            {
                "text": d.message.get("text"),
                "platform": d.platform,
                "status": d.status.value,
                "queued_at": when(d.created_at),
                "sent_at": when(d.sent_at),
            }
            for d in messages
        ],
    }


async def erase(erasure: Erasure) -> None:
    await drop(erasure.session, [erasure.member.id])


async def drop(session: AsyncSession, member_ids: Sequence[int]) -> None:
    """Delete every stored message to or about these members (see the module's doc)."""
    await queue.forget_renderings(session, member_ids)
