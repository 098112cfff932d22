"""Alembic environment: Relais passes an open connection (see ``bot.core.db.upgrade``).

Run by hand (``alembic -c alembic.ini ...``) it connects to ``RELAIS_DATABASE_URL`` or
the URL in ``alembic.ini``.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from bot.core.db import create_engine
from bot.models import Base

target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_migrate)
        await connection.commit()
    await engine.dispose()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = os.environ.get("RELAIS_DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set RELAIS_DATABASE_URL or sqlalchemy.url in alembic.ini")
    asyncio.run(_migrate_with_own_engine(url))


run()
