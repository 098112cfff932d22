"""The console platform: every person and channel of a network in one terminal.

It is the default platform (no token needed), a demo tool, and the test harness: a
transcript replays deterministically. The grammar (also in the README)::

    # a comment
    @alice /start            alice writes "/start" in her private chat with the bot
    @alice [2]               alice presses button 2 of the newest message with buttons there
    @alice [3.2]             ... button 2 of message 3 (numbers are shown after the buttons)
    @alice [Business]        ... or the button whose label is Business
    @alice https://x.test    alice writes free text
    @alice #business hi      alice writes "hi" in the channel of category business
    @alice +#business        alice joins the channel of category business
    @alice <file:poster.png> alice sends a file (read from disk) in her private chat
    ~ +7d                    the clock moves 7 days (also +3h, +30m, +2w)

Every message with buttons shows its number, and its buttons stay pressable, even after a
restart (:mod:`bot.platforms.console_keys`). With ``save_dir`` every image and file the
bot sends is written there too, and its path printed.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from bot.core import ids
from bot.core.port import OPEN_PRIVATE, Attachment, Button, Event, Outgoing
from bot.platforms.console_keys import KEPT, KeyboardStore

if TYPE_CHECKING:
    from bot.app import Relais

NAME = "console"
_LINE = re.compile(r"^@(?P<user>[\w.-]+)\s*(?P<joins>\+)?(?:#(?P<channel>[\w-]+)\s*)?(?P<rest>.*)$")
_PRESS = re.compile(r"^\[(?P<which>[^\]]+)\]$")
_FILE = re.compile(r"^<file:(?P<path>[^>]+)>$")
#: ``[3.2]``: button 2 of message 3.
_NUMBERED = re.compile(r"^(?P<message>\d{1,9})\.(?P<button>\d{1,3})$")
#: What a saved file's name keeps of the name the bot gave it.
_UNSAFE = re.compile(r"[^\w.-]+")
_CLOCK = re.compile(r"^~\s*\+(?P<amount>\d+)(?P<unit>[mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Advanceable(Protocol):
    def advance(self, delta: timedelta) -> None: ...


def _read_file(name: str) -> Attachment | str:
    """A file a transcript sends (``<file:PATH>``), or why it cannot be read."""
    path = Path(name).expanduser()
    try:
        content = path.read_bytes()
    except OSError as error:
        return error.strerror or "unreadable"
    return Attachment(path.name, len(content), content)


class ConsoleError(ValueError):
    """A transcript line the console cannot play."""


def channel_chat(category: str) -> str:
    return f"#{category}"


class ConsolePlatform:
    """Prints what the bot sends and turns typed lines into events."""

    name = NAME

    #: The person at the keyboard runs Relais: ``[limits] updates_per_minute`` does not
    #: apply (a transcript replays a whole session at once).
    throttled = False

    def __init__(
        self, app: Relais, out: TextIO | None = None, *, save_dir: Path | None = None
    ) -> None:
        self.app = app
        #: None: whatever ``sys.stdout`` is when printing (the REPL swaps it so that
        #: what jobs print appears above the line being typed).
        self._out = out
        self.save_dir = save_dir
        self.store = KeyboardStore(app.sessions)
        self._earlier_number: int | None = None
        self._next_message_id = 0
        #: chat id → (message id, buttons) of the newest message with buttons there.
        self._keyboards: dict[str, tuple[str, list[Button]]] = {}
        #: (chat id, message number) → buttons, for every message with buttons this run.
        self._messages: dict[tuple[str, int], list[Button]] = {}
        #: Chats this run sent to: their newest keyboard is known here, not in the store.
        self._seen: set[str] = set()
        #: Everything sent, in order, so tests can read what a text print leaves out
        #: (an attached file's content, an image's bytes).
        self.history: list[Outgoing] = []
        app.attach(self)

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def _earlier(self) -> int:
        """The highest message number kept from earlier runs (read once)."""
        if self._earlier_number is None:
            last = await self.store.last_number()
            if self._earlier_number is None:  # not read meanwhile by another send
                self._earlier_number = last
                self._next_message_id = max(self._next_message_id, last)
        return self._earlier_number

    async def _number(self) -> int:
        """The next message number, following the highest one kept from earlier runs."""
        await self._earlier()
        self._next_message_id += 1
        return self._next_message_id

    # -- output ------------------------------------------------------------------

    async def send(self, outgoing: Outgoing) -> str:
        self.history.append(outgoing)
        address, message = outgoing.address, outgoing.message
        chat = address.chat_id
        self._seen.add(chat)
        target = chat if chat.startswith("#") else f"@{chat}"
        buttons = [button for row in message.buttons for button in row]
        if outgoing.edit_message_id is not None:
            message_id = outgoing.edit_message_id
            header = f"→ {target} (edited):"
            number = ids.row_id(message_id, hash_sign=False)
            newest = self._keyboards.get(chat)
            if newest is not None and newest[0] == message_id and not buttons:
                del self._keyboards[chat]
            # Its buttons, if it had any (this run or an earlier one), are gone.
            gone = number is not None and not buttons
            if gone and number is not None:
                self._messages.pop((chat, number), None)
        else:
            gone = False
            number = await self._number()
            message_id = str(number)
            header = f"→ {target}:"
        lines = message.text.splitlines() or [""]
        self._print(f"{header} {lines[0]}")
        for line in lines[1:]:
            self._print(f"    {line}")
        if message.image_png is not None:
            saved = self._save(message_id, "image.png", message.image_png)
            self._print(f"    [image: {len(message.image_png)} bytes{saved}]")
        if message.document is not None:
            name, content = message.document
            saved = self._save(message_id, name, content)
            self._print(f"    [file: {name}, {len(content)} bytes{saved}]")
        if outgoing.pin is not None:
            self._print("    [pinned]" if outgoing.pin else "    [unpinned]")
        if buttons:
            self._keyboards[chat] = (message_id, buttons)
            numbered = "  ".join(
                f"[{i}] {b.label}" + (" ↗" if b.url else "") for i, b in enumerate(buttons, start=1)
            )
            self._print(f"    {numbered}   (message {message_id})")
        # Kept only once printed: a message's lines are never split by another chat's.
        if buttons and number is not None:
            self._messages[(chat, number)] = buttons
            if len(self._messages) > KEPT:  # the oldest are still in the store
                del self._messages[next(iter(self._messages))]
            await self.store.save(chat, number, buttons, self.app.clock.now())
        elif gone and number is not None:
            await self.store.drop(chat, number)
        return message_id

    def _save(self, message_id: str, name: str, content: bytes) -> str:
        """Write a sent file under ``save_dir``; the words that tell where, or nothing."""
        if self.save_dir is None:
            return ""
        safe = _UNSAFE.sub("_", Path(name).name).strip("._") or "file"
        path = self.save_dir / f"{message_id}-{safe}"
        try:
            self.save_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as error:
            return f", not saved: {error.strerror or error}"
        return f", saved as {path}"

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # -- input -------------------------------------------------------------------

    async def play_line(self, line: str, *, echo: bool = True) -> None:
        """Play one transcript line: a person's message or press, a clock move, a comment.
        ``echo``: print the line first, as a transcript's output shows who said what (a
        terminal already shows what was typed)."""
        line = line.strip()
        if not line or line.startswith("#"):
            if line and echo:
                self._print(line)
            return
        clock = _CLOCK.match(line)
        if clock:
            if echo:  # before what it triggers
                self._print(line)
            await self._advance(timedelta(**{_UNITS[clock["unit"]]: int(clock["amount"])}))
            return
        match = _LINE.match(line)
        if match is None:
            raise ConsoleError(f"cannot read {line!r}: start with @name, ~ +7d or #")
        if echo:
            self._print(line)
        if match["joins"] and match["channel"]:
            event: Event | None = Event(
                platform=NAME,
                user_id=match["user"],
                user_name=match["user"].capitalize(),
                chat_id=channel_chat(match["channel"]),
                is_private=False,
                joined=True,
            )
        else:
            event = await self._event(match["user"], match["channel"], match["rest"].strip())
        if event is not None:
            await self.app.dispatch(event, self)
            # Broadcasts queued by this line go out before the next line is read, so a
            # transcript reads in the order things happen.
            await self.app.sender.drain()

    async def _advance(self, delta: timedelta) -> None:
        clock = self.app.clock
        if not hasattr(clock, "advance"):
            raise ConsoleError("this clock cannot be moved")
        clock.advance(delta)
        await self.app.on_clock_moved()

    async def _event(self, user: str, channel: str | None, rest: str) -> Event | None:
        chat = channel_chat(channel) if channel else user
        common = {
            "platform": NAME,
            "user_id": user,
            "user_name": user.capitalize(),
            "chat_id": chat,
            "is_private": channel is None,
        }
        press = _PRESS.match(rest)
        if press:
            found = await self._find_button(chat, press["which"])
            if found is None:
                self._print(f"    (no button {press['which']!r} in {chat})")
                return None
            message_id, button = found
            if button.url is not None:
                return self._follow(user, button.url)
            return Event(**common, payload=button.payload, message_id=message_id)  # type: ignore[arg-type]
        sent = _FILE.match(rest)
        if sent:
            attachment = await asyncio.to_thread(_read_file, sent["path"].strip())
            if isinstance(attachment, str):
                self._print(f"    (cannot read {sent['path'].strip()}: {attachment})")
                return None
            return Event(**common, attachment=attachment)  # type: ignore[arg-type]
        if rest.startswith("/"):
            name, *args = rest[1:].split()
            return Event(**common, command=name.split("@")[0].lower(), args=tuple(args))  # type: ignore[arg-type]
        return Event(**common, text=rest)  # type: ignore[arg-type]

    def _follow(self, user: str, url: str) -> Event | None:
        """A link button: opening the private chat sends ``/start <arg>`` there, as the
        Telegram app does with a deep link; other links are only shown."""
        if not url.startswith(OPEN_PRIVATE):
            self._print(f"    (opens {url})")
            return None
        start = url.partition("?start=")[2]
        return Event(
            platform=NAME,
            user_id=user,
            user_name=user.capitalize(),
            chat_id=user,
            is_private=True,
            command="start",
            args=(start,) if start else (),
        )

    async def _find_button(self, chat: str, which: str) -> tuple[str, Button] | None:
        numbered = _NUMBERED.match(which)
        if numbered:
            number, index = int(numbered["message"]), int(numbered["button"])
            buttons = self._messages.get((chat, number))
            if buttons is None:
                kept = await self.store.find(chat, number)
                buttons = kept[1] if kept else []
            if 1 <= index <= len(buttons):
                return str(number), buttons[index - 1]
            return None
        newest = self._keyboards.get(chat)
        if newest is None and chat not in self._seen:
            kept = await self.store.find(chat, None)  # from before a restart
            if kept is not None:
                newest = self._keyboards[chat] = (str(kept[0]), kept[1])
        if newest is None:
            return None
        message_id, buttons = newest
        position = ids.row_id(which, hash_sign=False)
        if position is not None and 1 <= position <= len(buttons):
            return message_id, buttons[position - 1]
        for button in buttons:
            if button.label.casefold() == which.casefold():
                return message_id, button
        return None

    async def play(self, lines: Iterable[str]) -> None:
        for line in lines:
            await self.play_line(line)

    async def repl(self, banner: str, reader: LineReader) -> None:
        """Read lines from the terminal until end of input or ``/quit``."""
        with reader.printing_above():
            self._print(banner)
            while True:
                line = await reader.read("> ")
                if line is None or line.strip() in QUIT:
                    return
                try:
                    await self.play_line(line, echo=reader.echo)
                except ConsoleError as error:
                    self._print(f"    ({error})")


#: What ends the interactive console, besides Ctrl-D.
QUIT = ("/quit", "/exit")


class LineReader(Protocol):
    """Where the REPL's lines come from (see :mod:`bot.platforms.console_prompt`)."""

    #: Whether to print each line read (no: the terminal shows what was typed).
    echo: bool

    async def read(self, prompt: str) -> str | None: ...

    def printing_above(self) -> AbstractContextManager[object]: ...
