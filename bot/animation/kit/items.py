"""Kit items: writing them, and what a member may see of them.

A member sees the live items (not retired, not past their expiry) meant for everyone or
for their category; coordinators see them all. Lists put the most-shared first, then
the newest. Search: :mod:`bot.animation.kit.search`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.kit import search
from bot.core.bilingual import Bilingual
from bot.core.text import fold
from bot.models import KitItem, KitKind, KitShare, Member, Role

MAX_TITLE = 120
MAX_TEXT = 3000
MAX_TAGS = 8
MAX_TAG = 24


def parse_tags(text: str) -> list[str]:
    """Topic tags from what someone typed ("Tourisme, vélo #gastronomie"): folded words,
    at most :data:`MAX_TAGS`, each at most :data:`MAX_TAG` characters."""
    found: list[str] = []
    for word in re.split(r"[\s,;#]+", text):
        tag = fold(word)[:MAX_TAG]
        if tag and tag not in found:
            found.append(tag)
    return found[:MAX_TAGS]


@dataclass(frozen=True, slots=True)
class Draft:
    kind: KitKind
    title: str
    text: Bilingual
    link: str | None = None
    tags: tuple[str, ...] = ()
    #: Category keys; empty for everyone.
    categories: tuple[str, ...] = ()
    expires_at: datetime | None = None
    file_name: str | None = None
    file_type: str | None = None


def create(session: AsyncSession, draft: Draft, author_id: int | None, now: datetime) -> KitItem:
    item = KitItem(
        kind=draft.kind,
        title=draft.title,
        text_fr=draft.text.fr,
        text_en=draft.text.en,
        link=draft.link,
        tags=" ".join(draft.tags),
        categories=" ".join(draft.categories),
        expires_at=draft.expires_at,
        file_name=draft.file_name,
        file_type=draft.file_type,
        author_id=author_id,
        created_at=now,
    )
    session.add(item)
    return item


def live(item: KitItem, now: datetime) -> bool:
    return item.retired_at is None and (item.expires_at is None or item.expires_at > now)


def visible_to(item: KitItem, member: Member, now: datetime) -> bool:
    """Whether this member may open the item."""
    if member.role is Role.COORDINATOR:
        return item.retired_at is None
    if not live(item, now):
        return False
    return not item.categories or (member.category or "") in item.category_list


def _live_clause(now: datetime) -> ColumnElement[bool]:
    return and_(
        KitItem.retired_at.is_(None),
        or_(KitItem.expires_at.is_(None), KitItem.expires_at > now),
    )


async def listing(
    session: AsyncSession, member: Member, now: datetime, *, tag: str | None = None,
    words: str | None = None,
) -> list[KitItem]:  # fmt: skip
    """The items this member sees, most-shared then newest first; those with ``tag``, or
    matching ``words``."""
    shares = select(KitShare.item_id, func.count().label("n")).group_by(KitShare.item_id).subquery()
    coordinator = member.role is Role.COORDINATOR
    query = (
        select(KitItem)
        .outerjoin(shares, shares.c.item_id == KitItem.id)
        .where(KitItem.retired_at.is_(None) if coordinator else _live_clause(now))
        .order_by(func.coalesce(shares.c.n, 0).desc(), KitItem.created_at.desc(), KitItem.id.desc())
    )
    if words:
        query = query.where(await search.matches(session, words))
    found = [item for item in await session.scalars(query) if visible_to(item, member, now)]
    if tag:
        found = [item for item in found if tag in item.tag_list]
    return found


def topics(items: list[KitItem]) -> list[tuple[str, int]]:
    """The tags of these items with how many carry each, most used first."""
    counts: dict[str, int] = {}
    for item in items:
        for tag in item.tag_list:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def retire(item: KitItem, now: datetime) -> bool:
    """Take an item out of the kit (its links keep redirecting); False if it already was."""
    if item.retired_at is not None:
        return False
    item.retired_at = now
    return True


async def for_categories(
    session: AsyncSession, categories: list[str], now: datetime, limit: int = 8
) -> list[KitItem]:
    """Live items every member of ``categories`` sees (all categories when empty): those
    for everyone, and those whose categories cover every target. Newest first."""
    found = await session.scalars(
        select(KitItem)
        .where(_live_clause(now))
        .order_by(KitItem.created_at.desc(), KitItem.id.desc())
    )
    wanted = set(categories)
    return [
        item
        for item in found
        if not item.categories or (wanted and wanted <= set(item.category_list))
    ][:limit]


async def for_category(
    session: AsyncSession, category: str, now: datetime, limit: int = 8
) -> list[KitItem]:
    """Live items the members of ``category`` see, newest first (what a plan may carry)."""
    found = await session.scalars(
        select(KitItem)
        .where(_live_clause(now))
        .order_by(KitItem.created_at.desc(), KitItem.id.desc())
    )
    return [item for item in found if not item.categories or category in item.category_list][:limit]
