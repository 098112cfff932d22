"""Where the interactive console reads its lines: a terminal with line editing, or not.

On a terminal, prompt_toolkit gives the line editing and history people expect of a
shell (arrows, Ctrl-R, Home/End; pure Python, so the same on every system, unlike the
standard ``readline``, which is missing on Windows and is libedit on macOS), and keeps
the line being typed below whatever the bot prints meanwhile (the clock's jobs print
while you type). When standard input or output is not a terminal (a pipe, an editor's
shell, a test), :class:`PlainReader` reads lines with ``input()`` instead.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import AbstractContextManager, nullcontext


class TerminalReader:
    """Line editing and history (for this session) through prompt_toolkit."""

    #: The terminal already shows the line typed: printing it again would double it.
    echo = False

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        self._session: PromptSession[str] = PromptSession(history=InMemoryHistory())

    async def read(self, prompt: str) -> str | None:
        while True:
            try:
                return await self._session.prompt_async(prompt)
            except EOFError:
                return None
            except KeyboardInterrupt:
                continue  # Ctrl-C clears the line, as in a shell; Ctrl-D or /quit leaves

    def printing_above(self) -> AbstractContextManager[object]:
        from prompt_toolkit.patch_stdout import patch_stdout

        return patch_stdout(raw=True)


class PlainReader:
    """``input()``: for a terminal on one side only (output to a file keeps each line)."""

    def __init__(self, *, echo: bool) -> None:
        self.echo = echo

    async def read(self, prompt: str) -> str | None:
        try:
            return await asyncio.to_thread(input, prompt)
        except EOFError:
            return None

    def printing_above(self) -> AbstractContextManager[object]:
        return nullcontext()


def reader() -> TerminalReader | PlainReader:
    """The best reader for the standard input and output this process has."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalReader()
    return PlainReader(echo=not sys.stdout.isatty())
