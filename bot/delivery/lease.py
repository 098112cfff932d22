"""Which senders are alive: a lease per process, renewed while it runs.

With several processes on one database each runs a sender, and each marks the rows it
hands to a platform ``sending`` under its own token (``deliveries.claimed_by``). A row
found ``sending`` is in flight if its sender is alive, and lost in a crash if not; only
the latter may become ``unknown``. A sender is alive while its lease in
``delivery_senders`` is ahead of the clock: it renews the lease every third of
``[delivery] lease_seconds``, so a dead process's rows are recovered one lease after it
died, by whichever process looks first, and a live process's rows are never touched.

Time is the app's clock (injected in tests); processes sharing a database are expected to
agree on it within a fraction of the lease.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.models import DeliverySender


class Lease:
    """One sender's lease; ``owner`` is the token its claims carry."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, seconds: float
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.length = timedelta(seconds=seconds)
        self.owner = uuid.uuid4().hex
        #: Until when the committed lease holds; None before the first renewal.
        self.expires_at: datetime | None = None

    @property
    def period(self) -> float:
        """Seconds between renewals: a third of the lease, so one missed renewal is not
        yet death."""
        return self.length.total_seconds() / 3

    def due(self) -> bool:
        """True when the lease should be renewed before claiming more rows."""
        if self.expires_at is None:
            return True
        return self.clock.now() >= self.expires_at - 2 * self.length / 3

    async def renew(self) -> None:
        """Create or extend this sender's lease (committed before it returns)."""
        now = self.clock.now()
        expires = now + self.length
        async with self.sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(DeliverySender).values(
                owner=self.owner, started_at=now, expires_at=expires
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["owner"], set_={"expires_at": statement.excluded.expires_at}
                )
            )
        self.expires_at = expires

    async def release(self) -> None:
        """A clean stop: the lease goes now, so what this sender left ``sending`` (a
        send cut short by the stop) is recovered at once instead of one lease later."""
        async with self.sessions.begin() as session:
            await session.execute(delete(DeliverySender).where(DeliverySender.owner == self.owner))
        self.expires_at = None
