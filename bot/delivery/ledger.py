"""Group commit of the sender's claims and successes (:class:`Ledger`).

The chats being served at the same moment share one transaction, instead of two
transactions per message, which on SQLite cost more than the send itself. Whatever
accumulated while one transaction was being written goes into the next one.

The statements are Core ``UPDATE``s on the table, built once: the ORM's bulk update by
primary key (``session.execute(update(Delivery), rows)``) compiled and sorted its
parameters on every commit, about a third of a broadcast's database CPU, for rows the
sender never loads into the session anyway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from sqlalchemy import Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

#: Seconds at least between the starts of two group commits. Each commit costs the same
#: few statements and thread hand-offs whether it carries one claim or fifty; at the
#: paid broadcast rates a commit as soon as the previous one ended carried two or three,
#: and the commits were most of a message's CPU. Claims wait at most this long more,
#: while other workers' sends go on.
GATHER = 0.004

_TABLE: Table = Delivery.__table__  # type: ignore[assignment]

#: One success: executed many times in one go, one parameter set per row.
_MARK_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"))
    .values(
        status=DeliveryStatus.SENT,
        platform_message_id=bindparam("message_id"),
        last_error=None,
        sent_at=bindparam("at"),
    )
)


#: pending → sending for the rows of ``ids`` still pending; returns their ids. Built
#: once (an expanding parameter), so a commit does not build and hash a new statement.
_CLAIM = (
    update(_TABLE)
    .where(
        _TABLE.c.id.in_(bindparam("ids", expanding=True)),
        _TABLE.c.status == DeliveryStatus.PENDING,
    )
    .values(
        status=DeliveryStatus.SENDING,
        attempts=_TABLE.c.attempts + 1,
        claimed_by=bindparam("owner"),
        claimed_at=bindparam("at"),
    )
    .returning(_TABLE.c.id)
)


class Ledger:
    """Claims (pending → sending, awaited) and successes (→ sent, written behind)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        owner: str,
        *,
        gather: float = GATHER,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        #: Seconds at least between two commits' starts (see :data:`GATHER`).
        self.gather = gather
        self._last = -gather
        #: The sender's token, written on every claim (see :mod:`bot.delivery.lease`).
        self.owner = owner
        self._claims: list[tuple[int, asyncio.Future[bool]]] = []
        self._sent: list[dict[str, object]] = []
        self._writer: asyncio.Task[None] | None = None

    async def claim(self, row_id: int) -> bool:
        """pending → sending, committed; False when the row was no longer pending."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._claims.append((row_id, future))
        self._kick()
        return await future

    def sent(self, row_id: int, message_id: str | None, at: datetime) -> None:
        """Record a success; written with the next group (see :meth:`settled`)."""
        self._sent.append({"row_id": row_id, "message_id": message_id, "at": at})
        self._kick()

    async def settled(self) -> None:
        """Wait until everything recorded so far is committed."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    def _kick(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="delivery-ledger")

    async def _write(self) -> None:
        while self._claims or self._sent:
            wait = self._last + self.gather - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last = time.monotonic()
            claims, self._claims = self._claims, []
            sent, self._sent = self._sent, []
            try:
                claimed = await self._commit([row_id for row_id, _ in claims], sent)
            except Exception as error:
                log.exception("writing %d claims and %d sends failed", len(claims), len(sent))
                for _, future in claims:
                    if not future.done():
                        future.set_exception(error)
                continue  # the sends stay `sending`: unknown after a restart, never resent
            for row_id, future in claims:
                if not future.done():
                    future.set_result(row_id in claimed)

    async def _commit(self, claims: list[int], sent: list[dict[str, object]]) -> set[int]:
        claimed: set[int] = set()
        async with self.sessions.begin() as session:
            if sent:
                await session.execute(_MARK_SENT, sent)
            if claims:
                result = await session.execute(
                    _CLAIM, {"ids": claims, "owner": self.owner, "at": self.clock.now()}
                )
                claimed = set(result.scalars())
        return claimed
