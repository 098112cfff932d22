"""The kit's part of ``relais export``: ``kit`` (one row per item, with its shares and
clicks) and ``shares`` (one row per member's tracked link, with its clicks).

Kept beside :mod:`bot.cli.exporter`, which dispatches here for these two kinds; CSV cells
are made safe there. Erased members' links went with their erasure, so they appear in
neither count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from bot.models import KitClick, KitItem, KitShare, KitUse, Member

KINDS = ("kit", "shares")
COLUMNS: dict[str, tuple[str, ...]] = {
    "kit": (
        "id", "created_at", "kind", "title", "text_fr", "text_en", "link", "tags",
        "categories", "expires_at", "retired_at", "file_type", "shares", "clicks", "used",
    ),
    "shares": (
        "id", "created_at", "item_id", "item_title", "member_id", "member_name", "category",
        "clicks",
    ),
}  # fmt: skip


def _clicks_of_share() -> Any:
    return select(func.count()).where(KitClick.share_id == KitShare.id).scalar_subquery()


def query(kind: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    """The rows' query, ``since`` on the item's or the link's creation."""
    if kind == "kit":
        shares = select(func.count()).where(KitShare.item_id == KitItem.id).scalar_subquery()
        clicks = (
            select(func.count())
            .select_from(KitClick)
            .join(KitShare, KitShare.id == KitClick.share_id)
            .where(KitShare.item_id == KitItem.id)
            .scalar_subquery()
        )
        used = select(func.count()).where(KitUse.item_id == KitItem.id).scalar_subquery()
        items = select(KitItem, shares, clicks, used)
        return items.where(KitItem.created_at >= since) if since else items
    rows = (
        select(KitShare, KitItem.title, Member, _clicks_of_share())
        .join(KitItem, KitItem.id == KitShare.item_id)
        .join(Member, Member.id == KitShare.member_id)
    )
    return rows.where(KitShare.created_at >= since) if since else rows


def key(kind: str) -> Any:
    return KitItem.id if kind == "kit" else KitShare.id


def _when(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat(sep=" ", timespec="seconds") if value else None


def row(kind: str, result: Any, zone: ZoneInfo) -> dict[str, Any]:
    if kind == "kit":
        item, shares, clicks, used = result
        return {
            "id": item.id, "created_at": _when(item.created_at, zone), "kind": item.kind.value,
            "title": item.title, "text_fr": item.text_fr, "text_en": item.text_en,
            "link": item.link, "tags": item.tags, "categories": item.categories,
            "expires_at": _when(item.expires_at, zone),
            "retired_at": _when(item.retired_at, zone), "file_type": item.file_type,
            "shares": int(shares or 0), "clicks": int(clicks or 0), "used": int(used or 0),
        }  # fmt: skip
    share, title, member, clicks = result
    return {
        "id": share.id, "created_at": _when(share.created_at, zone), "item_id": share.item_id,
        "item_title": title, "member_id": member.id, "member_name": member.display_name,
        "category": member.category, "clicks": int(clicks or 0),
    }  # fmt: skip
