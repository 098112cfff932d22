"""The async engine, sessions and migrations, for SQLite (default) and PostgreSQL.

SQLite gets WAL, foreign keys and a busy timeout, and every transaction starts with
``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing with
"database is locked" half-way through an update; within the process they queue first
come, first served (:mod:`bot.core.sqlite_writers`), the busy timeout being left for
other processes on the same file. It also deletes securely (freed space
is overwritten with zeros), and after an erasure the write-ahead log is checkpointed and
truncated (:func:`scrub`): erased names and texts are then in neither file. Each
connection gets ``relais_search``, the members search's folding (:func:`bot.core.text.searchable`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.core import sqlite_driver
from bot.core.text import searchable

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine with the per-backend settings Relais relies on.

    Statement parameters hold members' names and texts, so they never reach the logs:
    SQLAlchemy hides them, and aiosqlite's debug lines (which print them) are capped."""
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    if url.startswith("sqlite"):
        options: dict[str, Any] = {}
        if url.startswith("sqlite+aiosqlite"):
            options["module"] = sqlite_driver.dbapi()  # one thread hand-off a statement
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, connect_args={"timeout": 30}, **options
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        # The members search's SQL function, which PostgreSQL defines in SQL (0033).
        dbapi_connection.create_function("relais_search", 3, searchable, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        raw = connection.connection.dbapi_connection
        turns = raw if isinstance(raw, sqlite_driver.OneTripConnection) else None
        if turns is not None:
            try:
                turns.take_turn()
            except sqlite3.OperationalError as error:  # as SQLAlchemy wraps SQLite's own
                raise exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if turns is not None:
                turns.give_turn()
            raise


def insert_ignoring_conflicts(
    session: AsyncSession, table: Any, *, on: Sequence[str]
) -> postgresql.Insert | sqlite.Insert:
    """``INSERT ... ON CONFLICT (on) DO NOTHING`` into a model's table, in the session's
    dialect: one statement where a savepoint, an insert and a release (three round trips)
    did the same job. A Core insert, so the result's ``rowcount`` says whether the row
    was new (the ORM's bulk insert does not report it)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table.__table__).on_conflict_do_nothing(index_elements=list(on))


_SCRUB = "relais.scrub"


def request_scrub(session: AsyncSession) -> None:
    """Ask for :func:`scrub` once this session's transaction committed (an erasure)."""
    session.info[_SCRUB] = True


def scrub_requested(session: AsyncSession) -> bool:
    return bool(session.info.get(_SCRUB))


async def scrub(sessions: async_sessionmaker[AsyncSession]) -> None:
    """After an erasure committed, on SQLite: copy the write-ahead log into the database
    file and truncate it, so that the pages written before the erasure (which still
    hold what it erased) leave the ``-wal`` file; secure deletion already zeroed them in
    the database's pages. Nothing to do on PostgreSQL, whose ``VACUUM`` reclaims dead
    rows by itself. A checkpoint blocked by a reader is logged, never raised."""
    engine: AsyncEngine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        return
    try:
        async with engine.connect() as connection:  # no BEGIN: a checkpoint runs outside
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = await cursor.fetchone()
            await cursor.close()
    except Exception:
        log.exception("could not checkpoint the write-ahead log after an erasure")
        return
    if row is not None and row[0]:
        log.warning("the write-ahead log could not be truncated after an erasure (busy)")


def is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def is_postgres(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Whether these sessions are on PostgreSQL, where several processes may share the
    database (SQLite serves one)."""
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


async def lock_for_transaction(session: AsyncSession, key: str) -> None:
    """On PostgreSQL, wait for and hold ``key``'s advisory lock until the transaction
    ends: two processes handling the same ``key`` (a member's updates) take turns, the
    second seeing what the first committed. SQLite needs none: its writers already take
    turns, and it serves one process."""
    if is_sqlite(session):
        return
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> AlembicConfig:
    """Alembic settings pointing at the migrations shipped inside the package."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("bot") / "migrations"))
    return config


async def upgrade(
    engine: AsyncEngine, revision: str = "head", *, network_language: str = "fr"
) -> None:
    """Migrate the database to ``revision`` on a connection of this engine.
    ``network_language``: the language texts written before they had one were in
    (migration 0021 files them under it)."""

    def _run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        config.attributes["network_language"] = network_language
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)
    log.info("database migrated to %s", revision)
