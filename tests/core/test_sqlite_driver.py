"""SQLite statements cost one hand-off to aiosqlite's worker thread, with the same
results and errors as SQLAlchemy's own aiosqlite adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.db import create_engine, session_factory


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call queued to an aiosqlite worker thread, by function name."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return calls


async def test_one_hand_off_per_statement(sqlite_engine: AsyncEngine, hand_offs: list[str]) -> None:
    async with session_factory(sqlite_engine).begin() as session:
        await session.execute(text("SELECT 1"))  # the transaction's BEGIN is sent first
        hand_offs.clear()
        inserted = await session.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
        assert len(hand_offs) == 1
        assert inserted.rowcount == 2  # type: ignore[attr-defined]
        rows = (await session.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
        assert len(hand_offs) == 2
        assert [tuple(row) for row in rows] == [(1, "a"), (2, "b")]
        await session.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "c"}, {"v": "d"}])
        assert len(hand_offs) == 3
    async with session_factory(sqlite_engine)() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 4


async def test_errors_are_sqlalchemys_and_roll_back(sqlite_engine: AsyncEngine) -> None:
    sessions = session_factory(sqlite_engine)
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO t (v) VALUES ('x')"))
            await session.execute(text("INSERT INTO t (v) VALUES ('x')"))
    async with sessions() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 0
