"""Every database test runs on a real SQLite file and on the real PostgreSQL server.

PostgreSQL is the shared server at 127.0.0.1:5432 (trust auth): each run creates its
own database with a random name, migrates it once, empties it between tests and drops it
at the end. With RELAIS_REQUIRE_POSTGRES=1 an unreachable server fails the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.db import create_engine, upgrade
from bot.models import Base
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import (
    START,
    Network,
    NetworkFactory,
    create_postgres_database,
    drop_postgres_database,
    settings_for,
)


async def _empty(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()


# Set-up fixtures are synchronous (each runs its own short event loop) so that the
# parametrized backend fixture can pull the PostgreSQL one only when it is needed.


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = f"relais_test_{uuid.uuid4().hex[:12]}"
    try:
        url = asyncio.run(create_postgres_database(name))
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("RELAIS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating takes longer)."""
    path = tmp_path_factory.mktemp("template") / "relais.sqlite3"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "relais.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_empty(url))
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def network_factory(engine: AsyncEngine, database_url: str, clock: FrozenClock) -> NetworkFactory:
    def make(**env: str) -> Network:
        return Network(engine, settings_for(database_url, **env), clock)

    return make


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API server on loopback (tests that need another kind of ``fake``
    define their own)."""
    async with FakeTelegram() as server:
        yield server
