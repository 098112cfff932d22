"""Updates handled concurrently across chats, in order within each chat.

Handling updates one after another lets one busy chat (a stranger sending sixty
``/help``, a flood of presses in a group) delay everyone. Each adapter instead takes a
:class:`Ticket` for an update's chat the moment the update arrives, before anything is
awaited, and handles the update inside ``async with ticket:``. A ticket waits for the
chat's previous ticket to finish, so a chat's updates (and their replies) keep their
order, and then for one of ``limit`` slots, so at most ``limit`` updates are handled at
once across chats (the database pool and memory stay bounded).

A slot is for work, not for waiting on a rate window: code that sleeps until a platform
lets it send (a 429's ``retry_after``, a channel's pacer) does it inside
:func:`waiting`, which lends the slot to another chat meanwhile. The waiting chat keeps
its place in its own line, so its order is unchanged.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

#: The ticket of the update being handled in this task, if any.
_HOLDING: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar(
    "relais_chat_line", default=None
)


class Ticket:
    """One update's place in its chat's line; ``async with`` it to handle the update."""

    def __init__(self, lines: ChatLines, key: str, before: asyncio.Future[None] | None) -> None:
        self._lines = lines
        self._key = key
        self._before = before
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        #: True once the update's turn came (it started being handled).
        self.started = False
        #: Whether it holds one of the slots now (not while :func:`waiting`).
        self.holding = False
        self._token: contextvars.Token[Ticket | None] | None = None

    async def __aenter__(self) -> None:
        before = self._before
        try:
            if before is not None:
                await asyncio.shield(before)
            await self._lines.slots.acquire()
        except BaseException:
            self.close()  # given up before its turn
            raise
        self.started = self.holding = True
        self._token = _HOLDING.set(self)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _HOLDING.reset(self._token)
        if self.holding:
            self.holding = False
            self._lines.slots.release()
        self._finish()

    def close(self) -> None:
        """Give the place up if the update never took its turn (it was refused before
        being handled); the chat's next update still waits for the previous one."""
        if self.started or self.done.done():
            return
        before = self._before
        if before is not None and not before.done():
            before.add_done_callback(lambda _: self._finish())
        else:
            self._finish()

    def _finish(self) -> None:
        """The next update of this chat may go; the chat is forgotten when idle."""
        if not self.done.done():
            self.done.set_result(None)
        lines = self._lines
        if lines._tails.get(self._key) is self.done:
            del lines._tails[self._key]
            if not lines._tails:
                lines._idle.set()


class ChatLines:
    """One line per chat, ``limit`` updates handled at once across all lines."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one update must be handled at a time")
        self.limit = limit
        self.slots = asyncio.Semaphore(limit)
        self._tails: dict[str, asyncio.Future[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    def ticket(self, key: str) -> Ticket:
        """A place at the end of ``key``'s line. Take it synchronously, in the order the
        updates arrived: that order is the one kept."""
        ticket = Ticket(self, key, self._tails.get(key))
        self._tails[key] = ticket.done
        self._idle.clear()
        return ticket

    async def wait_idle(self, seconds: float) -> bool:
        """Until no chat has an update waiting or in hand, or ``seconds``; whether it
        became idle (shutting down lets updates in hand finish)."""
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            return False
        return True

    @property
    def busy_chats(self) -> int:
        """Chats with an update waiting or in hand."""
        return len(self._tails)


@asynccontextmanager
async def waiting() -> AsyncIterator[None]:
    """Around a wait for a rate window: the update's slot goes to another chat meanwhile
    and is taken back after (outside any update, nothing changes)."""
    ticket = _HOLDING.get()
    if ticket is None or not ticket.holding:
        yield
        return
    ticket.holding = False
    ticket._lines.slots.release()
    try:
        yield
    finally:
        await ticket._lines.slots.acquire()
        ticket.holding = True


def answering() -> bool:
    """Whether this task is handling an update, so what it sends is a reply someone is
    waiting for (a rate gate serves those before a broadcast's messages)."""
    return _HOLDING.get() is not None
