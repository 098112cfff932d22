"""What counts as acting, and who is active, dormant or never activated: defined once.

Every surface that counts members' activity composes these expressions — ``/stats``, the
weekly posts and their charts, referents' digests, the nudge ladder, plan and campaign
results, ``/members`` and the member export — so that they cannot disagree. The same
definitions, in plain words, are in docs/coordinators.md ("Who is active").

- An **action** is a report (mention, opportunity signal, settlement) that was not
  rejected on review. Actions are what the numbers count: actions per week or by kind,
  "members who acted", the funnel. Anonymized reports of erased members still count.
- Being **present at an event** (checked in, or marked present by its organizer) is an
  action too: it counts among "members who acted" (the weekly shares, the funnel, the
  trend's actors), though not among the reports counted by kind.
- A **sign of life** is anything a member does for the network: a report (even one later
  rejected: the member was there), any answer to a plan's or campaign's call (*Done*,
  *I'm on it*, *Not for me*) or to an event (*Going*, *Maybe*, *Can't go*), a quiz
  answer (it proves presence, not advocacy: never an action), being present
  at an event, a meeting of two that took place, and a referent's or coordinator's
  own work (posting a plan, reviewing a mention, writing to a member from the digest
  or marking them contacted).
  ``Member.last_action_at`` holds the latest one, moved by :func:`sign_of_life`.
- **Never activated**: an active member imported from a spreadsheet who never claimed the
  account (no consent yet). They cannot be reached, so they are neither active nor
  dormant, and are never nudged.
- **Dormant**: any other active member with no sign of life for ``days`` days (the
  network's ``nudges.dormant_days``), counted from their joining when they have none.
  The nudge ladder is for dormant members; a spell of dormancy starts at
  :func:`spell_start`.
- **Active**: the remaining active members — a sign of life in the last ``days`` days, or
  joined since.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Attendance, MeetingPair, Member, MemberStatus, Report, Role

#: The window of the definitions when the network's setting is not at hand (its default).
DAYS = 30
REJECTED = "rejected"


class State(StrEnum):
    """Where an active member stands (see the module's definitions)."""

    ACTIVE = "active"
    DORMANT = "dormant"
    NEVER_ACTIVATED = "never_activated"


# -- actions ---------------------------------------------------------------------------


def is_action() -> ColumnElement[bool]:
    """Reports that are actions: all but mentions rejected on review."""
    return or_(Report.review.is_(None), Report.review != REJECTED)


def actions_between(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """Conditions on ``Report``: the actions made in ``[start, end)``."""
    return [is_action(), Report.created_at >= start, Report.created_at < end]


def attended_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Condition on ``Member``: they were present at an event in ``[start, end)``."""
    return (
        select(Attendance.id)
        .where(Attendance.member_id == Member.id, Attendance.at >= start, Attendance.at < end)
        .exists()
    )


def _in_pair() -> ColumnElement[bool]:
    return or_(MeetingPair.first_id == Member.id, MeetingPair.second_id == Member.id)


def met_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Condition on ``Member``: a meeting of two they were paired for took place (was
    confirmed) in ``[start, end)``."""
    return (
        select(MeetingPair.id)
        .where(_in_pair(), MeetingPair.met_at >= start, MeetingPair.met_at < end)
        .exists()
    )


def acted_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Condition on ``Member``: they made an action (a report, being present at an
    event, a meeting of two) in ``[start, end)``."""
    reported = (
        select(Report.id)
        .where(Report.member_id == Member.id, *actions_between(start, end))
        .exists()
    )
    return or_(reported, attended_between(start, end), met_between(start, end))


def acted_ever() -> ColumnElement[bool]:
    """Condition on ``Member``: they made an action once (the funnel's "acted once")."""
    reported = select(Report.id).where(Report.member_id == Member.id, is_action()).exists()
    attended = select(Attendance.id).where(Attendance.member_id == Member.id).exists()
    met = select(MeetingPair.id).where(_in_pair(), MeetingPair.met_at.is_not(None)).exists()
    return or_(reported, attended, met)


# -- signs of life ------------------------------------------------------------------------


def sign_of_life(member: Member, now: datetime) -> None:
    """Record that ``member`` did something for the network at ``now``: it starts their
    nudge ladder again and keeps them out of dormancy. Never moves the date back."""
    if member.last_action_at is None or member.last_action_at < now:
        member.last_action_at = now


def spell_start() -> ColumnElement[datetime]:
    """When the member's current quiet spell started: their last sign of life, else
    their joining."""
    return func.coalesce(Member.last_action_at, Member.joined_at)


# -- states -----------------------------------------------------------------------------


def never_activated() -> ColumnElement[bool]:
    """Active members imported and never claimed (no consent given yet)."""
    return and_(Member.status == MemberStatus.ACTIVE, Member.consent_at.is_(None))


def activated() -> ColumnElement[bool]:
    """Active members who claimed their account (joined themselves, or claimed an import)."""
    return and_(Member.status == MemberStatus.ACTIVE, Member.consent_at.is_not(None))


def dormant(at: datetime, days: int = DAYS) -> ColumnElement[bool]:
    """Activated members with no sign of life (nor joining) in the ``days`` before ``at``."""
    return and_(activated(), spell_start() <= at - timedelta(days=days))


def active(at: datetime, days: int = DAYS) -> ColumnElement[bool]:
    """Activated members with a sign of life (or their joining) in the last ``days``."""
    return and_(activated(), spell_start() > at - timedelta(days=days))


def state(at: datetime, days: int = DAYS) -> ColumnElement[str]:
    """The :class:`State` of an active member as a column (NULL for other statuses), for
    counting by state in one grouped query or showing it beside each member."""
    return case(
        (Member.status != MemberStatus.ACTIVE, None),
        (Member.consent_at.is_(None), State.NEVER_ACTIVATED.value),
        (spell_start() <= at - timedelta(days=days), State.DORMANT.value),
        else_=State.ACTIVE.value,
    )


async def dormant_leads(session: AsyncSession, at: datetime, days: int = DAYS) -> list[Member]:
    """Dormant referents and coordinators, longest quiet first: they are never listed in
    a digest of their own, so coordinators are told of them (``/stats``)."""
    rows = await session.scalars(
        select(Member)
        .where(dormant(at, days), Member.role.in_([Role.REFERENT, Role.COORDINATOR]))
        .order_by(spell_start(), Member.id)
    )
    return list(rows)
