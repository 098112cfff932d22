"""SQLite transactions of one process take turns first come, first served.

SQLite's busy timeout is cut to 1 ms here: a transaction that waited for the lock in
SQLite's busy handler (as before the queue) would fail with "database is locked" at once,
so every test below fails without the writers' queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core import db, sqlite_writers
from bot.core.db import create_engine, session_factory
from bot.core.sqlite_writers import Writers


@pytest.fixture
async def sqlite_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncEngine]:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 1)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'writers.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    await engine.dispose()


def writers_of(engine: AsyncEngine) -> Writers:
    writers = engine.dialect.dbapi.writers  # type: ignore[union-attr]
    assert isinstance(writers, Writers)
    return writers


async def until(condition: object) -> None:
    """Let the other tasks run until ``condition()`` holds. A connection is opened in
    aiosqlite's thread, so on a busy machine this may take a while: polled, bounded by a
    generous deadline (nothing is timed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "never happened"
        await asyncio.sleep(0.001)


async def test_writers_wait_their_turn_in_arrival_order(sqlite_engine: AsyncEngine) -> None:
    sessions = session_factory(sqlite_engine)
    writers = writers_of(sqlite_engine)
    release = asyncio.Event()
    turns: list[int] = []

    async def write(n: int, hold: asyncio.Event | None = None) -> None:
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            turns.append(n)  # inside the transaction: while this writer holds the turn
            if hold is not None:
                await hold.wait()

    first = asyncio.create_task(write(0, release))
    await until(lambda: writers.waiting == 0 and writers._holder is not None)
    others = []
    for n in range(1, 11):  # the pool holds 15 connections: all of them get one
        others.append(asyncio.create_task(write(n)))
        await until(lambda n=n: writers.waiting == n)  # type: ignore[misc]
    release.set()
    await asyncio.gather(first, *others)
    assert turns == list(range(11))
    async with sessions() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 11


async def test_a_second_transaction_of_the_same_task_fails_instead_of_hanging(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not queued behind itself: SQLite's busy timeout answers, as before the queue (the
    queue's own patience, cut short here, would answer otherwise)."""
    monkeypatch.setattr(sqlite_writers, "PATIENCE", 1.0)
    sessions = session_factory(sqlite_engine)
    async with sessions.begin() as outer:
        await outer.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(OperationalError, match="locked") as raised:
            async with sessions.begin() as inner:
                await inner.execute(text("INSERT INTO t VALUES (2)"))
        assert "no turn" not in str(raised.value)
    async with sessions() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 1


async def test_a_turn_left_by_a_finished_task_is_taken_back(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection dropped without its rollback must not stop every writer after it."""
    monkeypatch.setattr(sqlite_writers, "SLICE", 0.01)
    writers = writers_of(sqlite_engine)
    lost = object()
    await asyncio.create_task(writers.take(lost))  # the task ends holding the turn
    assert writers._holder is lost
    async with session_factory(sqlite_engine).begin() as session:
        await session.execute(text("INSERT INTO t VALUES (1)"))
    assert writers._holder is None


async def test_a_turn_not_given_in_time_fails_like_the_busy_timeout(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_writers, "SLICE", 0.01)
    monkeypatch.setattr(sqlite_writers, "PATIENCE", 0.05)
    sessions = session_factory(sqlite_engine)
    release = asyncio.Event()

    async def hold() -> None:
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO t VALUES (1)"))
            await release.wait()

    holder = asyncio.create_task(hold())
    await until(lambda: writers_of(sqlite_engine)._holder is not None)
    with pytest.raises(OperationalError, match="locked"):
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO t VALUES (2)"))
    assert writers_of(sqlite_engine).waiting == 0
    release.set()
    await holder
    async with sessions.begin() as session:  # the turn was passed on, not lost
        await session.execute(text("INSERT INTO t VALUES (3)"))
        assert await session.scalar(text("SELECT count(*) FROM t")) == 2
