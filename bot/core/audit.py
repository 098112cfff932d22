"""The audit log: every privileged action leaves a line (who, what, on whom, when)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.models import AuditEntry


def record(
    session: AsyncSession,
    clock: Clock,
    *,
    actor_id: int | None,
    action: str,
    target_member_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry in the caller's transaction, so it exists exactly when the action does.
    Its id (after a flush) names the action, e.g. in the key of the message it causes."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target_member_id=target_member_id,
        details=details,
        created_at=clock.now(),
    )
    session.add(entry)
    return entry
