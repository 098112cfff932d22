"""Whom a plan or a campaign run addresses: the one rule read by the answer buttons, a
call's results, /plans and the desk's plan pages, the referents' digest and campaign
progress.

A call is meant for the active members of the categories it names (every category when
it names none), other than the network's coordinators and its author: they run calls,
they are not asked to act on them. Among those, members imported from a spreadsheet who
never claimed their account (:func:`bot.activity.engagement.never_activated`) cannot be
reached yet: they are counted apart, as are the coordinators and the author, never
silently included.

Only a member a call addresses may answer it, and only a call that went out: a plan that
exists, a campaign run that happened (not run 0, not a scheduled campaign not sent yet).
A button seen in a shared channel, or a forged payload, earns nothing for anyone else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.animation.calls import Choice, Subject
from bot.animation.campaigns import find_run
from bot.models import (
    ActionPlan,
    Answer,
    Campaign,
    CampaignStatus,
    Member,
    MemberStatus,
    Role,
)


@dataclass(frozen=True, slots=True)
class Call:
    """What a plan or a run addressed: its categories (empty: all) and its author."""

    categories: tuple[str, ...]
    author_id: int | None

    def names(self, category: str) -> bool:
        return not self.categories or category in self.categories


class Refusal(StrEnum):
    """Why a press on an answer button counts nothing."""

    #: No such plan, or no such run of the campaign (yet).
    GONE = "gone"
    CANCELLED = "cancelled"
    #: The call did not address the presser.
    NOT_ADDRESSED = "not_addressed"


async def call_of(session: AsyncSession, subject: Subject) -> Call | Refusal:
    """The call a subject names, if it went out."""
    if subject.plan_id is not None:
        plan = await session.get(ActionPlan, subject.plan_id)
        if plan is None:
            return Refusal.GONE
        return Call(categories=(plan.category,), author_id=plan.author_id)
    assert subject.campaign_id is not None
    campaign = await session.get(Campaign, subject.campaign_id)
    if campaign is None:
        return Refusal.GONE
    if campaign.status is CampaignStatus.CANCELLED:
        return Refusal.CANCELLED
    run = await find_run(session, campaign.id, subject.occurrence)
    if run is None:
        return Refusal.GONE
    return Call(categories=tuple(run.categories), author_id=campaign.author_id)


def addresses(call: Call, member: Member) -> bool:
    """Whether ``call`` addresses ``member`` (in Python, for one member)."""
    return (
        member.status is MemberStatus.ACTIVE
        and call.names(member.category)
        and member.role is not Role.COORDINATOR
        and member.id != call.author_id
    )


async def may_answer(session: AsyncSession, member: Member, subject: Subject) -> Refusal | None:
    """None when ``member`` may answer ``subject``; else why not."""
    call = await call_of(session, subject)
    if isinstance(call, Refusal):
        return call
    return None if addresses(call, member) else Refusal.NOT_ADDRESSED


def _in_categories(call: Call, categories: Sequence[str]) -> ColumnElement[bool]:
    wanted = [key for key in categories if call.names(key)]
    return Member.category.in_(wanted)


def _staff(call: Call) -> ColumnElement[bool]:
    author = Member.id == call.author_id if call.author_id is not None else None
    coordinator = Member.role == Role.COORDINATOR
    return or_(coordinator, author) if author is not None else coordinator


def _claimed() -> ColumnElement[bool]:
    """Claimed their account: the complement of "never activated", defined once."""
    return engagement.activated()


def addressed(call: Call, categories: Sequence[str]) -> list[ColumnElement[bool]]:
    """The conditions on ``Member`` of the members ``call`` addresses and can reach,
    within ``categories`` (the ones a viewer may see)."""
    return [
        Member.status == MemberStatus.ACTIVE,
        _in_categories(call, categories),
        not_(_staff(call)),
        _claimed(),
    ]


@dataclass
class Reach:
    """Per category: the members a call addresses and can reach (``targeted``); apart,
    the addressed imports who never joined and the coordinators or author in it."""

    targeted: dict[str, int] = field(default_factory=dict)
    unclaimed: int = 0
    staff: int = 0

    @property
    def total(self) -> int:
        return sum(self.targeted.values())


async def reach(
    session: AsyncSession,
    call: Call,
    categories: Sequence[str],
    narrower: Sequence[ColumnElement[bool]] = (),
) -> Reach:
    """How many members ``call`` addresses in ``categories``, and who is counted apart;
    ``narrower``: a campaign's segments (:mod:`bot.animation.segments`)."""
    found = Reach(targeted=dict.fromkeys(categories, 0))
    staff = _staff(call)
    claimed = _claimed()
    rows = await session.execute(
        select(
            Member.category,
            func.count().filter(and_(not_(staff), claimed)),
            func.count().filter(and_(not_(staff), not_(claimed))),
            func.count().filter(staff),
        )
        .where(Member.status == MemberStatus.ACTIVE, _in_categories(call, categories), *narrower)
        .group_by(Member.category)
    )
    for category, targeted, unclaimed, apart in rows:
        found.targeted[category] = int(targeted)
        found.unclaimed += int(unclaimed)
        found.staff += int(apart)
    return found


@dataclass(frozen=True, slots=True)
class Respondent:
    member_id: int
    display_name: str
    category: str
    choice: Choice
    #: When they gave the answer they hold now (pressing another button changes it).
    changed_at: datetime


async def respondents(
    session: AsyncSession, subject: str, call: Call, categories: Sequence[str]
) -> list[Respondent]:
    """The answers to ``subject`` that count: from members of ``categories`` the call
    addresses (whatever their status now), by answer, then name. Results and /plans
    both count these."""
    rows = await session.execute(
        select(Member.id, Member.display_name, Member.category, Answer.answer, Answer.changed_at)
        .join(Member, Member.id == Answer.member_id)
        .where(Answer.subject == subject, _in_categories(call, categories), not_(_staff(call)))
        .order_by(Answer.answer, Member.display_name, Member.id)
    )
    return [Respondent(m, name, cat, Choice(a), at) for m, name, cat, a, at in rows]


@dataclass(frozen=True, slots=True)
class Silent:
    """Members a call addresses and can reach who have not answered it: how many, and
    the first of them by name."""

    total: int
    members: list[tuple[int, str, str]]


async def silent(
    session: AsyncSession, subject: str, call: Call, categories: Sequence[str], limit: int
) -> Silent:
    """The targeted members (:func:`addressed`, what results count as targeted) of
    ``categories`` without an answer to ``subject``: (number, name, category) of the
    first ``limit`` by name, and how many in all — a category of thousands would not fit
    on a page, and the count must not depend on how many are shown."""
    answered = exists().where(Answer.subject == subject, Answer.member_id == Member.id)
    conditions = [*addressed(call, categories), not_(answered)]
    total = await session.scalar(select(func.count()).select_from(Member).where(*conditions))
    rows = await session.execute(
        select(Member.id, Member.display_name, Member.category)
        .where(*conditions)
        .order_by(Member.display_name, Member.id)
        .limit(limit)
    )
    return Silent(int(total or 0), [(m, name, category) for m, name, category in rows])


async def answer_counts(
    session: AsyncSession, wanted: Mapping[str, tuple[Call, Sequence[str]]]
) -> dict[str, dict[str, int]]:
    """subject → answer → how many, for several calls at once (subject → its call and the
    categories counted), in one query: the answers :func:`respondents` lists, counted."""
    counts: dict[str, dict[str, int]] = {subject: {} for subject in wanted}
    if not wanted:
        return counts
    counted = or_(
        *(
            and_(Answer.subject == subject, _in_categories(call, categories), not_(_staff(call)))
            for subject, (call, categories) in wanted.items()
        )
    )
    rows = await session.execute(
        select(Answer.subject, Answer.answer, func.count())
        .join(Member, Member.id == Answer.member_id)
        .where(counted)
        .group_by(Answer.subject, Answer.answer)
    )
    for subject, answer, n in rows:
        counts[subject][answer] = int(n)
    return counts
