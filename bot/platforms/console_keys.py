"""The console's pressable buttons, kept in the database so they survive a restart.

Telegram and Discord keep every message's buttons on their servers: a member presses a
button of last week's message and the bot receives its payload, whatever happened to the
bot's process in between. The console is its own "server", so it keeps them itself: one
``platform_state`` row per message with buttons (``chat:<chat>:keyboard:<number>`` → the
buttons as JSON). The database, not a file beside it, because flows in progress live
there too (a prompt's buttons and the flow they answer must survive together), because a
PostgreSQL deployment has no file "beside" it, and because ``/forget`` erases a person's
private chat state from the same place (:func:`bot.core.platform_state.forget_chat`).

Message numbers continue after a restart (the next number follows the highest one kept),
so ``[3.2]`` never means two different messages. Only the newest :data:`KEPT` keyboards are
kept: the console is a tool for trying and replaying, not an archive.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import platform_state
from bot.core.port import Button
from bot.models import PlatformState

PLATFORM = "console"
#: Keyboards kept in the database; older ones are pruned when the console starts.
KEPT = 2000
#: ``platform_state.key`` holds 128 characters: longer chat names are not kept.
_KEY_LIMIT = 128


def key(chat: str, number: int) -> str:
    return f"{platform_state.chat_prefix(chat)}keyboard:{number}"


def _number(stored_key: str) -> int:
    return int(stored_key.rpartition(":")[2])


def encode(buttons: list[Button]) -> str:
    return json.dumps([[b.label, b.payload, b.url] for b in buttons], ensure_ascii=False)


def decode(value: str) -> list[Button]:
    return [Button(label, payload, url) for label, payload, url in json.loads(value)]


class KeyboardStore:
    """Reads and writes the console's keyboards, each in its own short transaction (the
    console sends after the update's transaction committed, as every adapter does)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def last_number(self) -> int:
        """The highest message number kept, after pruning all but the newest keyboards."""
        async with self.sessions() as session, session.begin():
            keyboards = select(PlatformState.id).where(
                PlatformState.platform == PLATFORM, PlatformState.key.startswith("chat:")
            )
            old = keyboards.order_by(PlatformState.id.desc()).offset(KEPT)
            stale = list(await session.scalars(old))
            if stale:
                await session.execute(delete(PlatformState).where(PlatformState.id.in_(stale)))
            newest = await session.scalar(
                select(PlatformState.key)
                .where(PlatformState.platform == PLATFORM, PlatformState.key.startswith("chat:"))
                .order_by(PlatformState.id.desc())
                .limit(1)
            )
        return _number(newest) if newest else 0

    async def save(self, chat: str, number: int, buttons: list[Button], now: datetime) -> None:
        stored = key(chat, number)
        if len(stored) > _KEY_LIMIT:
            return
        async with self.sessions() as session, session.begin():
            await platform_state.put(session, PLATFORM, stored, encode(buttons), now)

    async def drop(self, chat: str, number: int) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(PlatformState).where(
                    PlatformState.platform == PLATFORM, PlatformState.key == key(chat, number)
                )
            )

    async def find(self, chat: str, number: int | None) -> tuple[int, list[Button]] | None:
        """Message ``number``'s buttons in ``chat``, or the newest message's with buttons."""
        async with self.sessions() as session:
            query = select(PlatformState.key, PlatformState.value).where(
                PlatformState.platform == PLATFORM
            )
            if number is not None:
                query = query.where(PlatformState.key == key(chat, number))
            else:
                prefix = f"{platform_state.chat_prefix(chat)}keyboard:"
                query = query.where(PlatformState.key.startswith(prefix, autoescape=True))
                query = query.order_by(PlatformState.id.desc()).limit(1)
            row = (await session.execute(query)).first()
        if row is None:
            return None
        return _number(row.key), decode(row.value)
