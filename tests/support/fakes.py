"""A stand-in for a chat platform's servers at the port: it records what would have been
sent and fails on demand (429, 403, network errors), like Telegram or Discord would."""

from __future__ import annotations

import os
from collections import Counter, defaultdict

from bot.core.port import Outgoing, RetryLater, TemporaryFailure, Unreachable


class RecordingPlatform:
    def __init__(self, name: str = "telegram", log_path: str | None = None) -> None:
        self.name = name
        self.sent: list[Outgoing] = []
        self.by_chat: defaultdict[str, list[str]] = defaultdict(list)
        #: chat id → how many more sends to refuse with a 429 (retry after 5 s).
        self.throttle: Counter[str] = Counter()
        #: chat id → how many more sends to fail with a network error.
        self.flaky: Counter[str] = Counter()
        #: chats whose person blocked the bot.
        self.blocked: set[str] = set()
        self.rejections = 0
        self._log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT) if log_path else None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, outgoing: Outgoing) -> str:
        chat = outgoing.address.chat_id
        if chat in self.blocked:
            self.rejections += 1
            raise Unreachable("Forbidden: bot was blocked by the user")
        if self.throttle[chat] > 0:
            self.throttle[chat] -= 1
            self.rejections += 1
            raise RetryLater(5)
        if self.flaky[chat] > 0:
            self.flaky[chat] -= 1
            self.rejections += 1
            raise TemporaryFailure("connection reset")
        self.sent.append(outgoing)
        self.by_chat[chat].append(outgoing.message.text)
        if self._log is not None:
            # One unbuffered write per message: it survives a SIGKILL of this process.
            os.write(self._log, f"{chat}\t{outgoing.message.text}\n".encode())
        return str(len(self.sent))


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it (pacing tests)."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay
