"""The dormancy scan page by page against a naive per-member reading of the ladder.

``nudging.due_page`` reads a page of members with their reachable identities joined
and picks each one's private address from those rows; here every member is judged on
their own (their row, their rungs, ``recipients.private_addresses`` for them alone), on
a random network with gaps in the ids, members with several identities (preferred
platform, latest private use, unreachable ones, platforms not running), preferences,
time zones in and out of quiet hours, and rungs of current and older spells. Any page
size must give the same rungs.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.animation import nudging
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.db import session_factory
from bot.core.port import Address
from bot.delivery.recipients import private_addresses
from bot.models import (
    Identity,
    Member,
    MemberStatus,
    Nudge,
    NudgePreference,
    NudgeStep,
    Role,
    Visibility,
)
from tests.support.harness import settings_for

PLATFORMS = ("console", "telegram")  # discord identities exist but are not running
ZONES = (
    None,
    None,
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "Mars/Base",
)
Row = tuple[int, str, str, str, NudgeStep, int, datetime, Address | None]


async def _network(engine: AsyncEngine, now: datetime, at: datetime) -> None:
    rng = random.Random(11)
    async with session_factory(engine).begin() as session:
        members = [
            Member(
                display_name=f"M{i:03d}",
                status=rng.choice([MemberStatus.ACTIVE] * 6 + list(MemberStatus)),
                role=rng.choice([Role.MEMBER] * 6 + [Role.REFERENT, Role.COORDINATOR]),
                category=rng.choice(("business", "tourism")),
                language=rng.choice(("en", "fr")),
                timezone=rng.choice(ZONES),
                visibility=Visibility.NAME,
                sponsor_code=f"D{i:04d}",
                consent_at=now,
                joined_at=now - timedelta(days=rng.randrange(200)),
                preferred_platform=rng.choice((None, None, "telegram", "console", "discord")),
            )
            for i in range(90)
        ]
        session.add_all(members)
        await session.flush()
        for number, member in enumerate(members):
            if rng.random() < 0.4:
                member.last_action_at = member.joined_at + timedelta(
                    days=rng.randrange(max(1, (at - member.joined_at).days))
                )
            for platform in rng.sample(
                ("telegram", "console", "discord"), rng.choice((0, 1, 2, 2, 3))
            ):
                session.add(
                    Identity(
                        platform=platform,
                        user_id=f"u{number}",
                        member_id=member.id,
                        private_chat_id=rng.choice(
                            (None, f"c{number}", f"c{number}", f"c{number}")
                        ),
                        unreachable_at=rng.choice((None, None, None, now)),
                        last_private_at=rng.choice((None, now - timedelta(days=rng.randrange(90)))),
                    )
                )
            if rng.random() < 0.25:
                session.add(
                    NudgePreference(
                        member_id=member.id,
                        paused_until=rng.choice(
                            (None, at - timedelta(days=2), at + timedelta(days=2))
                        ),
                        stopped_at=rng.choice((None, None, now)),
                        updated_at=now,
                    )
                )
            start = member.last_action_at or member.joined_at
            spells = [start, start - timedelta(days=70)]  # the current spell and an old one
            for spell in rng.sample(spells, rng.choice((0, 1, 1, 2))):
                sent = spell + timedelta(days=30)
                for ordinal, step in enumerate(list(NudgeStep)[: rng.randrange(1, 4)], start=1):
                    if sent > at:
                        break
                    later = rng.random() < 0.3
                    session.add(
                        Nudge(
                            member_id=member.id,
                            spell_start=spell,
                            ordinal=ordinal,
                            step=step,
                            sent_at=sent,
                            answer="later" if later else rng.choice((None, "did")),
                            answered_at=sent + timedelta(days=1) if later else None,
                        )
                    )
                    sent += timedelta(days=rng.choice((3, 14, 20)))
        # Gaps in the ids: pages of a few ids find some empty ranges.
        gone = [member.id for member in members if rng.random() < 0.15]
        await session.flush()
        await session.execute(delete(Member).where(Member.id.in_(gone)))


def _zone(settings: Settings, zone: str | None) -> str:
    try:
        ZoneInfo(zone or settings.network.timezone)
    except (KeyError, ValueError):
        return settings.network.timezone
    return zone or settings.network.timezone


async def _naive(
    session: AsyncSession, settings: Settings, at: datetime, platforms: Collection[str]
) -> list[Row]:
    """Each member judged alone, straight from the module's rules."""
    config = settings.nudges
    found: list[Row] = []
    for member in await session.scalars(select(Member).order_by(Member.id)):
        if member.status is not MemberStatus.ACTIVE or member.role is Role.COORDINATOR:
            continue
        choice = await session.get(NudgePreference, member.id)
        if choice is not None and (
            choice.stopped_at is not None
            or (choice.paused_until is not None and choice.paused_until > at)
        ):
            continue
        start = member.last_action_at or member.joined_at
        if start > at - timedelta(days=config.dormant_days):
            continue
        history = list(
            await session.scalars(
                select(Nudge)
                .where(Nudge.member_id == member.id)
                .order_by(Nudge.sent_at, Nudge.ordinal)
            )
        )
        spell = [n for n in history if n.spell_start == start]
        rung = nudging.next_rung(config, start, spell)
        if rung is None or rung[1] > at:
            continue
        address = (await private_addresses(session, [member.id], platforms)).get(member.id)
        if rung[0] in nudging.MESSAGE_STEPS:
            gap = at - timedelta(days=config.min_gap_days)
            if (
                address is None
                or any(n.sent_at > gap for n in history if n.step in nudging.MESSAGE_STEPS)
                or nudging.in_quiet_hours(config, at, _zone(settings, member.timezone))
            ):
                continue
        ordinal = max((n.ordinal for n in spell), default=0) + 1
        found.append(
            (
                member.id,
                member.display_name,
                member.language,
                member.category,
                rung[0],
                ordinal,
                start,
                address,
            )
        )
    return found


def _rows(found: list[nudging.Due]) -> list[Row]:
    return [
        (
            d.member.id,
            d.member.display_name,
            d.member.language,
            d.member.category,
            d.step,
            d.ordinal,
            d.start,
            d.address,
        )
        for d in found
    ]


@pytest.mark.parametrize("size", [1, 4, 13, nudging.PAGE])
async def test_every_page_size_finds_the_rungs_of_a_naive_reading(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, size: int
) -> None:
    settings = settings_for(database_url)
    now = clock.now()
    at = now + timedelta(days=120)  # 09:00 UTC: night in New York and Auckland
    await _network(engine, now, at)
    async with session_factory(engine)() as session:
        expected = await _naive(session, settings, at, PLATFORMS)
        paged: list[nudging.Due] = []
        cursor: int | None = 0
        pages = 0
        while cursor is not None:
            page, cursor = await nudging.due_page(
                session, settings, at, PLATFORMS, after=cursor, size=size
            )
            assert len(page) <= size
            paged.extend(page)
            pages += 1
        assert _rows(paged) == expected
        assert _rows(await nudging.due(session, settings, at, PLATFORMS)) == expected
        highest = await session.scalar(select(func.max(Member.id)))
        # The network exercises what the scan decides: every step, both running
        # platforms, members with several reachable identities, quiet hours.
        several = await session.scalars(
            select(Identity.member_id)
            .where(Identity.private_chat_id.is_not(None), Identity.unreachable_at.is_(None))
            .where(Identity.platform.in_(PLATFORMS))
            .group_by(Identity.member_id)
            .having(func.count() > 1)
        )
        assert {row[0] for row in expected} & set(several)
        awake = settings_for(database_url, nudges__quiet_start="09:00", nudges__quiet_end="09:00")
        assert len(await _naive(session, awake, at, PLATFORMS)) > len(expected)
    assert highest is not None
    assert pages == -(-highest // size)  # every range read once, empty ones included
    assert {row[4] for row in expected} == set(NudgeStep)
    assert {row[7].platform for row in expected if isinstance(row[7], Address)} == set(PLATFORMS)
