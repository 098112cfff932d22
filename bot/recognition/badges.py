"""Badges: milestones declared in ``[recognition] badges`` (first report, ten mentions,
an event attended, a year in the network...), earned once each, and the ambassador-of-
the-month titles (:mod:`bot.recognition.monthly`) kept in the same table.

Each rule is one grouped query over what members did; the job inserts what is new with
``ON CONFLICT DO NOTHING`` on ``(member, badge)``, so a re-run, another process or a
member who earns it twice over gains nothing, and only a new row is told to its member.
Rejected mentions do not count. :func:`badges_of` is what /me (and the member card) show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.engagement import REJECTED
from bot.core.config import BadgeKind, BadgeRule, Settings
from bot.core.db import insert_ignoring_conflicts
from bot.core.i18n import N_, Translator
from bot.models import (
    Attendance,
    BadgeEarned,
    Member,
    MemberStatus,
    ReferentCategory,
    Report,
    ReportKind,
    SignalStage,
)
from bot.recognition._tell import privately

EARNED = N_("New badge: {badge}!")
MONTHLY = N_("Ambassador of the month ({month})")
MONTHLY_IN = N_("Ambassador of the month — {category} ({month})")
#: Badges awarded per rule and run at most; the next run takes the rest.
BATCH = 500
YEAR = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class EarnedBadge:
    """A badge a member holds: ``key`` is a ``[recognition] badges`` key, or
    ``month:<yyyy-mm>:<scope>`` (scope ``all`` or a category key)."""

    key: str
    earned_at: datetime

    def label(self, settings: Settings, translator: Translator, language: str) -> str:
        """The badge's name in ``language`` (a badge removed from the config keeps its key)."""
        if self.key.startswith("month:"):
            _prefix, month, scope = self.key.split(":", 2)
            shown = f"{month[5:]}/{month[:4]}"
            category = settings.category(scope)
            if category is None:
                return translator.gettext(language, MONTHLY, month=shown)
            return translator.gettext(
                language, MONTHLY_IN, category=category.name.get(language), month=shown
            )
        rule = next((rule for rule in settings.recognition.badges if rule.key == self.key), None)
        return rule.name.get(language) if rule is not None else self.key


async def badges_of(session: AsyncSession, member_id: int) -> list[EarnedBadge]:
    """The badges a member holds, oldest first."""
    rows = await session.execute(
        select(BadgeEarned.badge, BadgeEarned.earned_at)
        .where(BadgeEarned.member_id == member_id)
        .order_by(BadgeEarned.earned_at, BadgeEarned.id)
    )
    return [EarnedBadge(badge, at) for badge, at in rows.all()]


def _counted(rule: BadgeRule, now: datetime) -> Select[Any]:
    """Member ids that meet ``rule``."""
    count = rule.count
    if rule.kind is BadgeKind.YEARS:
        return select(Member.id).where(Member.joined_at <= now - YEAR * count)
    if rule.kind is BadgeKind.REFERENT_YEARS:
        return (
            select(ReferentCategory.member_id)
            .where(ReferentCategory.appointed_at <= now - YEAR * count)
            .distinct()
        )
    if rule.kind is BadgeKind.EVENTS:
        return (
            select(Attendance.member_id)
            .group_by(Attendance.member_id)
            .having(func.count(Attendance.id) >= count)
        )
    query = select(Report.member_id).group_by(Report.member_id)
    query = query.having(func.count(Report.id) >= count)
    if rule.kind is BadgeKind.MENTIONS:
        query = query.where(Report.kind == ReportKind.MENTION)
    elif rule.kind is BadgeKind.SIGNALS:
        query = query.where(Report.kind == ReportKind.SIGNAL)
    elif rule.kind is BadgeKind.WON_SIGNALS:
        query = query.where(Report.kind == ReportKind.SIGNAL, Report.stage == SignalStage.WON)
    return query.where(or_(Report.review.is_(None), Report.review != REJECTED))


async def award_badges(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Grant every badge newly deserved and tell its member; returns how many."""
    told = 0
    for rule in settings.recognition.badges:
        held = select(BadgeEarned.member_id).where(BadgeEarned.badge == rule.key)
        members = await session.scalars(
            select(Member.id)
            .where(
                Member.id.in_(_counted(rule, now)),
                Member.id.not_in(held),
                Member.status == MemberStatus.ACTIVE,
            )
            .order_by(Member.id)
            .limit(BATCH)
        )
        for member_id in list(members):
            if await grant(session, member_id, rule.key, now):
                told += await tell_badge(
                    session, settings, translator, member_id, EarnedBadge(rule.key, now),
                    platforms=platforms, now=now,
                )  # fmt: skip
    return told


async def grant(session: AsyncSession, member_id: int, badge: str, now: datetime) -> bool:
    """Record a badge; False when the member already had it."""
    inserted = await session.execute(
        insert_ignoring_conflicts(session, BadgeEarned, on=("member_id", "badge")).values(
            member_id=member_id, badge=badge, earned_at=now
        )
    )
    return bool(inserted.rowcount)  # type: ignore[attr-defined]


async def tell_badge(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    member_id: int,
    badge: EarnedBadge,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    def render(language: str) -> str:
        name = badge.label(settings, translator, language)
        return translator.gettext(language, EARNED, badge=name)

    await privately(
        session, now=now, platforms=platforms, member_id=member_id,
        key=f"badge:{member_id}:{badge.key}", render=render,
    )  # fmt: skip
    return 1
