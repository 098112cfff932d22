"""The console platform: every person and channel of a network in one terminal.

It is the default platform (no token needed), a demo tool, and the test harness: a
transcript replays deterministically. The grammar (also in the README)::

    # a comment
    @alice /start            alice writes "/start" in her private chat with the bot
    @alice [2]               alice presses button 2 of the newest message with buttons there
    @alice [Business]        ... or the button whose label is Business
    @alice https://x.test    alice writes free text
    @alice #business hi      alice writes "hi" in the channel of category business
    @alice +#business        alice joins the channel of category business
    ~ +7d                    the clock moves 7 days (also +3h, +30m, +2w)
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, TextIO

from bot.core import ids
from bot.core.port import OPEN_PRIVATE, Button, Event, Outgoing

if TYPE_CHECKING:
    from bot.app import Relais

NAME = "console"
_LINE = re.compile(r"^@(?P<user>[\w.-]+)\s*(?P<joins>\+)?(?:#(?P<channel>[\w-]+)\s*)?(?P<rest>.*)$")
_PRESS = re.compile(r"^\[(?P<which>[^\]]+)\]$")
_CLOCK = re.compile(r"^~\s*\+(?P<amount>\d+)(?P<unit>[mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Advanceable(Protocol):
    def advance(self, delta: timedelta) -> None: ...


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

    def __init__(self, app: Relais, out: TextIO | None = None) -> None:
        self.app = app
        self.out = out or sys.stdout
        self._next_message_id = 0
        #: chat id → (message id, buttons) of the newest message with buttons there.
        self._keyboards: dict[str, tuple[str, list[Button]]] = {}
        #: Everything sent, in order, so tests can read what a text print leaves out
        #: (an attached file's content, an image's bytes).
        self.history: list[Outgoing] = []
        app.attach(self)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    # -- output ------------------------------------------------------------------

    async def send(self, outgoing: Outgoing) -> str:
        self.history.append(outgoing)
        address, message = outgoing.address, outgoing.message
        target = address.chat_id if address.chat_id.startswith("#") else f"@{address.chat_id}"
        if outgoing.edit_message_id is not None:
            message_id = outgoing.edit_message_id
            header = f"→ {target} (edited):"
            newest = self._keyboards.get(address.chat_id)
            if newest is not None and newest[0] == message_id and not message.buttons:
                del self._keyboards[address.chat_id]
        else:
            self._next_message_id += 1
            message_id = str(self._next_message_id)
            header = f"→ {target}:"
        lines = message.text.splitlines() or [""]
        self._print(f"{header} {lines[0]}")
        for line in lines[1:]:
            self._print(f"    {line}")
        if message.image_png is not None:
            self._print(f"    [image: {len(message.image_png)} bytes]")
        if message.document is not None:
            name, content = message.document
            self._print(f"    [file: {name}, {len(content)} bytes]")
        if outgoing.pin is not None:
            self._print("    [pinned]" if outgoing.pin else "    [unpinned]")
        buttons = [button for row in message.buttons for button in row]
        if buttons:
            self._keyboards[address.chat_id] = (message_id, buttons)
            numbered = "  ".join(
                f"[{i}] {b.label}" + (" ↗" if b.url else "") for i, b in enumerate(buttons, start=1)
            )
            self._print(f"    {numbered}")
        return message_id

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # -- input -------------------------------------------------------------------

    async def play_line(self, line: str) -> None:
        """Play one transcript line: a person's message or press, a clock move, a comment."""
        line = line.strip()
        if not line or line.startswith("#"):
            if line:
                self._print(line)
            return
        clock = _CLOCK.match(line)
        if clock:
            await self._advance(timedelta(**{_UNITS[clock["unit"]]: int(clock["amount"])}))
            self._print(line)
            return
        match = _LINE.match(line)
        if match is None:
            raise ConsoleError(f"cannot read {line!r}: start with @name, ~ +7d or #")
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
            event = self._event(match["user"], match["channel"], match["rest"].strip())
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

    def _event(self, user: str, channel: str | None, rest: str) -> Event | None:
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
            found = self._find_button(chat, press["which"])
            if found is None:
                self._print(f"    (no button {press['which']!r} in {chat})")
                return None
            message_id, button = found
            if button.url is not None:
                return self._follow(user, button.url)
            return Event(**common, payload=button.payload, message_id=message_id)  # type: ignore[arg-type]
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

    def _find_button(self, chat: str, which: str) -> tuple[str, Button] | None:
        newest = self._keyboards.get(chat)
        if newest is None:
            return None
        message_id, buttons = newest
        index = ids.row_id(which, hash_sign=False)
        if index is not None and 1 <= index <= len(buttons):
            return message_id, buttons[index - 1]
        for button in buttons:
            if button.label.casefold() == which.casefold():
                return message_id, button
        return None

    async def play(self, lines: Iterable[str]) -> None:
        for line in lines:
            await self.play_line(line)

    async def repl(self) -> None:
        """Read lines from the terminal until end of input."""
        self._print("Relais console — @name text, @name [n] to press, ~ +7d, Ctrl-D to quit")
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, _read_prompt)
            if line is None:
                return
            try:
                await self.play_line(line)
            except ConsoleError as error:
                self._print(f"    ({error})")


def _read_prompt() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None
