"""Level-ups: a member whose all-time points reach a level is told, once, what it brings.

Levels have no key but their threshold (``[[levels]] points``), so a reached level is
stored as ``(member, threshold)``, unique. Whichever path added the points (reports,
reviews, events, awards by hand), the job compares each total with the levels already
recorded; two reports crossing a threshold at once, two processes or a re-run insert one
row between them, and only the insert that made the row announces it. A member who
crosses several levels at once hears about the highest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Level, Settings
from bot.core.db import insert_ignoring_conflicts
from bot.core.i18n import N_, Translator
from bot.delivery import channels
from bot.members import role_sync
from bot.models import LevelReached, Member, MemberStatus, MemberTotal, Visibility
from bot.recognition._tell import in_channel, privately

REACHED = N_("Congratulations, you are now {level}!")
REACHED_CHANNEL = N_("Congratulations to {name}, now {level}!")
#: Members reached per run at most; the next minute takes the rest.
BATCH = 500


def level_of(levels: Sequence[Level], points: int) -> Level:
    return [level for level in levels if level.points <= points][-1]


async def announce_level_ups(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Record and announce every level reached since the last run; returns how many
    members were told."""
    levels = [level for level in settings.levels if level.points > 0]
    if not levels:
        return 0
    steps = [(MemberTotal.points >= level.points, literal(level.points)) for level in levels]
    threshold = case(*reversed(steps), else_=literal(0))
    recorded = (
        select(LevelReached.member_id, func.max(LevelReached.level).label("top"))
        .group_by(LevelReached.member_id)
        .subquery()
    )
    rows = await session.execute(
        select(Member, MemberTotal.points)
        .join(MemberTotal, MemberTotal.member_id == Member.id)
        .outerjoin(recorded, recorded.c.member_id == Member.id)
        .where(
            Member.status == MemberStatus.ACTIVE,
            MemberTotal.points >= levels[0].points,
            threshold > func.coalesce(recorded.c.top, 0),
        )
        .order_by(Member.id)
        .limit(BATCH)
    )
    told = 0
    for member, points in rows.all():
        told += await _reach(session, settings, translator, member, points, platforms, now)
    return told


async def _reach(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    member: Member,
    points: int,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    new: list[Level] = []
    for level in settings.levels:
        if level.points == 0 or level.points > points:
            continue
        inserted = await session.execute(
            insert_ignoring_conflicts(session, LevelReached, on=("member_id", "level")).values(
                member_id=member.id, level=level.points, reached_at=now
            )
        )
        if inserted.rowcount:  # type: ignore[attr-defined]
            new.append(level)
    if not new:
        return 0
    if settings.discord.level_roles:
        await role_sync.request(session, members=[member.id])
    level = new[-1]
    key = f"level:{member.id}:{level.points}"

    def render(language: str) -> str:
        text = translator.gettext(language, REACHED, level=level.name.get(language))
        return text + (f"\n{level.brings.get(language)}" if level.brings else "")

    await privately(
        session, now=now, platforms=platforms, member_id=member.id, key=key, render=render
    )
    if settings.recognition.announce_levels and member.visibility is Visibility.NAME:
        language = settings.network.default_language
        text = translator.gettext(
            language, REACHED_CHANNEL, name=member.display_name, level=level.name.get(language)
        )
        await in_channel(
            session, settings, now=now, platforms=platforms,
            scope=channels.category_scope(member.category), key=f"{key}:post", text=text,
            subjects=[member.id],
        )  # fmt: skip
    return 1
