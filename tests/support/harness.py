"""Importable test helpers: a network on a real database, driven through the console."""

from __future__ import annotations

import io
import os
import textwrap
from datetime import datetime, timedelta
from typing import Protocol

import asyncpg
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Relais
from bot.core.clock import FrozenClock
from bot.core.config import Settings, load_settings
from bot.core.db import create_engine, session_factory, upgrade
from bot.core.port import Event, Outgoing
from bot.models import Identity, Member, MemberStatus, Role, Visibility
from bot.platforms.console import ConsolePlatform
from bot.runtime import build_app
from tests.support.paths import EXAMPLE_CONFIG

#: A Wednesday morning in Lyon, in winter time.
START = datetime.fromisoformat("2026-03-04T10:00:00+01:00")


#: The PostgreSQL server tests and benchmarks make their own databases on.
PG_ADMIN_DSN = os.environ.get("RELAIS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def create_postgres_database(name: str) -> str:
    """A new, migrated PostgreSQL database (replacing one of that name); its URL.
    Raises ``OSError`` or ``asyncpg.PostgresError`` when the server is unreachable."""
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    host = PG_ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    url = f"postgresql+asyncpg://{host}/{name}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    return url


async def drop_postgres_database(name: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def settings_for(database_url: str, **env: str) -> Settings:
    """The example config on this database, with ``RELAIS_*`` style overrides. A frozen
    clock packs a whole session of use into one instant: the limit on a person's updates
    a minute is lifted unless a test sets it (``limits__updates_per_minute``)."""
    environ = {"RELAIS_DATABASE_URL": database_url, "RELAIS_LIMITS__UPDATES_PER_MINUTE": "10000"}
    environ.update({f"RELAIS_{key.upper()}": value for key, value in env.items()})
    return load_settings(EXAMPLE_CONFIG, environ)


class Network:
    """A running Relais on the console platform; ``play`` returns what was printed."""

    def __init__(self, engine: AsyncEngine, settings: Settings, clock: FrozenClock) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.sessions = session_factory(engine)
        self.app = build_app(settings=settings, sessions=self.sessions, clock=clock)
        self.out = io.StringIO()
        self.console = ConsolePlatform(self.app, self.out)

    async def play(self, script: str) -> str:
        start = self.out.tell()
        await self.console.play(textwrap.dedent(script).splitlines())
        return self.out.getvalue()[start:]

    async def restarted(self) -> Network:
        """A new app and console on the same database, as after a clean process restart.

        The old process gives up its delivery lease as a clean stop does: on PostgreSQL
        a lease still live keeps a share of the chats for a process that is gone, and
        under a frozen clock it would never lapse."""
        await self.app.sender.lease.release()
        return Network(self.engine, self.settings, self.clock)

    async def join(self, name: str, category: str = "Business", language: str = "English") -> str:
        """Join through /start; a coordinator declared in the config is asked neither a
        category nor a sponsor code, a referent no sponsor code."""
        identity = f"console:{name}"
        referent = any(identity in people for people in self.settings.roles.referents.values())
        coordinator = identity in self.settings.roles.coordinators
        skip = "Skip" if language == "English" else "Passer"
        rest = (
            ""
            if coordinator
            else f"@{name} [{category}]" + ("" if referent else f"\n@{name} [{skip}]")
        )
        return await self.play(f"@{name} /start\n@{name} [{language}]\n@{name} [1]\n{rest}")


class NetworkFactory(Protocol):
    """The ``network_factory`` fixture: a new :class:`Network` on the test's database and
    clock, the example config with ``RELAIS_*`` style overrides (see :func:`settings_for`),
    e.g. ``network_factory(network__default_language="en")``."""

    def __call__(self, **env: str) -> Network: ...


async def seed_telegram_members(
    engine: AsyncEngine,
    user_ids: list[int],
    *,
    category: str = "business",
    consent_version: str = "1",
) -> None:
    """Active members with a Telegram identity and an open private chat (member id =
    Telegram user id), by bulk insert: for broadcasts to thousands."""
    joined = START
    async with engine.begin() as connection:
        for first in range(0, len(user_ids), 5000):
            chunk = user_ids[first : first + 5000]
            await connection.execute(
                insert(Member),
                [
                    {
                        "id": user_id,
                        "display_name": f"U{user_id}",
                        "status": MemberStatus.ACTIVE,
                        "role": Role.MEMBER,
                        "category": category,
                        "language": "en",
                        "visibility": Visibility.NAME,
                        "sponsor_code": f"S{user_id}",
                        "consent_at": joined,
                        "consent_version": consent_version,
                        "joined_at": joined,
                    }
                    for user_id in chunk
                ],
            )
            await connection.execute(
                insert(Identity),
                [
                    {
                        "platform": "telegram",
                        "user_id": str(user_id),
                        "member_id": user_id,
                        "private_chat_id": str(user_id),
                    }
                    for user_id in chunk
                ],
            )


async def seed_applicants(
    engine: AsyncEngine,
    user_ids: list[int],
    *,
    platform: str = "console",
    category: str = "business",
    joined: datetime = START,
) -> None:
    """Pending applications (member id = user id; console users are named ``u<id>``),
    one a minute from ``joined`` in the order given, each with an open private chat."""

    def user(user_id: int) -> str:
        return f"u{user_id}" if platform == "console" else str(user_id)

    async with engine.begin() as connection:
        await connection.execute(
            insert(Member),
            [
                {
                    "id": user_id,
                    "display_name": f"U{user_id}",
                    "status": MemberStatus.PENDING,
                    "role": Role.MEMBER,
                    "category": category,
                    "language": "en",
                    "visibility": Visibility.NAME,
                    "sponsor_code": f"S{user_id}",
                    "consent_at": joined,
                    "consent_version": "1",
                    "joined_at": joined + timedelta(minutes=index),
                }
                for index, user_id in enumerate(user_ids)
            ],
        )
        await connection.execute(
            insert(Identity),
            [
                {
                    "platform": platform,
                    "user_id": user(user_id),
                    "member_id": user_id,
                    "private_chat_id": user(user_id),
                }
                for user_id in user_ids
            ],
        )


class OtherPlatform:
    """A second platform for tests that only need the neutral port: it records what the
    app sends and lets a test speak as one of its users."""

    def __init__(self, app: Relais, name: str = "telegram") -> None:
        self.app = app
        self.name = name
        self.sent: list[Outgoing] = []
        self._updates = 0
        app.attach(self)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, outgoing: Outgoing) -> str:
        self.sent.append(outgoing)
        return str(len(self.sent))

    async def say(self, user: str, text: str) -> str:
        """``user`` writes ``text`` in the private chat; returns the bot's answers."""
        self._updates += 1
        start = len(self.sent)
        common = {
            "platform": self.name,
            "user_id": user,
            "chat_id": user,
            "is_private": True,
            "language_code": "en",
        }
        if text.startswith("/"):
            name, *args = text[1:].split()
            event = Event(**common, command=name, args=tuple(args))  # type: ignore[arg-type]
        else:
            event = Event(**common, text=text)  # type: ignore[arg-type]
        await self.app.dispatch(event, self)
        return "\n".join(item.message.text for item in self.sent[start:])
