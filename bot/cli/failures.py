"""Operational failures, told in one line: what is wrong and what to do.

The database that cannot be reached (PostgreSQL down, a wrong port or host, a database
that does not exist, a refused login), the SQLite file whose folder is missing or that is
read-only, a broken translation catalog: none of these is a bug, and a traceback of 15 to
170 lines would hide the one fact the operator needs. :func:`describe` names the failure
(walking the chain of causes); anything it does not recognise is a bug and keeps its
traceback.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.core.i18n import CatalogError

T = TypeVar("T")

#: The exit code of a database that cannot be used.
EXIT_DATABASE = 4
#: The exit code of a broken installation (a translation catalog missing or unreadable).
EXIT_INSTALL = 5


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def describe(error: BaseException, database_url: str) -> tuple[str, int] | None:
    """One line and an exit code for an operational failure; None for anything else."""
    for cause in _chain(error):
        if isinstance(cause, CatalogError):
            return str(cause), EXIT_INSTALL
    url = make_url(database_url)
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        return _sqlite(error, Path(url.database or ""))
    for cause in _chain(error):
        if isinstance(cause, socket.gaierror):
            return (
                f"database: cannot find the host {url.host!r} of database.url ({where}): "
                "fix the host name",
                EXIT_DATABASE,
            )
        if isinstance(cause, ConnectionError | TimeoutError) or (
            isinstance(cause, OSError) and "connect" in str(cause).lower()
        ):
            reason = cause.strerror or type(cause).__name__
            return (
                f"database: cannot connect to PostgreSQL at {url.host}:{url.port or 5432} "
                f"({reason}): start it, or fix the host and port in database.url",
                EXIT_DATABASE,
            )
    for cause in _chain(error):
        if isinstance(cause, DBAPIError) and not isinstance(cause, IntegrityError):
            problem = _first_line(cause)
            if "password" in problem or "authentication" in problem or "role" in problem:
                advice = "check the user and password in database.url"
            elif "does not exist" in problem:
                advice = "create it, or fix database.url"
            else:
                advice = "check that PostgreSQL is up and database.url is right"
            return f"database {where}: {problem}: {advice}", EXIT_DATABASE
    return None


def _sqlite(error: BaseException, path: Path) -> tuple[str, int] | None:
    for cause in _chain(error):
        if not isinstance(cause, DBAPIError) or isinstance(cause, IntegrityError):
            continue
        problem = _first_line(cause)
        if "readonly" in problem or "read-only" in problem:
            return (
                f"database: the SQLite file {path} is read-only: "
                "let Relais write to it and to its folder",
                EXIT_DATABASE,
            )
        if "unable to open" in problem:
            if path.is_dir():
                advice = "database.url names a folder; name a file inside it"
            elif not path.parent.is_dir():
                advice = f"the folder {path.parent} does not exist; create it or fix database.url"
            else:
                advice = "let Relais create and write files in its folder"
            return f"database: cannot open the SQLite file {path}: {advice}", EXIT_DATABASE
        return f"database: the SQLite file {path}: {problem}", EXIT_DATABASE
    return None


async def settled(work: Awaitable[T]) -> T:
    """``work``, but on failure first let aiosqlite's worker threads finish.

    A SQLite connection that fails to open leaves aiosqlite queueing its own stop with a
    future on the running loop; if ``asyncio.run`` closes the loop first, the thread
    prints a traceback of its own ("Event loop is closed") after our one line.
    """
    try:
        return await work
    except BaseException:
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and "_connection_worker_thread" in (
                thread.name
            ):
                await asyncio.to_thread(thread.join, 5)
        raise
