"""Migration 0021 files the texts written before campaigns and plans had two languages
under the network's language, so they read exactly as before; and back again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.db import alembic_config, create_engine, upgrade
from tests.support.harness import create_postgres_database, drop_postgres_database

OLD_CAMPAIGN = (
    "INSERT INTO campaigns (id, categories, text, call_to_action, starts_at, repeat, direct, "
    "status, runs, created_at, updated_at) VALUES (1, '[]', 'Old news', 'Share it', "
    ":at, 'none', true, 'done', 1, :at, :at)"
)
OLD_PLAN = (
    "INSERT INTO action_plans (id, category, title, text, call_to_action, posted_at, "
    "window_ends_at) VALUES (1, 'business', 'Old plan', 'Old text', 'Old call', :at, :at)"
)


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """A database of its own, at no revision: migrations are run by the test."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    name = f"relais_mig_{uuid.uuid4().hex[:10]}"
    try:
        url = await create_postgres_database(name)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL unreachable: {error}")
    engine = create_engine(url)
    async with engine.begin() as connection:  # back to an empty schema
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    try:
        yield engine
    finally:
        await engine.dispose()
        await drop_postgres_database(name)


async def _downgrade(engine: AsyncEngine, revision: str) -> None:
    def run(connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        config.attributes["network_language"] = "en"
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def test_old_texts_go_to_the_networks_language_and_back(empty_engine: AsyncEngine) -> None:
    engine = empty_engine
    await upgrade(engine, "0018")
    async with engine.begin() as connection:
        at = {"at": datetime(2026, 3, 2, 9, tzinfo=UTC)}
        await connection.execute(text(OLD_CAMPAIGN), at)
        await connection.execute(text(OLD_PLAN), at)
    await upgrade(engine, "0021", network_language="en")
    async with engine.connect() as connection:
        campaign = (
            await connection.execute(
                text("SELECT text_fr, text_en, call_fr, call_en, segments, email FROM campaigns")
            )
        ).one()
        plan = (
            await connection.execute(
                text("SELECT title_fr, title_en, text_en, call_en FROM action_plans")
            )
        ).one()
    assert tuple(campaign[:4]) == ("", "Old news", "", "Share it")
    assert campaign[4] in ({}, "{}") and not campaign[5]
    assert tuple(plan) == ("", "Old plan", "Old text", "Old call")
    await _downgrade(engine, "0018")
    async with engine.connect() as connection:
        back = (await connection.execute(text("SELECT text, call_to_action FROM campaigns"))).one()
    assert tuple(back) == ("Old news", "Share it")
