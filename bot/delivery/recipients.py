"""Where a member is reached in private: the one rule every private message follows.

A person may have identities on several platforms; a private message goes to exactly
one of them, so nobody is told the same thing twice. The choice, per member:

1. only identities with a private chat, on a platform running in this process, that the
   platform has not refused (``unreachable_at`` empty: DMs open, bot not blocked), and
   not waiting for the confirmation of a role reached through a link;
2. among them, the member's preferred platform (``Member.preferred_platform``, chosen
   with ``/platform``) when it is one of them;
3. otherwise — no preference, or the preferred one is unreachable or not running — the
   platform where the member last wrote to the bot in private, then the oldest identity.

Members without such an identity (who never opened the bot, blocked it everywhere, or
were forgotten) are not contacted. Nudges, campaign DMs, plan reminders, digests and
desk notifications all ask here; when a delivery is refused anyway, :mod:`bot.delivery.reach`
queues it again for the next platform this rule picks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.batching import chunked
from bot.core.port import Address
from bot.models import Identity, Member, MemberStatus, Role


@dataclass(frozen=True, slots=True)
class Recipient:
    member_id: int
    language: str
    address: Address


async def private_recipients(
    session: AsyncSession,
    member_ids: Iterable[int],
    platforms: Collection[str],
    *,
    excluding: Collection[str] = (),
) -> list[Recipient]:
    """One private address per reachable member, in member id order (see the module's
    rule); ``excluding`` leaves platforms out (the one that just refused a message).
    Ids are looked up in pieces: PostgreSQL takes at most 32,767 parameters.

    The platforms are filtered here, not in SQL: SQLite (no statistics) would read the
    ``(platform, user_id)`` index over every identity of the platform for each piece —
    a scan of the whole table per page of a campaign — instead of probing each member's
    identities (a member has one or two)."""
    allowed = set(platforms) - set(excluding)
    ids = sorted(set(member_ids))
    if not ids or not allowed:
        return []
    best: dict[int, tuple[tuple[int, float, int], Recipient]] = {}
    for chunk in chunked(ids):
        rows = await session.execute(
            select(
                Member.id,
                Member.language,
                Member.preferred_platform,
                Identity.id,
                Identity.platform,
                Identity.private_chat_id,
                Identity.last_private_at,
            )
            .join(Identity, Identity.member_id == Member.id)
            .where(
                Member.id.in_(chunk),
                # The piece's span (ids are sorted), so PostgreSQL reads the identities
                # of that span from their index instead of hashing the whole table.
                Identity.member_id.between(chunk[0], chunk[-1]),
                Member.status != MemberStatus.FORGOTTEN,
                *reachable(),
            )
        )
        for member_id, language, preferred, identity_id, platform, chat_id, seen in rows:
            if chat_id is None or platform not in allowed:
                continue
            order = rank(platform, preferred, seen, identity_id)
            current = best.get(member_id)
            if current is None or order < current[0]:
                address = Address(platform, chat_id)
                best[member_id] = (order, Recipient(member_id, language, address))
    return [best[member_id][1] for member_id in sorted(best)]


def reachable() -> list[ColumnElement[bool]]:
    """An identity a private message may go to, whatever its platform (point 1 of the
    rule, the platforms aside): for queries that join identities themselves. An account
    whose link still waits for the role's confirmation gets none: what a coordinator or a
    referent is sent is not for an account that may be a stranger's."""
    return [
        Identity.private_chat_id.is_not(None),
        Identity.unreachable_at.is_(None),
        Identity.role_confirmed.is_(True),
    ]


def rank(
    platform: str, preferred: str | None, seen: datetime | None, identity_id: int
) -> tuple[int, float, int]:
    """An identity's place in the choice among a member's reachable ones (points 2 and
    3 of the rule); lower sorts first: the preferred platform, the latest private use,
    the oldest identity."""
    return (0 if platform == preferred else 1, -_stamp(seen), identity_id)


def _stamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("-inf")


async def private_addresses(
    session: AsyncSession, member_ids: Iterable[int], platforms: Collection[str]
) -> dict[int, Address]:
    """Member id → where a private message to them goes (same rule)."""
    found = await private_recipients(session, member_ids, platforms)
    return {recipient.member_id: recipient.address for recipient in found}


async def coordinator_recipients(
    session: AsyncSession, platforms: Collection[str]
) -> list[Recipient]:
    """Every active coordinator reachable in private."""
    ids = await session.scalars(
        select(Member.id).where(
            Member.role == Role.COORDINATOR, Member.status == MemberStatus.ACTIVE
        )
    )
    return await private_recipients(session, ids, platforms)
