"""Their accounts on every platform, and what hangs on an account: a flow in progress,
the record of greeting them in a group, the count of wrong ``/link`` codes and of their
updates this minute (PostgreSQL's shared per-person limit), their
``/link`` codes, and what adapters keep about their private chats (the console's
buttons).

``/mydata`` shows the accounts and a flow in progress. ``/forget`` (and the purge of old
applicants) deletes all of it: with no account left, nothing can reach them again. Their
server roles are taken away first: the request names the accounts, read while they are
still known, and the adapter deletes it once the roles are gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import platform_state
from bot.members import role_sync
from bot.members.privacy._kind import Erasure, when
from bot.models import (
    Conversation,
    GroupGreeting,
    Identity,
    LinkAttempts,
    LinkCode,
    Member,
    UpdateCount,
)

ERASES = {
    "identities": "deleted: an account is how a person is found and reached",
    "conversations": "deleted: a flow in progress holds what they typed",
    "group_greetings": "deleted: it names their account",
    "link_attempts": "deleted: their accounts' count of wrong /link codes names the accounts",
    "link_codes": "deleted: a /link code names the account that asked for it",
    "update_counts": "deleted: their accounts' count of updates this minute names the accounts",
    "platform_state": "their private chats' entries deleted (the console's buttons); the "
    "adapters' other facts name nobody",
}
KEEPS = {
    "role_syncs": "written: their accounts, until the adapter has taken their server roles "
    "away; the request is deleted once applied",
}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    identities = list(
        await session.scalars(select(Identity).where(Identity.member_id == member.id))
    )
    pairs = [(i.platform, i.user_id) for i in identities]
    flows: list[Conversation] = (
        list(
            await session.scalars(
                select(Conversation)
                .where(tuple_(Conversation.platform, Conversation.user_id).in_(pairs))
                .order_by(Conversation.id)
            )
        )
        if pairs
        else []
    )
    return {
        "identities": [
            {"platform": i.platform, "user_id": i.user_id, "private_chat_id": i.private_chat_id}
            for i in identities
        ],
        "flows_in_progress": [
            {
                "platform": c.platform,
                "flow": c.flow,
                "step": c.step,
                "data": c.data,
                "at": when(c.updated_at),
            }
            for c in flows
        ],
    }


async def erase(erasure: Erasure) -> None:
    await role_sync.request(erasure.session, members=[erasure.member.id])
    await drop(erasure.session, [erasure.member.id])


async def drop(session: AsyncSession, member_ids: Sequence[int]) -> None:
    """Delete these members' accounts and what hangs on them (see the module's doc)."""
    identities = (
        await session.execute(
            select(Identity.platform, Identity.user_id, Identity.private_chat_id).where(
                Identity.member_id.in_(member_ids)
            )
        )
    ).all()
    for platform, _user, chat in identities:
        if chat:
            await platform_state.forget_chat(session, platform, chat)
    if identities:
        pairs = [(platform, user_id) for platform, user_id, _chat in identities]
        for model in (Conversation, GroupGreeting, LinkAttempts, UpdateCount):
            await session.execute(
                delete(model).where(tuple_(model.platform, model.user_id).in_(pairs))
            )
    await session.execute(delete(LinkCode).where(LinkCode.member_id.in_(member_ids)))
    await session.execute(delete(Identity).where(Identity.member_id.in_(member_ids)))
