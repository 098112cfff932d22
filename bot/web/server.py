"""Serving the web application on ``[web] listen`` until told to stop."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.app import AccessLogger, WebContext, build

log = logging.getLogger(__name__)


class WebServer:
    """The application on one address; ``start`` and ``stop`` like a platform."""

    name = "web"

    def __init__(self, context: WebContext, host: str, port: int) -> None:
        self.context = context
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(
            build(self.context),
            access_log_class=AccessLogger,
            access_log=logging.getLogger("bot.web.access"),
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("web: listening on %s:%s", self.host, self.port)

    @property
    def port_bound(self) -> int:
        """The port actually listened on (``0`` in config picks a free one: tests)."""
        assert self._runner is not None
        for address in self._runner.addresses:
            return int(address[1])
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
