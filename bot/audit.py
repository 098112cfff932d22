"""The audit trail of privileged actions: who did what to which record, when.

Handlers and CLI commands call :func:`record` in the same transaction as the action, so
an action and its audit entry are written together or not at all. Details carry ids and
codes only: the trail must not become a second copy of personal data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    target: str,
    now: datetime,
    **details: object,
) -> AuditEntry:
    """Add an audit entry to the open transaction (flushed with the action)."""
    entry = AuditEntry(
        actor_id=actor_id, action=action, target=target, details=dict(details), created_at=now
    )
    session.add(entry)
    return entry
