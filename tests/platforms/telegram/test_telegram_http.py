"""The aiohttp transport's proxies: read from the environment once per Bot API host.

A little aiohttp server plays the proxy: a request sent through it arrives in absolute
form (``POST http://api.example.invalid/bot…``), so the test sees which requests went
through the proxy and which went straight to the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.platforms.telegram.http import AiohttpRequest


class Recorder:
    """An HTTP server that answers every request with an empty Bot API success."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(str(request.url))
        return web.json_response({"ok": True, "result": True})


@pytest.fixture
async def server() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.port = runner.addresses[0][1]
    yield recorder
    await runner.cleanup()


async def _call(url: str) -> int:
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _ = await request.do_request(url, "POST")
    finally:
        await request.shutdown()
    return status


async def test_calls_go_through_the_environments_proxy(
    server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("no_proxy", "NO_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    assert await _call("http://api.example.invalid/bot123:T/getMe") == 200
    assert server.seen == ["http://api.example.invalid/bot123:T/getMe"]


async def test_no_proxy_hosts_are_called_directly(
    server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert await _call(f"http://127.0.0.1:{server.port}/bot123:T/getMe") == 200
    assert server.seen == [f"http://127.0.0.1:{server.port}/bot123:T/getMe"]


async def test_the_environment_is_read_once_per_host(
    server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Later changes to the variables do not reach a running transport (as with
    httpx, which read them when the client was made); a new session reads them again."""
    for name in ("no_proxy", "NO_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    request = AiohttpRequest()
    await request.initialize()
    try:
        await request.do_request("http://api.example.invalid/bot1:T/getMe", "POST")
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        status, _ = await request.do_request("http://api.example.invalid/bot1:T/getMe", "POST")
    finally:
        await request.shutdown()
    assert status == 200
    assert len(server.seen) == 2
