"""Their use of the ambassador's kit: their personal tracked links (one per item they
shared) with the clicks counted on them, and the items they said they used.

``/mydata`` shows each link's item and date with its number of clicks (a click is a keyed
daily hash of a visitor, never who clicked), and the items they used. ``/forget`` deletes
the links and their clicks (the links then answer 404) and the uses; the items are the
network's material and stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import KitClick, KitShare, KitUse, Member

ERASES = {
    "kit_shares": "deleted: a personal link leads to them; it stops working",
    "kit_clicks": "deleted with their links: the clicks counted on them",
    "kit_uses": "deleted: the count of members who used an item loses them",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    shares = await session.execute(
        select(KitShare.item_id, KitShare.created_at, func.count(KitClick.id))
        .outerjoin(KitClick, KitClick.share_id == KitShare.id)
        .where(KitShare.member_id == member.id)
        .group_by(KitShare.id, KitShare.item_id, KitShare.created_at)
        .order_by(KitShare.id)
    )
    uses = await session.scalars(
        select(KitUse).where(KitUse.member_id == member.id).order_by(KitUse.id)
    )
    return {
        "kit_shares": [
            {"item": item_id, "at": when(at), "unique_clicks": int(clicks)}
            for item_id, at, clicks in shares
        ],
        "kit_used": [{"item": use.item_id, "at": when(use.created_at)} for use in uses],
    }


async def erase(erasure: Erasure) -> None:
    session, member_id = erasure.session, erasure.member.id
    shares = select(KitShare.id).where(KitShare.member_id == member_id)
    await session.execute(delete(KitClick).where(KitClick.share_id.in_(shares)))
    await session.execute(delete(KitShare).where(KitShare.member_id == member_id))
    await session.execute(delete(KitUse).where(KitUse.member_id == member_id))
