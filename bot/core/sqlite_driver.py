"""SQLite through aiosqlite in one thread hand-off per statement.

aiosqlite runs every call on the sqlite3 connection in its own worker thread; each call
is a hand-off (queue put, then ``call_soon_threadsafe`` back to the event loop). The
cursor SQLAlchemy's aiosqlite adapter gives out makes four per SELECT (cursor, execute,
fetchall, close) and three per write: at 4–10 statements per update that was most of an
update's SQL cost (about 0.1 ms of CPU per hand-off, more in wall time on a busy
machine). :class:`OneTripCursor` does the same work, in the same worker thread, in one
call: create the sqlite3 cursor, execute, fetch every row when there are any, close.

Everything else is SQLAlchemy's own adapter: the connection, commits, rollbacks,
server-side (streaming) cursors and the translation of errors. The engine gets this
module's DBAPI through ``create_async_engine(..., module=...)``; the URL stays
``sqlite+aiosqlite``.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from threading import Thread
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

from bot.core.sqlite_writers import Writers

#: What one statement leaves behind: description, rowcount, lastrowid, rows.
_Outcome = tuple[Any, int, int | None, list[Any]]


def _run_one(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> _Outcome:
    """In aiosqlite's worker thread: the whole life of one cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement costs one hand-off to the worker thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No sqlite3 cursor here: it is created, used and closed inside the worker call.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # the sqlite3 cursor is already closed

    def close(self) -> None:
        self._rows.clear()

    async def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            outcome: _Outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run_one, connection._conn, operation, parameters, many
            )
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._run(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        await self._run(operation, seq_of_parameters, True)

    def nextset(self) -> None:
        return None  # sqlite3 has no multiple result sets

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """A connection whose transactions take turns with the process's others on the same
    database (:mod:`bot.core.sqlite_writers`): :meth:`take_turn` before ``BEGIN``, the
    turn given back when the transaction ends, whichever way."""

    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    @property
    def _writers(self) -> Writers:
        return self.dbapi.writers  # type: ignore[no-any-return]

    def take_turn(self) -> None:
        await_(self._writers.take(self))

    def give_turn(self) -> None:
        self._writers.give_back(self)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_turn()

    def terminate(self) -> None:
        try:
            super().terminate()
        finally:
            self.give_turn()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI adapter, with :class:`OneTripCursor` cursors; one per
    engine, holding that engine's turn of writers."""

    def __init__(self, aiosqlite: Any, sqlite: Any) -> None:
        super().__init__(aiosqlite, sqlite)
        self.writers = Writers()

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        creator_fn = kw.pop("async_creator_fn", None)
        if creator_fn:
            connection = creator_fn(*arg, **kw)
        else:
            connection = self.aiosqlite.connect(*arg, **kw)
            # As SQLAlchemy's adapter does: a daemon worker never holds the exit.
            worker = connection if isinstance(connection, Thread) else connection._thread
            worker.daemon = True
        return OneTripConnection(self, await_(connection))


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
