"""Helpers for the events domain tests: members written directly (with a private chat
on the console, so private messages have somewhere to go), and a ready-made event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.animation.events import drafts
from bot.core.bilingual import Bilingual
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.db import session_factory
from bot.core.i18n import Translator
from bot.models import Event, Identity, Member, MemberStatus, Role
from tests.support.harness import settings_for

PLATFORMS = ["console"]


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: FrozenClock
    translator: Translator

    def now(self) -> datetime:
        return self.clock.now()


@pytest.fixture
async def world(engine: AsyncEngine, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    settings = settings_for(database_url)
    yield World(session_factory(engine), settings, clock, Translator("fr"))


async def add_member(
    session: AsyncSession,
    name: str,
    *,
    category: str = "business",
    language: str = "en",
    status: MemberStatus = MemberStatus.ACTIVE,
    role: Role = Role.MEMBER,
    joined_at: datetime,
) -> Member:
    member = Member(
        display_name=name,
        status=status,
        role=role,
        category=category,
        language=language,
        sponsor_code=f"S{name.upper()}"[:16],
        joined_at=joined_at,
        consent_at=joined_at,
        consent_version="1",
    )
    session.add(member)
    await session.flush()
    key = name.lower()
    session.add(Identity(platform="console", user_id=key, member_id=member.id, private_chat_id=key))
    await session.flush()
    return member


def draft(start: datetime, **changes: object) -> drafts.Draft:
    values: dict[str, object] = {
        "title": "Afterwork",
        "text": Bilingual(fr="Un verre entre ambassadeurs.", en="Drinks among ambassadors."),
        "place": "Le Comptoir, 3 rue Neuve, Lyon",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "categories": ("business",),
        "points": 10,
    }
    values.update(changes)
    return drafts.Draft(**values)  # type: ignore[arg-type]


async def make_event(world: World, start: datetime, **changes: object) -> Event:
    async with world.sessions.begin() as session:
        return await drafts.create(
            session, world.settings, draft(start, **changes), None, world.now()
        )
