"""Migration 0033 adds the members search's function and trigram index on PostgreSQL (for
the members already there too) and takes them back; on SQLite it changes nothing."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.db import alembic_config, upgrade
from bot.models import Member, MemberStatus, Role, Visibility
from tests.support.harness import START

SEARCH = (
    "SELECT id FROM members "
    "WHERE relais_search(display_name, email, phone) LIKE '%helene%' ORDER BY id"
)


async def _downgrade(engine: AsyncEngine, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def _objects(engine: AsyncEngine) -> tuple[int, int]:
    """How many search indexes and functions PostgreSQL has (SQLite: none ever)."""
    if engine.dialect.name != "postgresql":
        return 0, 0
    async with engine.connect() as connection:
        index = await connection.scalar(
            text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_members_search'")
        )
        function = await connection.scalar(
            text("SELECT count(*) FROM pg_proc WHERE proname = 'relais_search'")
        )
    return int(index or 0), int(function or 0)


async def test_migration_0033_upgrades_and_downgrades(engine: AsyncEngine) -> None:
    postgres = int(engine.dialect.name == "postgresql")
    async with engine.begin() as connection:
        await connection.execute(
            insert(Member),
            {
                "id": 1, "display_name": "Hélène", "status": MemberStatus.ACTIVE,
                "role": Role.MEMBER, "category": "business", "language": "fr",
                "visibility": Visibility.NAME, "sponsor_code": "S1", "joined_at": START,
            },
        )  # fmt: skip
    assert await _objects(engine) == (postgres, postgres)
    try:
        await _downgrade(engine, "0032")
        assert await _objects(engine) == (0, 0)
    finally:
        await upgrade(engine)
    assert await _objects(engine) == (postgres, postgres)
    async with engine.begin() as connection:
        if postgres:  # the member who was there before the index is in it
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            await connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
            plan = "\n".join((await connection.exec_driver_sql(f"EXPLAIN {SEARCH}")).scalars())
            assert "ix_members_search" in plan, plan
        assert list((await connection.exec_driver_sql(SEARCH)).scalars()) == [1]
