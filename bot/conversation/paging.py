"""Long lists in a chat, a page at a time: Previous and Next buttons, and how many remain.

A coordinator of a network of thousands cannot read ``/pending`` or ``/members`` at once,
and a list that stops at its first lines hides the rest. Each list reads the page it
needs (an offset and a count, in SQL), and this module does the rest the same way for
every list: which page is shown, the line that says where the reader is and how much
remains, the buttons, and editing the list in place when a button is pressed.

Each list declares its own button family, a subclass of :class:`PagePress` with its own
prefix (``pg:ap`` for ``/pending``…), registered with the role its command needs, so the
app's gate checks the presser on every press as it checks the command. A press carries
the page and the list's filters (canonical words: a category key, a stage), never what
was on the page: the page is read again, and a page that no longer exists (the list
shrank since) shows the last one instead of failing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.conversation.context import Context
from bot.core.payloads import Payload
from bot.core.port import Button, Message, Outgoing

T = TypeVar("T")
#: Joins a list's filter words in a payload (category keys and stages never hold it).
FILTER_SEPARATOR = ","


@dataclass(frozen=True)
class PagePress(Payload, prefix="pg"):
    """Show page ``page`` (from 0) of a list, with its filters; subclassed per list."""

    page: int
    filters: str | None = None

    def words(self) -> tuple[str, ...]:
        """The list's filters, as the command's arguments would give them."""
        return tuple(self.filters.split(FILTER_SEPARATOR)) if self.filters else ()


def pack_filters(words: Sequence[str]) -> str | None:
    """``words`` as a press carries them (None when there are none)."""
    kept = [word for word in words if word]
    return FILTER_SEPARATOR.join(kept) if kept else None


@dataclass(frozen=True, slots=True)
class Window:
    """Which slice of a list of ``total`` items a page shows."""

    page: int
    size: int
    total: int

    @classmethod
    def of(cls, page: int, size: int, total: int) -> Window:
        """Page ``page``, or the nearest that exists (a stale Next after the list shrank)."""
        pages = max(1, -(-total // size))
        return cls(min(max(page, 0), pages - 1), size, total)

    @property
    def offset(self) -> int:
        return self.page * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first item."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def after(self) -> int:
        """Items on the pages after this one."""
        return self.total - self.last


def footer(ctx: Context, window: Window) -> str | None:
    """Where the reader is and how many remain; None when everything fits on one page."""
    if window.pages <= 1:
        return None
    where = ctx._(
        "Page {page} of {pages} ({first}–{last} of {total}).",
        page=window.page + 1,
        pages=window.pages,
        first=window.first,
        last=window.last,
        total=window.total,
    )
    if window.after:
        rest = ctx.ngettext(
            "{n} more on the next pages.", "{n} more on the next pages.", window.after
        )
    else:
        rest = ctx._("This is the last page.")
    return f"{where} {rest}"


def buttons(ctx: Context, window: Window, press: Callable[[int], PagePress]) -> list[Button]:
    """Previous and Next, where there is a page to go to."""
    row = []
    if window.page > 0:
        row.append(Button(ctx._("◀ Previous"), press(window.page - 1).pack()))
    if window.page + 1 < window.pages:
        row.append(Button(ctx._("Next ▶"), press(window.page + 1).pack()))
    return row


def show(ctx: Context, text: str, rows: list[list[Button]]) -> None:
    """Answer with a page: a press rewrites the list it came from, a command replies."""
    message = Message.with_rows(text, [row for row in rows if row])
    if ctx.event.payload is not None and ctx.event.message_id is not None:
        message = Message(message.text, message.buttons, language=ctx.language)
        ctx.outbox.add(Outgoing(ctx.event.chat, message, edit_message_id=ctx.event.message_id))
    else:
        ctx.reply(message.text, [list(row) for row in message.buttons])


async def read_page(
    page: int, size: int, fetch: Callable[[int], Awaitable[tuple[list[T], int]]]
) -> tuple[Window, list[T]]:
    """Page ``page`` of a list that ``fetch(offset)`` reads (its items and total); when
    the page no longer exists, the last one (read again at its own offset)."""
    items, total = await fetch(max(page, 0) * size)
    window = Window.of(page, size, total)
    if window.page != page:
        items, total = await fetch(window.offset)
        window = Window.of(window.page, size, total)
    return window, items
