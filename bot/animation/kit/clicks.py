"""Counting clicks on tracked links, without storing who clicked.

A visit counts once per link, per visitor and per day. The visitor is a **keyed daily
hash**: HMAC-SHA256 of (address, browser, day) under a 32-byte key made at first use and
kept in the database (``platform_state``), like the suppression list's. No IP address
and no user agent is stored; because the day is in the hash, the same visitor on two days
gives two unrelated values, so visits cannot be followed across days, and without the
key a value cannot be tested against a guessed address.

Not counted: ``HEAD`` requests and the robots that open links to preview them (Telegram,
Discord, Slack, Facebook, X, LinkedIn, WhatsApp… by their user agent). Each counted click
earns the link's owner ``[kit] click_points``, for at most ``[kit] clicks_per_day`` clicks
per item and per day: the ledger key carries the click's rank that day, so two racing
visits can never pass the cap.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import platform_state
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.models import KitClick, KitShare, PointsEntry

KEY_PLACE = ("relais", "kit_click_key")
CLICK_REASON = "kit_click"

#: Link previewers and crawlers, by user agent (case-insensitive).
ROBOTS = re.compile(
    r"bot\b|bot/|crawler|spider|preview|facebookexternalhit|facebot|slack|discord|telegram"
    r"|whatsapp|skypeuripreview|embedly|vkshare|pinterest|redditbot|mastodon|curl/|wget/"
    r"|python-requests|go-http-client|headless",
    re.IGNORECASE,
)


def is_robot(user_agent: str) -> bool:
    """A previewer or crawler; an empty user agent counts as one (browsers send it)."""
    return not user_agent.strip() or bool(ROBOTS.search(user_agent))


async def _key(session: AsyncSession, now: datetime) -> bytes:
    """The deployment's key, created at first use (racing processes agree)."""
    platform, name = KEY_PLACE
    stored = await platform_state.get(session, platform, name)
    if stored is None:
        try:
            async with session.begin_nested():
                await platform_state.put(session, platform, name, secrets.token_hex(32), now)
        except IntegrityError:
            pass
        stored = await platform_state.get(session, platform, name)
        assert stored is not None
    return bytes.fromhex(stored)


def visitor(key: bytes, address: str, user_agent: str, day: str) -> str:
    message = "\x1f".join((address, user_agent, day)).encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def record(
    session: AsyncSession, settings: Settings, share: KitShare, *, address: str,
    user_agent: str, now: datetime,
) -> bool:  # fmt: skip
    """Count a browser's visit; True when it was this visitor's first of the day."""
    day = now.astimezone(ZoneInfo(settings.network.timezone)).date().isoformat()
    digest = visitor(await _key(session, now), address, user_agent, day)
    result = await session.execute(
        insert_ignoring_conflicts(session, KitClick, on=("share_id", "day", "visitor")),
        {"share_id": share.id, "day": day, "visitor": digest, "created_at": now},
    )
    if not getattr(result, "rowcount", 0):
        return False
    await _bonus(session, settings, share, day, now)
    return True


async def _bonus(
    session: AsyncSession, settings: Settings, share: KitShare, day: str, now: datetime
) -> None:
    points, cap = settings.kit.click_points, settings.kit.clicks_per_day
    if points <= 0:
        return
    rank = await session.scalar(
        select(func.count()).where(KitClick.share_id == share.id, KitClick.day == day)
    )
    if not rank or rank > cap:
        return
    await session.execute(
        insert_ignoring_conflicts(session, PointsEntry, on=("unique_key",)),
        {
            "member_id": share.member_id,
            "points": points,
            "reason": CLICK_REASON,
            "report_id": None,
            "unique_key": f"kit-click:{share.id}:{day}:{rank}",
            "created_at": now,
        },
    )


async def by_code(session: AsyncSession, code: str) -> KitShare | None:
    if not code or len(code) > 16:
        return None
    return await session.scalar(select(KitShare).where(KitShare.code == code))
