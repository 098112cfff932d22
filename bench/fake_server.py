"""The fake Bot API server in a process of its own, with a small control API.

A benchmark measures the bot's process; running the fake Telegram beside it on the
same core would bill the bot for the server's work. ``python -m bench.fake_server``
prints its port on standard output, then serves until standard input closes.

Control endpoints (JSON): ``POST /control/users`` (people who opened the private chat),
``POST /control/push`` (updates the server builds and queues, so a button press refers
to the message the bot really sent), ``POST /control/enforce`` (flood limits scaled by a
factor), ``POST /control/reset``, ``GET /control/stats``, ``POST /control/chat`` (how many
messages one chat received, and when the server accepted the last), ``POST`` and ``GET
/control/script`` (the burst benchmark's members, see :mod:`bench.burst_fake`), ``GET
/control/script/progress``, ``POST /control/script/probe``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

from aiohttp import web

from bench.burst_fake import BurstScript
from tests.support.fake_telegram import JSON, FakeTelegram


class ControlledFake(FakeTelegram):
    def __init__(self) -> None:
        super().__init__()
        #: chat id → when each of its messages was accepted (monotonic seconds).
        self.accepted_in: dict[int, list[float]] = {}
        self.script = BurstScript()

    def _store(self, message: JSON, p: JSON) -> JSON:
        stored = super()._store(message, p)
        self.accepted_in.setdefault(int(message["chat"]["id"]), []).append(self.accepted_at[-1])
        self.script.on_message(self, stored, "sendMessage", self.accepted_at[-1])
        return stored

    async def _api_editMessageText(self, p: JSON) -> JSON:
        edited = await super()._api_editMessageText(p)
        self.script.on_message(self, edited, "editMessageText", time.monotonic())
        return edited

    async def _api_answerCallbackQuery(self, p: JSON) -> bool:
        answered = await super()._api_answerCallbackQuery(p)
        self.script.on_answer(str(p["callback_query_id"]))
        return answered

    def _flood_wait(self, method: str, params: Any) -> float:
        wait = super()._flood_wait(method, params)
        if wait > 0:
            chat = params.get("chat_id")
            self.script.on_flood(int(chat) if chat is not None else None)
        return wait

    async def _control_script(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            return web.json_response(self.script.report())
        body = await request.json()
        scripts = {int(chat): actions for chat, actions in body["scripts"].items()}
        self.script.load(str(body["trigger"]), scripts)
        return web.json_response({"ok": True, "chats": len(scripts)})

    async def _control_script_probe(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.script.probe(self, int(body["chat"]), str(body["text"]))
        return web.json_response({"ok": True})

    async def _control_script_progress(self, _request: web.Request) -> web.Response:
        return web.json_response(self.script.progress())

    async def _control_chat(self, request: web.Request) -> web.Response:
        times = self.accepted_in.get(int((await request.json())["chat_id"]), [])
        return web.json_response({"count": len(times), "last": times[-1] if times else 0.0})

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/control/chat", self._control_chat)
        app.router.add_post("/control/users", self._control_users)
        app.router.add_post("/control/push", self._control_push)
        app.router.add_post("/control/push_raw", self._control_push_raw)
        app.router.add_post("/control/enforce", self._control_enforce)
        app.router.add_post("/control/reset", self._control_reset)
        app.router.add_get("/control/stats", self._control_stats)
        app.router.add_route("*", "/control/script", self._control_script)
        app.router.add_get("/control/script/progress", self._control_script_progress)
        app.router.add_post("/control/script/probe", self._control_script_probe)

    async def _control_users(self, request: web.Request) -> web.Response:
        body = await request.json()
        for user_id in body["ids"]:
            self.user(int(user_id), f"U{user_id}", language_code=body.get("language", "en"))
            if body.get("started", True):
                self.open_private_chat(int(user_id))
        return web.json_response({"ok": True})

    async def _control_push(self, request: web.Request) -> web.Response:
        """``actions``: ``[kind, user_id, text_or_label]`` with kind command, text, press."""
        body = await request.json()
        updates: list[JSON] = []
        for kind, user_id, value in body["actions"]:
            user = self._users[int(user_id)]
            if kind == "press":
                message = self.last_message(user["id"], with_buttons=True)
                updates.append(self.press(user, message, value))
            else:
                updates.append(self.text(user, value))
        self.push(*updates)
        return web.json_response({"ok": True, "count": len(updates)})

    async def _control_push_raw(self, request: web.Request) -> web.Response:
        """Queue updates exactly as given (a baseline replays what the bot received)."""
        body = await request.json()
        self.push(*body["updates"])
        return web.json_response({"ok": True, "count": len(body["updates"])})

    async def _control_enforce(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.enforce_limits(float(body["factor"]), paid=int(body.get("paid", 1000)))
        return web.json_response({"ok": True})

    async def _control_reset(self, _request: web.Request) -> web.Response:
        self.calls.clear()
        self.floods = 0
        self.paid_accepted = 0
        self.accepted_at.clear()
        self.accepted_in.clear()
        self._messages.clear()
        self._poll.updates.clear()
        self.limits = None
        self._overall = None
        self._chat_windows = {}
        self.script.clear()
        return web.json_response({"ok": True})

    async def _control_stats(self, _request: web.Request) -> web.Response:
        delivered = self.delivered()
        stats: dict[str, Any] = {
            "calls": Counter(call.method for call in self.calls),
            "floods": self.floods,
            "paid": self.paid_accepted,
            "pending": len(self._poll.updates),
            "accepted": len(self.accepted_at),
            "first": min(self.accepted_at, default=0.0),
            "last": max(self.accepted_at, default=0.0),
            "chats": len(delivered),
            "twice": sum(len(texts) - len(set(texts)) for texts in delivered.values()),
        }
        return web.json_response(stats)


async def main() -> None:
    fake = ControlledFake()
    await fake.start()
    print(json.dumps({"port": fake.port, "token": fake.token}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes it
    await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
