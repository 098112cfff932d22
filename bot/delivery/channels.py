"""Which chats are the network's channels: one per category, a general one, and the
coordinators' one, on each platform.

Bindings come from ``/bind`` (stored) and from config (``[channels]``); on the console,
``#<category>``, ``#general`` and ``#coordinators`` are bound implicitly so transcripts
need no set-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import platform_state
from bot.core.config import Settings
from bot.core.port import Address
from bot.models import ChannelBinding

GENERAL = "general"
COORDINATORS = "coordinators"
CONSOLE = "console"
#: Why a platform last refused to set up the channels Relais makes itself
#: (``permission``, ``unknown_category``, ``refused``); empty once a setup succeeded.
SETUP_PROBLEM_KEY = "channels.problem"


def category_scope(key: str) -> str:
    return f"category:{key}"


def parse_scope(settings: Settings, word: str) -> str | None:
    """``business`` → ``category:business``; ``general`` and ``coordinators`` as is."""
    word = word.lower()
    if word in (GENERAL, COORDINATORS):
        return word
    return category_scope(word) if settings.category(word) is not None else None


def scope_category(scope: str | None) -> str | None:
    if scope is not None and scope.startswith("category:"):
        return scope.removeprefix("category:")
    return None


def _console_scope(settings: Settings, chat_id: str) -> str | None:
    return parse_scope(settings, chat_id[1:]) if chat_id.startswith("#") else None


def _config_addresses(settings: Settings, scope: str) -> list[Address]:
    return [address for declared, address in settings.channel_addresses() if declared == scope]


async def scope_of(session: AsyncSession, settings: Settings, address: Address) -> str | None:
    """The scope a chat serves, if any (a forum topic's own binding wins over its group's)."""
    if address.platform == CONSOLE:
        return _console_scope(settings, address.chat_id)
    for thread in ([address.thread_id] if address.thread_id else []) + [""]:
        scope = await session.scalar(
            select(ChannelBinding.scope).where(
                ChannelBinding.platform == address.platform,
                ChannelBinding.chat_id == address.chat_id,
                ChannelBinding.thread_id == thread,
            )
        )
        if scope is not None:
            return scope
        for declared, bound in settings.channel_addresses():
            if (
                bound.platform == address.platform
                and bound.chat_id == address.chat_id
                and ((bound.thread_id or "") == thread)
            ):
                return declared
    return None


async def addresses_for(
    session: AsyncSession, settings: Settings, scope: str, platforms: Iterable[str]
) -> list[Address]:
    """Every chat serving ``scope`` on the running platforms (stored bindings win)."""
    running = set(platforms)
    rows = await session.scalars(select(ChannelBinding).where(ChannelBinding.scope == scope))
    found: dict[str, Address] = {
        row.platform: Address(row.platform, row.chat_id, row.thread_id or None) for row in rows
    }
    for address in _config_addresses(settings, scope):
        found.setdefault(address.platform, address)
    if CONSOLE in running:
        found.setdefault(CONSOLE, Address(CONSOLE, "#" + (scope_category(scope) or scope)))
    return [address for platform, address in sorted(found.items()) if platform in running]


async def bind(
    session: AsyncSession, address: Address, scope: str, *, by: int | None, now: datetime
) -> None:
    """Make this chat the channel of ``scope`` on its platform, replacing older bindings
    of the chat and of the scope (one chat per scope per platform)."""
    thread = address.thread_id or ""
    await session.execute(
        delete(ChannelBinding).where(
            ChannelBinding.platform == address.platform,
            (ChannelBinding.scope == scope)
            | ((ChannelBinding.chat_id == address.chat_id) & (ChannelBinding.thread_id == thread)),
        )
    )
    session.add(
        ChannelBinding(
            platform=address.platform,
            chat_id=address.chat_id,
            thread_id=thread,
            scope=scope,
            bound_by=by,
            bound_at=now,
        )
    )
    await session.flush()


async def unbind(session: AsyncSession, address: Address) -> str | None:
    """Remove this chat's binding; returns the scope it served."""
    row = await session.scalar(
        select(ChannelBinding).where(
            ChannelBinding.platform == address.platform,
            ChannelBinding.chat_id == address.chat_id,
            ChannelBinding.thread_id == (address.thread_id or ""),
        )
    )
    if row is None:
        return None
    await session.delete(row)
    return row.scope


async def migrate_chat(session: AsyncSession, platform: str, old_chat: str, new_chat: str) -> int:
    """Follow a chat whose id changed (a Telegram group upgraded to a supergroup), so its
    channel does not silently go dark; returns how many bindings moved (none the second
    time). Only :mod:`bot.members.facts` calls it, for a reported migration.

    Where the new id already serves a scope in the same thread (someone ran ``/bind`` in
    the supergroup before the migration was noticed), that later binding stands and the
    old id's is dropped: the old id can never be written to again, and a chat serves one
    scope."""
    taken = select(ChannelBinding.thread_id).where(
        ChannelBinding.platform == platform, ChannelBinding.chat_id == new_chat
    )
    await session.execute(
        delete(ChannelBinding).where(
            ChannelBinding.platform == platform,
            ChannelBinding.chat_id == old_chat,
            ChannelBinding.thread_id.in_(taken),
        )
    )
    result = await session.execute(
        update(ChannelBinding)
        .where(ChannelBinding.platform == platform, ChannelBinding.chat_id == old_chat)
        .values(chat_id=new_chat)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def setup_problem(session: AsyncSession, platform: str) -> str | None:
    """Why the platform last refused to set up the network's channels, unless a setup
    succeeded since (shown to coordinators in ``/stats``)."""
    return await platform_state.get(session, platform, SETUP_PROBLEM_KEY) or None
