"""A desk form sent twice does its work once: each form carries a one-time ``draft``
token, and the audit entry its first sending wrote names it (``form=``). The composers
(campaigns, plans) look it up under the author's locked row before writing again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditEntry
from bot.web.desk.access import Desk

#: How far back a resent form's token is looked for.
RESEND_WINDOW = timedelta(days=1)


async def already_done(
    session: AsyncSession, desk: Desk, token: str, action: str, key: str
) -> int | None:
    """The number (the audit entry's ``key`` detail) of what this form's ``token``
    already did as ``action``, if it was sent before; None for a first sending."""
    since = desk.context.clock.now() - RESEND_WINDOW
    entries = await session.scalars(
        select(AuditEntry).where(
            AuditEntry.actor_id == desk.member.id,
            AuditEntry.action == action,
            AuditEntry.created_at >= since,
        )
    )
    for entry in entries:
        if entry.details.get("form") == token:
            return int(entry.details[key])
    return None
