"""The fake server's side of the burst benchmark: members who act on a campaign at
times counted from the moment it reached their own chat.

The benchmark hands the fake server a script per chat (``POST /control/script``): the
label of the button that marks the campaign's message (``Done``), and actions, each a
delay after that message's receipt in the chat, a kind (``press`` a button of the
campaign's message, or send a ``text``) and a tag the benchmark reads back. When the
campaign's message is accepted in a chat, the server starts that chat's timers on its
own event loop; each action then becomes an update waiting for ``getUpdates``, and the
instant it becomes available is recorded. Every message the bot sends into a scripted
chat after its campaign message, every ``answerCallbackQuery`` and every 429 is recorded
with the server's monotonic clock, so latencies never include the benchmark's own
round trips (``GET /control/script`` returns it all). A probe (``POST
/control/script/probe``) is a text from an unscripted chat, pushed at once and its replies
timed the same way: the baseline of a quiet bot in the same run.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

JSON = dict[str, Any]


class BurstScript:
    """The scripts, and what happened in the scripted chats."""

    def __init__(self) -> None:
        self._handles: list[asyncio.TimerHandle] = []
        self._reset()

    def _reset(self) -> None:
        self.trigger = ""
        #: chat id → [delay, kind, value, tag] actions.
        self.scripts: dict[int, list[list[Any]]] = {}
        #: chat id → when each message carrying the trigger button was accepted.
        self.received: dict[int, list[float]] = {}
        #: chat id → [accepted at, method, text] of the bot's later messages there.
        self.replies: dict[int, list[list[Any]]] = {}
        #: One record per action fired: update id, chat, tag, when it was available.
        self.updates: list[JSON] = []
        #: callback query id → when the bot answered it.
        self.answers: dict[str, list[float]] = {}
        #: 429s given in scripted chats: [when, chat, whether after the campaign's receipt].
        self.floods: list[list[Any]] = []
        self.scheduled = 0
        #: chat id → [when a probe's text became available, when each reply came].
        self.probes: dict[int, list[Any]] = {}

    def load(self, trigger: str, scripts: dict[int, list[list[Any]]]) -> None:
        self.clear()
        self.trigger = trigger
        self.scripts = scripts

    def clear(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles = []
        self._reset()

    @property
    def pending(self) -> int:
        """Actions scheduled and not fired yet."""
        return self.scheduled - len(self.updates)

    def on_message(self, fake: Any, message: JSON, method: str, at: float) -> None:
        """A message the bot sent (or edited) was accepted at ``at``."""
        chat = int(message["chat"]["id"])
        if chat in self.probes:
            self.probes[chat][1].append(at)
            return
        script = self.scripts.get(chat)
        if script is None:
            return
        if method != "editMessageText" and self._carries_trigger(message):
            times = self.received.setdefault(chat, [])
            times.append(at)
            if len(times) == 1:
                loop = asyncio.get_running_loop()
                for delay, kind, value, tag in script:
                    self.scheduled += 1
                    self._handles.append(
                        loop.call_later(
                            float(delay), self._fire, fake, chat, kind, value, tag, message
                        )
                    )
            return
        if chat in self.received:
            self.replies.setdefault(chat, []).append([at, method, message.get("text") or ""])

    def probe(self, fake: Any, chat: int, text: str) -> None:
        """``text`` from ``chat`` now, its replies timed (the same run's baseline)."""
        fake.push(fake.text(fake._users[chat], text))
        self.probes[chat] = [time.monotonic(), []]

    def on_answer(self, query_id: str) -> None:
        self.answers.setdefault(query_id, []).append(time.monotonic())

    def on_flood(self, chat: int | None) -> None:
        if chat is not None and chat in self.scripts:
            self.floods.append([time.monotonic(), chat, chat in self.received])

    def _carries_trigger(self, message: JSON) -> bool:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return any(button.get("text") == self.trigger for row in rows for button in row)

    def _fire(self, fake: Any, chat: int, kind: str, value: str, tag: str, message: JSON) -> None:
        user = fake._users[chat]
        update = fake.press(user, message, value) if kind == "press" else fake.text(user, value)
        fake.push(update)
        query = update.get("callback_query")
        self.updates.append(
            {
                "update_id": update["update_id"],
                "chat": chat,
                "tag": tag,
                "at": time.monotonic(),
                "query": query["id"] if query is not None else None,
            }
        )

    def report(self) -> JSON:
        return {
            "trigger": self.trigger,
            "received": {str(chat): times for chat, times in self.received.items()},
            "replies": {str(chat): items for chat, items in self.replies.items()},
            "updates": self.updates,
            "answers": self.answers,
            "floods": self.floods,
            "pending": self.pending,
            "probes": {str(chat): probe for chat, probe in self.probes.items()},
        }

    def progress(self) -> JSON:
        last = max((items[-1][0] for items in self.replies.values() if items), default=0.0)
        return {
            "received": len(self.received),
            "fired": len(self.updates),
            "pending": self.pending,
            "last_reply": last,
            "now": time.monotonic(),
        }
