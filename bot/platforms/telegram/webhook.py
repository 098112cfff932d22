"""Telegram's webhook, answered only once the update was handled.

python-telegram-bot's webhook server answers 200 as soon as an update is queued, before
it is handled: a process that dies then (a crash, a SIGKILL, a host that goes down) has
acknowledged an update whose effect it never wrote, and Telegram will not send it again.
Relais answers 200 only after the update's turn ended (its transaction committed, or
the person was told it failed). A request that gets no 200 — the process was killed, the
reverse proxy answered 502, Relais is stopping (503) — is sent again by Telegram, to any
process behind the proxy; the recorded delivery ids in the database make a second
delivery of one that had committed a no-op.

Answering late is also what keeps a chat's order across processes: Telegram sends a
chat's updates one at a time, the next once the previous one was answered, so the next
update of a chat, whichever process it reaches, starts after the previous one committed.

A request without the secret token the webhook was registered with gets 403 and is not
read (``X-Telegram-Bot-Api-Secret-Token``, compared in constant time).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's updates are small; a larger body is not one.
MAX_BODY = 1024 * 1024
#: Seconds stopping waits for requests in hand (the adapter lets their updates finish).
SHUTDOWN_TIMEOUT = 10.0

#: Handles one update's JSON; True once it was handled (its effect committed).
Handle = Callable[[dict[str, Any]], Awaitable[bool]]


class WebhookServer:
    """An aiohttp server on ``listen:port`` that accepts ``POST /path``."""

    def __init__(self, *, listen: str, port: int, path: str, secret: str, handle: Handle) -> None:
        self.listen, self.port = listen, port
        self.path = "/" + path.strip("/")
        self.secret = secret.encode()
        self.handle = handle
        self.stopping = False
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._post)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()

    async def stop(self) -> None:
        """New requests get 503 (Telegram sends them again, to another process); the
        ones in hand are answered once their updates finish."""
        self.stopping = True
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _post(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=403)
        if self.stopping:
            return web.Response(status=503)
        try:
            data = await request.json()
        except (ValueError, json.JSONDecodeError):
            return web.Response(status=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400)
        if await self.handle(data):
            return web.Response(status=200)
        return web.Response(status=503)
