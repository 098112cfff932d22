"""Small facts a platform adapter keeps between runs (e.g. the hash of the slash commands
Discord last received), in the database so that every process and every redeploy agrees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
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
