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

The lease also says which platforms the sender serves, and each renewal reads back the
live senders: on PostgreSQL each platform is shared among the live senders that serve
it (:class:`Share`). The ``index``-th of ``count`` senders paces at the platform's rate
÷ ``count`` and takes the chats whose id hashes to its index, so N processes together
keep the platform's limit (instead of N times it), each chat is served by one process
(its own window and order hold), and a dead process's part passes to the others once its
lease lapsed. A process that starts is counted by the others at their next renewal (a
third of a lease later): until then the platform may see up to one more share. SQLite
is one process: its sender always takes the whole platform. The Telegram adapter's flood
gate reads the same share (:mod:`bot.platforms.telegram.limits`), so a process's replies
and its deliveries together keep its part of the bot's limits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.models import DeliverySender


@dataclass(frozen=True, slots=True)
class Share:
    """This sender's part of one platform: it is the ``index``-th of ``count`` live
    senders serving it (the whole platform when ``count`` is 1)."""

    index: int = 0
    count: int = 1


WHOLE = Share()


class Lease:
    """One sender's lease; ``owner`` is the token its claims carry. ``serves`` names the
    platforms the sender serves now (read at each renewal: adapters attach after the
    sender is built)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        seconds: float,
        serves: Callable[[], Sequence[str]] = tuple,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.length = timedelta(seconds=seconds)
        self.owner = uuid.uuid4().hex
        self.serves = serves
        #: Until when the committed lease holds; None before the first renewal.
        self.expires_at: datetime | None = None
        #: Platform → this sender's share, as of the last renewal (absent: the whole).
        self.shares: dict[str, Share] = {}

    def share(self, platform: str) -> Share:
        return self.shares.get(platform, WHOLE)

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
        """Create or extend this sender's lease (committed before it returns), and on
        PostgreSQL read back the live senders to learn this one's shares."""
        now = self.clock.now()
        expires = now + self.length
        platforms = ",".join(sorted(self.serves()))
        async with self.sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(DeliverySender).values(
                owner=self.owner, started_at=now, expires_at=expires, platforms=platforms
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["owner"],
                    set_={
                        "expires_at": statement.excluded.expires_at,
                        "platforms": statement.excluded.platforms,
                    },
                )
            )
            live = []
            if dialect == "postgresql":
                live = list(
                    await session.execute(
                        select(DeliverySender.owner, DeliverySender.platforms)
                        .where(DeliverySender.expires_at > now)
                        .order_by(DeliverySender.started_at, DeliverySender.owner)
                    )
                )
        self.expires_at = expires
        self.shares = shares_of(self.owner, [(owner, names) for owner, names in live])

    async def release(self) -> None:
        """A clean stop: the lease goes now, so what this sender left ``sending`` (a
        send cut short by the stop) is recovered at once instead of one lease later."""
        async with self.sessions.begin() as session:
            await session.execute(delete(DeliverySender).where(DeliverySender.owner == self.owner))
        self.expires_at = None


def shares_of(owner: str, live: Sequence[tuple[str, str]]) -> dict[str, Share]:
    """``owner``'s share of each platform it serves, among the ``live`` senders (owner,
    comma-separated platforms) in a fixed order that every process reads alike."""
    serving: dict[str, list[str]] = {}
    for who, names in live:
        for name in filter(None, names.split(",")):
            serving.setdefault(name, []).append(who)
    return {
        name: Share(owners.index(owner), len(owners))
        for name, owners in serving.items()
        if owner in owners and len(owners) > 1
    }
