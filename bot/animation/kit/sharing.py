"""Sharing a kit item: a member's personal tracked link, and the mention it counts as.

The first time a member shares an item, Relais makes their link (:class:`KitShare`, one
per member and item, a database constraint; its code is ``secrets.token_urlsafe`` — 72
random bits, short in a post and not guessable) and records a mention, medium "social",
linked to the item, earning the usual points within the daily cap. Sharing the same item
again gives the same link and counts nothing: the row already exists, so even an update
delivered twice, or two presses racing, cannot count twice.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import reports
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.models import KitClick, KitItem, KitShare, KitUse, Member, ReportKind

MEDIUM = "social"


def new_code() -> str:
    return secrets.token_urlsafe(9)  # 12 characters, 72 random bits


def tracked_link(settings: Settings, share: KitShare) -> str | None:
    """``<public_url>/r/<code>``; None without a public address (then the plain link)."""
    base = settings.web.public_url
    return f"{base}/r/{share.code}" if base else None


@dataclass(frozen=True, slots=True)
class Shared:
    share: KitShare
    #: True the first time: the mention was recorded now.
    first: bool
    points: int


async def share(
    session: AsyncSession, settings: Settings, clock: Clock, member: Member, item: KitItem
) -> Shared:
    """The member's link to the item, made (and counted) the first time only."""
    now = clock.now()
    result = await session.execute(
        insert_ignoring_conflicts(session, KitShare, on=("member_id", "item_id")),
        {"member_id": member.id, "item_id": item.id, "code": new_code(), "created_at": now},
    )
    first = bool(getattr(result, "rowcount", 0))
    row = await session.scalar(
        select(KitShare).where(KitShare.member_id == member.id, KitShare.item_id == item.id)
    )
    assert row is not None
    if not first:
        return Shared(row, first=False, points=0)
    recorded = await reports.record(
        session, settings, clock, member, kind=ReportKind.MENTION, subkind=MEDIUM,
        text=item.title[: reports.MAX_TEXT],
    )  # fmt: skip
    # Linked to the item's page; kept out of the link rule (its key is the report's), so
    # every member who shares the item earns their mention.
    recorded.report.url = item.link
    return Shared(row, first=True, points=recorded.points)


async def used(session: AsyncSession, member: Member, item: KitItem, now: datetime) -> bool:
    """Count the member's "I used it" for the item; True the first time only (a second
    press, or the same update delivered again, meets the one-use constraint)."""
    result = await session.execute(
        insert_ignoring_conflicts(session, KitUse, on=("member_id", "item_id")),
        {"member_id": member.id, "item_id": item.id, "created_at": now},
    )
    return bool(getattr(result, "rowcount", 0))


async def member_reach(session: AsyncSession, member_id: int) -> tuple[int, int]:
    """(items shared, unique clicks on them) for /me."""
    shares = await session.scalar(select(func.count()).where(KitShare.member_id == member_id))
    clicks = await session.scalar(
        select(func.count())
        .select_from(KitClick)
        .join(KitShare, KitShare.id == KitClick.share_id)
        .where(KitShare.member_id == member_id)
    )
    return int(shares or 0), int(clicks or 0)


@dataclass(frozen=True, slots=True)
class ItemReach:
    shares: int
    clicks: int
    #: Category key (or "") → (shares, clicks, uses).
    by_category: dict[str, tuple[int, int, int]]
    #: Members who said "I used it".
    uses: int = 0


async def item_reach(session: AsyncSession, item_id: int) -> ItemReach:
    """Shares, clicks and uses of one item, by the members' category (the view of those
    who run the kit)."""
    shares: Counter[str] = Counter()
    clicks: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    rows = await session.execute(
        select(Member.category, func.count(KitShare.id))
        .join(Member, Member.id == KitShare.member_id)
        .where(KitShare.item_id == item_id)
        .group_by(Member.category)
    )
    for category, count in rows:
        shares[category or ""] += int(count)
    rows = await session.execute(
        select(Member.category, func.count(KitClick.id))
        .join(KitShare, KitShare.id == KitClick.share_id)
        .join(Member, Member.id == KitShare.member_id)
        .where(KitShare.item_id == item_id)
        .group_by(Member.category)
    )
    for category, count in rows:
        clicks[category or ""] += int(count)
    rows = await session.execute(
        select(Member.category, func.count(KitUse.id))
        .join(Member, Member.id == KitUse.member_id)
        .where(KitUse.item_id == item_id)
        .group_by(Member.category)
    )
    for category, count in rows:
        uses[category or ""] += int(count)
    keys = sorted(set(shares) | set(clicks) | set(uses))
    return ItemReach(
        shares=sum(shares.values()),
        clicks=sum(clicks.values()),
        by_category={key: (shares[key], clicks[key], uses[key]) for key in keys},
        uses=sum(uses.values()),
    )


@dataclass(frozen=True, slots=True)
class NetworkReach:
    shares: int
    clicks: int
    #: (title, shares, clicks), the most clicked first.
    top: list[tuple[str, int, int]]


async def network_reach(session: AsyncSession, now: datetime, days: int = 30) -> NetworkReach:
    """Shares and clicks of the last ``days`` days, and the top three items (/stats)."""
    since = now - timedelta(days=days)
    shares = await session.scalar(select(func.count()).where(KitShare.created_at >= since))
    clicks = await session.scalar(
        select(func.count()).select_from(KitClick).where(KitClick.created_at >= since)
    )
    per_item_shares = dict(
        (row[0], int(row[1]))
        for row in await session.execute(
            select(KitShare.item_id, func.count())
            .where(KitShare.created_at >= since)
            .group_by(KitShare.item_id)
        )
    )
    per_item_clicks = dict(
        (row[0], int(row[1]))
        for row in await session.execute(
            select(KitShare.item_id, func.count())
            .select_from(KitClick)
            .join(KitShare, KitShare.id == KitClick.share_id)
            .where(KitClick.created_at >= since)
            .group_by(KitShare.item_id)
        )
    )
    ids = sorted(
        set(per_item_shares) | set(per_item_clicks),
        key=lambda i: (-per_item_clicks.get(i, 0), -per_item_shares.get(i, 0), i),
    )[:3]
    named = select(KitItem.id, KitItem.title).where(KitItem.id.in_(ids))
    titles = {row[0]: row[1] for row in await session.execute(named)} if ids else {}
    top = [(titles.get(i, "?"), per_item_shares.get(i, 0), per_item_clicks.get(i, 0)) for i in ids]
    return NetworkReach(shares=int(shares or 0), clicks=int(clicks or 0), top=top)
