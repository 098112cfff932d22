"""Where each imported member stands with their invitation: for ``relais export
invitations`` (the agency's own mail-merge or printing, and the follow-up).

One row per imported member (erased ones left out): name, language, category, address,
the invitation code and the personal links while the account is unclaimed; invited (first
and last time, how many), bounced, unsubscribed; claimed (when, and on which platform:
their first account). An unclaimed member is what ``/stats`` calls *never activated*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import EmailAddress, Identity, Member, MemberStatus

COLUMNS = (
    "id", "name", "language", "category", "email", "code", "telegram_link",
    "discord_command", "first_invited_at", "invited_at", "invitations", "bounced_at",
    "unsubscribed_at", "claimed_at", "claimed_on",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClaimLinks:
    """How to claim: Telegram's link prefix, and Discord's ``/start code:`` per language."""

    telegram: str | None = None
    discord: dict[str, str] = field(default_factory=dict)


def query() -> Select[Any]:
    first_platform = (
        select(Identity.platform)
        .where(Identity.member_id == Member.id)
        .order_by(Identity.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Member, EmailAddress, first_platform)
        .outerjoin(EmailAddress, EmailAddress.member_id == Member.id)
        .where(Member.import_key.is_not(None), Member.status != MemberStatus.FORGOTTEN)
    )


def _when(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat(sep=" ", timespec="seconds") if value else None


def row(result: Any, zone: ZoneInfo, links: ClaimLinks) -> dict[str, Any]:
    member, state, platform = result
    code = member.invite_code if member.consent_at is None else None
    discord = links.discord.get(member.language) or links.discord.get("en")
    return {
        "id": member.id, "name": member.display_name, "language": member.language,
        "category": member.category, "email": member.email, "code": code,
        "telegram_link": f"{links.telegram}{code}" if code and links.telegram else None,
        "discord_command": f"{discord}{code}" if code and discord else None,
        "first_invited_at": _when(state.first_invited_at if state else None, zone),
        "invited_at": _when(state.invited_at if state else None, zone),
        "invitations": state.invitations if state else 0,
        "bounced_at": _when(state.unreachable_at if state else None, zone),
        "unsubscribed_at": _when(state.unsubscribed_at if state else None, zone),
        "claimed_at": _when(member.consent_at, zone), "claimed_on": platform,
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Summary:
    """Where the imported members stand, for coordinators' ``/stats``."""

    imported: int
    claimed: int
    invited: int
    bounced: int
    unsubscribed: int
    without_email: int


async def summary(session: AsyncSession) -> Summary:
    """Imported members (erased ones left out) by invitation outcome, in one query."""
    unclaimed = Member.consent_at.is_(None)
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(~unclaimed),
                func.count().filter(func.coalesce(EmailAddress.invitations, 0) > 0),
                func.count().filter(EmailAddress.unreachable_at.is_not(None)),
                func.count().filter(EmailAddress.unsubscribed_at.is_not(None)),
                func.count().filter(unclaimed, Member.email.is_(None)),
            )
            .select_from(Member)
            .outerjoin(EmailAddress, EmailAddress.member_id == Member.id)
            .where(Member.import_key.is_not(None), Member.status == MemberStatus.ACTIVE)
        )
    ).one()
    imported, claimed, invited, bounced, unsubscribed, without = (int(n) for n in row)
    return Summary(imported, claimed, invited, bounced, unsubscribed, without)
