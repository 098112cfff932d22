"""What was done about them: the audit log's entries naming them as the target of a
privileged action (approvals, roles, moves, erasure).

``/mydata`` shows them. ``/forget`` keeps them and adds its own: the log is the network's
record of who did what, never updated or deleted, and it holds ids and choices, never a
name or a text; the entries point to the anonymous husk.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit
from bot.members.privacy._kind import Erasure, when
from bot.models import AuditEntry, Member

ERASES: dict[str, str] = {}
KEEPS = {
    "audit_entries": "the record of who did what, by ids, never updated or deleted; the "
    "erasure itself is recorded",
}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    entries = await session.scalars(
        select(AuditEntry).where(AuditEntry.target_member_id == member.id).order_by(AuditEntry.id)
    )
    return {
        "audit": [
            {
                "action": e.action,
                "by": e.actor_id,
                "details": e.details,
                "at": when(e.created_at),
            }
            for e in entries
        ],
    }


async def erase(erasure: Erasure) -> None:
    member = erasure.member
    audit.record(
        erasure.session,
        erasure.clock,
        actor_id=erasure.actor_id,
        action="member.forget",
        target_member_id=member.id,
        on_request_of="self" if erasure.actor_id == member.id else "coordinator",
    )
