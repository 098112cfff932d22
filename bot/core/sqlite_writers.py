"""One SQLite database's transactions take turns in this process, first come first served.

Every transaction on SQLite starts with ``BEGIN IMMEDIATE`` (:mod:`bot.core.db`): one
writer at a time. Without a queue, the others wait in SQLite's busy handler, which polls
the lock with growing sleeps: whoever polls at the right moment wins, not whoever came
first, and under a burst (thousands of members pressing "Done" within minutes) some
waited past the busy timeout and failed with "database is locked" — the action answered
with an apology and not saved. Here the process's transactions queue on an
:class:`asyncio.Lock` (fair: woken in arrival order) before they send ``BEGIN
IMMEDIATE``, so a transaction waits exactly for those ahead of it, and the busy timeout is
left for other processes on the same file (``relais`` commands run beside the bot).

A task that already holds the turn and opens a second transaction on another connection
is not queued behind itself (it would wait forever): its ``BEGIN IMMEDIATE`` meets
SQLite's busy timeout as before. A turn whose task ended without giving it back (a
connection dropped without a rollback, when a task is cancelled at the wrong moment) is
taken back after :data:`SLICE` seconds, so one lost turn cannot stop every writer: at
worst the next transaction meets the busy timeout, as it did before the queue. A turn not
given within :data:`PATIENCE` seconds fails as the busy timeout did, with "database is
locked".
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref

#: Seconds a transaction waits for its turn before it fails.
PATIENCE = 60.0
#: Seconds between looks at whether the turn's holder is still there.
SLICE = 5.0

log = logging.getLogger(__name__)


class Writers:
    """The turn of one database's transactions in this process (one per engine). Each
    event loop gets its own lock (tests run several loops on one engine)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        #: The connection holding the turn, the task that took it, and its loop's lock.
        self._holder: object | None = None
        self._task: asyncio.Task[object] | None = None
        self._held: asyncio.Lock | None = None
        #: Transactions waiting for their turn now.
        self.waiting = 0

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def take(self, connection: object) -> None:
        """Wait for the turn on behalf of ``connection`` (no wait when this task holds
        it already, see the module's docstring)."""
        lock = self._lock()
        task = asyncio.current_task()
        if lock.locked() and task is not None and self._task is task:
            return
        if lock.locked():
            await self._queue(lock)
        else:
            await lock.acquire()  # free: no wait, no task
        self._holder = connection
        self._task = task
        self._held = lock

    async def _queue(self, lock: asyncio.Lock) -> None:
        """Wait in line for ``lock``, looking every :data:`SLICE` seconds whether its
        holder is gone, keeping the place in line meanwhile."""
        acquiring = asyncio.ensure_future(lock.acquire())
        self.waiting += 1
        try:
            waited = 0.0
            while True:
                done, _ = await asyncio.wait({acquiring}, timeout=min(SLICE, PATIENCE - waited))
                if done:
                    return
                waited += SLICE
                if self._task is not None and self._task.done():
                    log.warning("a finished task held the SQLite writers' turn; taken back")
                    self.give_back(self._holder)
                elif waited >= PATIENCE:
                    raise sqlite3.OperationalError(
                        "database is locked (no turn among this process's writers"
                        f" in {PATIENCE:g} s)"
                    )
        except BaseException:
            if acquiring.done() and not acquiring.cancelled():
                lock.release()  # given just as we stopped waiting: pass it on
            else:
                acquiring.cancel()
            raise
        finally:
            self.waiting -= 1

    def give_back(self, connection: object) -> None:
        """The transaction of ``connection`` ended (commit, rollback, close): the next in
        line goes. Nothing happens when ``connection`` does not hold the turn."""
        if self._holder is not connection:
            return
        lock, self._holder, self._task, self._held = self._held, None, None, None
        if lock is not None and lock.locked():
            lock.release()
