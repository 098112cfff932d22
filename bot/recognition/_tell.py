"""Shared by the recognition steps: a private message to one member in their language,
and a post to a category's (or the general) channel in the network's language, both
keyed by the fact they announce."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.port import Message
from bot.delivery import audience, channels, queue


async def privately(
    session: AsyncSession,
    *,
    now: datetime,
    platforms: Sequence[str],
    member_id: int,
    key: str,
    render: Callable[[str], str],
) -> int:
    return await audience.tell_members(
        session,
        now=now,
        platforms=platforms,
        member_ids=[member_id],
        key_prefix=key,
        batch=key,
        render=lambda language: Message(text=render(language)),
    )


async def in_channel(
    session: AsyncSession,
    settings: Settings,
    *,
    now: datetime,
    platforms: Sequence[str],
    scope: str,
    key: str,
    text: str,
    subjects: Sequence[int],
) -> int:
    """Post ``text`` wherever ``scope`` is served (``general`` or ``category:<key>``)."""
    addresses = await channels.addresses_for(session, settings, scope, platforms)
    message = Message(text=text, language=settings.network.default_language)
    planned = [audience.to_channel(key, address, message, subjects) for address in addresses]
    return await queue.enqueue(session, now, key, planned)
