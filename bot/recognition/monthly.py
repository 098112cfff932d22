"""The ambassador of the month: per category and overall, the active member with the
most points in the month just ended (network time zone); between equals, the one who
reached that total first (their last entry of the month came earliest), then the oldest
member number.

Decided once per month and scope (``monthly_ambassadors`` is unique on both), at the
first run after the month ends — the 1st, or later after a stop — so a re-run, a second
process or a clock moved back and forth changes nothing. The winner gets the badge
``month:<yyyy-mm>:<scope>`` and a private word; the channel post names them only if they
chose to appear under their name in leaderboards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.core.i18n import N_, Translator
from bot.core.periods import month_start
from bot.delivery import channels
from bot.models import Member, MemberStatus, MonthlyAmbassador, PointsEntry, Visibility
from bot.recognition._tell import in_channel
from bot.recognition.badges import EarnedBadge, grant, tell_badge

ALL = "all"
ANONYMOUS = N_("Anonymous ambassador")


class _Words:
    """The network's language bound, so that plural messages read (and are extracted)
    as ``words.ngettext(singular, plural, n)``."""

    def __init__(self, translator: Translator, language: str) -> None:
        self.translator, self.language = translator, language

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self.translator.ngettext(self.language, singular, plural, n, **values)


def previous_month(now: datetime, timezone: str) -> tuple[str, datetime, datetime]:
    """The month before ``now``'s: its ``yyyy-mm`` and its bounds in UTC."""
    end = month_start(now, timezone)
    start = month_start(end - timedelta(days=1), timezone)
    label = start.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")
    return label, start, end


async def winner(
    session: AsyncSession, start: datetime, end: datetime, category: str | None
) -> tuple[Member, int] | None:
    total = func.sum(PointsEntry.points)
    query = (
        select(PointsEntry.member_id, total.label("total"))
        .join(Member, Member.id == PointsEntry.member_id)
        .where(
            PointsEntry.created_at >= start,
            PointsEntry.created_at < end,
            Member.status == MemberStatus.ACTIVE,
        )
        .group_by(PointsEntry.member_id)
        .having(total > 0)
        .order_by(total.desc(), func.max(PointsEntry.created_at), PointsEntry.member_id)
        .limit(1)
    )
    if category is not None:
        query = query.where(Member.category == category)
    row = (await session.execute(query)).first()
    if row is None:
        return None
    member = await session.get(Member, row[0])
    return (member, int(row[1])) if member is not None else None


async def decide_last_month(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Decide and announce last month's ambassadors not decided yet; returns how many."""
    if not settings.recognition.ambassador_of_the_month:
        return 0
    zone = settings.network.timezone
    month, start, end = previous_month(now, zone)
    decided = set(
        await session.scalars(
            select(MonthlyAmbassador.scope).where(MonthlyAmbassador.month == month)
        )
    )
    scopes = [ALL] + [category.key for category in settings.categories]
    announced = 0
    for scope in scopes:
        if scope in decided:
            continue
        found = await winner(session, start, end, None if scope == ALL else scope)
        inserted = await session.execute(
            insert_ignoring_conflicts(session, MonthlyAmbassador, on=("month", "scope")).values(
                month=month, scope=scope, member_id=found[0].id if found else None,
                points=found[1] if found else 0, decided_at=now,
            )
        )  # fmt: skip
        if not inserted.rowcount or found is None:  # type: ignore[attr-defined]
            continue
        member, points = found
        badge = EarnedBadge(f"month:{month}:{scope}", now)
        if await grant(session, member.id, badge.key, now):
            await tell_badge(
                session, settings, translator, member.id, badge, platforms=platforms, now=now
            )
        await _post(session, settings, translator, member, points, month, scope, platforms, now)
        announced += 1
    return announced


async def _post(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    member: Member,
    points: int,
    month: str,
    scope: str,
    platforms: Sequence[str],
    now: datetime,
) -> None:
    language = settings.network.default_language
    words = _Words(translator, language)
    named = member.visibility is Visibility.NAME
    name = member.display_name if named else translator.gettext(language, ANONYMOUS)
    shown = f"{month[5:]}/{month[:4]}"
    category = settings.category(scope)
    if category is None:
        text = words.ngettext(
            "Ambassador of the month ({month}): {name}, with {n} point. Congratulations!",
            "Ambassador of the month ({month}): {name}, with {n} points. Congratulations!",
            points, month=shown, name=name,
        )  # fmt: skip
        where = channels.GENERAL
    else:
        text = words.ngettext(
            "Ambassador of the month ({month}) for {category}: {name}, with {n} point. "
            "Congratulations!",
            "Ambassador of the month ({month}) for {category}: {name}, with {n} points. "
            "Congratulations!",
            points, month=shown, category=category.name.get(language), name=name,
        )  # fmt: skip
        where = channels.category_scope(scope)
    await in_channel(
        session, settings, now=now, platforms=platforms, scope=where,
        key=f"month:{month}:{scope}", text=text, subjects=[member.id] if named else [],
    )  # fmt: skip
