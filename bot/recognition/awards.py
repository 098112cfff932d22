"""Points by hand: a coordinator, or a referent for their own categories within
``[recognition] referent_award_cap``, credits a member for an offline act (a stand held,
a delegation welcomed) with a reason.

The award is a row (who, whom, how many, why) and a ledger entry keyed ``award:<id>``;
neither is ever edited. The caller writes the audit entry and tells the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.members import roles
from bot.models import Member, MemberStatus, PointsAward, PointsEntry, Role

REASON = "award"
REASON_MAX = 300


class Refusal(StrEnum):
    NOT_ACTIVE = "not_active"  # the member is not active
    OUTSIDE = "outside"  # a referent outside their categories
    OVER_CAP = "over_cap"  # more than the caller may award at once
    NO_REASON = "no_reason"


@dataclass(frozen=True, slots=True)
class Outcome:
    award: PointsAward | None
    refusal: Refusal | None = None
    cap: int = 0


def cap_of(settings: Settings, actor: Member) -> int:
    limits = settings.recognition
    if actor.role is Role.COORDINATOR:
        return limits.award_max
    return min(limits.referent_award_cap, limits.award_max)


async def award(
    session: AsyncSession,
    settings: Settings,
    *,
    actor: Member,
    target: Member,
    points: int,
    reason: str,
    now: datetime,
) -> Outcome:
    """Credit ``points`` (1 to the caller's cap) to ``target``, or say why not."""
    cap = cap_of(settings, actor)
    reason = " ".join(reason.split())[:REASON_MAX]
    if not reason:
        return Outcome(None, Refusal.NO_REASON, cap)
    if target.status is not MemberStatus.ACTIVE:
        return Outcome(None, Refusal.NOT_ACTIVE, cap)
    if not await roles.speaks_for(session, actor, target.category):
        return Outcome(None, Refusal.OUTSIDE, cap)
    if not 1 <= points <= cap:
        return Outcome(None, Refusal.OVER_CAP, cap)
    row = PointsAward(
        member_id=target.id, awarded_by=actor.id, points=points, reason=reason, created_at=now
    )
    session.add(row)
    await session.flush()
    session.add(
        PointsEntry(
            member_id=target.id, points=points, reason=REASON, unique_key=f"award:{row.id}",
            created_at=now,
        )
    )  # fmt: skip
    await session.flush()
    return Outcome(row)
