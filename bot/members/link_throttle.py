"""Wrong ``/link`` codes, counted per account: a few mistakes are fine, guessing is not.

A code is six characters from a 32-letter alphabet and lives ten minutes, so trying codes
until one matches is the only way to take someone's membership without being given the
code. After :data:`MAX_WRONG` wrong codes (unknown, expired or already used) within
:data:`WINDOW`, the account may not send codes for :data:`LOCKOUT`; while it is locked,
codes are not even looked up. Time is the app's injected clock. A code that works clears
the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import insert_ignoring_conflicts
from bot.models import LinkAttempts

MAX_WRONG = 5
WINDOW = timedelta(hours=1)
LOCKOUT = timedelta(hours=1)


async def locked_until(
    session: AsyncSession, now: datetime, *, platform: str, user_id: str
) -> datetime | None:
    """When this account may send codes again, if it is locked out now."""
    row = await session.get(LinkAttempts, (platform, user_id), with_for_update=True)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


async def wrong(
    session: AsyncSession, now: datetime, *, platform: str, user_id: str
) -> datetime | None:
    """Count a wrong code; returns when the account may try again if this one locked it.
    (The row is created by an insert that ignores a concurrent one, then locked.)"""
    await session.execute(
        insert_ignoring_conflicts(session, LinkAttempts, on=("platform", "user_id")),
        {"platform": platform, "user_id": user_id, "failures": 0, "first_at": now},
    )
    row = await session.get(
        LinkAttempts, (platform, user_id), with_for_update=True, populate_existing=True
    )
    assert row is not None
    expired_lock = row.locked_until is not None and row.locked_until <= now
    if expired_lock or now - row.first_at >= WINDOW:
        row.failures, row.first_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= MAX_WRONG:
        row.locked_until = now + LOCKOUT
        return row.locked_until
    return None


async def forget(session: AsyncSession, *, platform: str, user_id: str) -> None:
    """A code worked: earlier mistakes no longer count."""
    await session.execute(
        delete(LinkAttempts).where(
            LinkAttempts.platform == platform, LinkAttempts.user_id == user_id
        )
    )
