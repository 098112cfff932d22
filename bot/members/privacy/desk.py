"""The web desk: their desk sessions (one per browser they signed in with: the account,
role, how, when opened, until when, when signed out), their sign-in links, and what
coordinators wrote about them there.

``/mydata`` shows the sessions and the coordinators' notes about them. ``/forget`` (and
the purge of old applicants) signs them out of every browser and voids their links, and
``/forget`` deletes the notes about them; notes they wrote as a coordinator stay, signed
by an erased member.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import CoordinatorNote, DeskLink, DeskSession, Member

ERASES = {
    "desk_links": "deleted: their sign-in links stop working",
    "desk_sessions": "deleted: signed out of every browser",
    "coordinator_notes": "the notes about them deleted; notes they wrote stay, signed by an "
    "erased member",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    notes = await session.scalars(
        select(CoordinatorNote)
        .where(CoordinatorNote.member_id == member.id)
        .order_by(CoordinatorNote.id)
    )
    desk_sessions = await session.scalars(
        select(DeskSession).where(DeskSession.member_id == member.id).order_by(DeskSession.id)
    )
    return {
        "coordinator_notes": [
            {"text": n.text, "by": n.author_id, "at": when(n.created_at)} for n in notes
        ],
        "desk_sessions": [
            {
                "via": d.via,
                "role": d.role.value,
                "signed_in_at": when(d.created_at),
                "expires_at": when(d.expires_at),
                "signed_out_at": when(d.revoked_at),
            }
            for d in desk_sessions
        ],
    }


async def erase(erasure: Erasure) -> None:
    session, member_id = erasure.session, erasure.member.id
    await sign_out(session, [member_id])
    await session.execute(delete(CoordinatorNote).where(CoordinatorNote.member_id == member_id))


async def sign_out(session: AsyncSession, member_ids: Sequence[int]) -> None:
    """Sign these members out of the desk everywhere; their sign-in links stop working."""
    for desk in (DeskLink, DeskSession):
        await session.execute(delete(desk).where(desk.member_id.in_(member_ids)))
