"""The migrations and the models describe the same schema.

A database migrated to head must hold exactly the tables, columns, types, indexes and
constraints the models declare: otherwise a change to a model without its migration (or
the reverse) would pass every other test, which build on the migrated schema, and fail
only on a user's database. Checked on SQLite and PostgreSQL with Alembic's own
comparison (what ``alembic revision --autogenerate`` would write).
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.models import Base


def _not_a_model(table: str) -> bool:
    return table == "alembic_version" or table.startswith("kit_search")


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        change
        for change in compare_metadata(context, Base.metadata)
        # Alembic's own bookkeeping table is not a model, nor is the kit's search index
        # on SQLite (an FTS5 table and its shadow tables, kept by triggers).
        if not (change[0] == "remove_table" and _not_a_model(change[1].name))
    ]


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []
