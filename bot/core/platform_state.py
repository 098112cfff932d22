"""Small facts a platform adapter keeps between runs (e.g. the hash of the slash commands
Discord last received), in the database so that every process and every redeploy agrees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import PlatformState


async def get(session: AsyncSession, platform: str, key: str) -> str | None:
    return await session.scalar(
        select(PlatformState.value).where(
            PlatformState.platform == platform, PlatformState.key == key
        )
    )


async def put(session: AsyncSession, platform: str, key: str, value: str, now: datetime) -> None:
    row = await session.scalar(
        select(PlatformState).where(PlatformState.platform == platform, PlatformState.key == key)
    )
    if row is None:
        session.add(PlatformState(platform=platform, key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now


def chat_prefix(chat_id: str) -> str:
    """The start of every key an adapter keeps about one chat (``chat:<id>:…``), so that
    erasing a person erases what adapters keep about their private chat."""
    return f"chat:{chat_id}:"


async def forget_chat(session: AsyncSession, platform: str, chat_id: str) -> None:
    """Delete what ``platform``'s adapter keeps about the chat ``chat_id``."""
    await session.execute(
        delete(PlatformState).where(
            PlatformState.platform == platform,
            PlatformState.key.startswith(chat_prefix(chat_id), autoescape=True),
        )
    )
