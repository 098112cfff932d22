"""What every page may use, stored on the application (:data:`CONTEXT`), and the size of
the request bodies pages read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.config import LANGUAGES, Settings
from bot.core.i18n import Translator


@dataclass(frozen=True, slots=True)
class WebContext:
    """What every page may use."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    translator: Translator
    #: The platforms running in this process (to reach members privately).
    platforms: Callable[[], tuple[str, ...]] = field(default=lambda: ())
    #: Platform → the link that opens the bot with a start code (Telegram's deep link).
    start_links: Callable[[], Mapping[str, str]] = field(default=lambda: {})
    #: To call after a page's write transaction committed: sends what it queued and
    #: brings server roles in line (the bot's app does it after an update).
    committed: Callable[[AsyncSession], Awaitable[None]] | None = None

    def language(self, request: web.Request, preferred: str | None = None) -> str:
        """The page's language: the person's own when known, else their browser's first
        language Relais speaks, else the network's."""
        if preferred in LANGUAGES:
            return preferred
        for part in request.headers.get("Accept-Language", "").split(","):
            code = part.split(";")[0].strip()[:2].lower()
            if code in LANGUAGES:
                return code
        return self.settings.network.default_language

    async def after_commit(self, session: AsyncSession) -> None:
        if self.committed is not None:
            await self.committed(session)


#: Where a reverse proxy on the same machine connects from.
LOOPBACK = ("127.0.0.1", "::1")


def client_address(request: web.Request) -> str:
    """The visitor's address, to be hashed (never stored): behind a reverse proxy every
    request comes from the proxy, so for a request from the loopback it is the first of
    ``X-Forwarded-For`` (from anywhere else that header is anyone's to write)."""
    remote = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if remote in LOOPBACK and forwarded:
        return forwarded.split(",")[0].strip()
    return remote


CONTEXT: web.AppKey[WebContext] = web.AppKey("relais", WebContext)


#: The largest request body a page reads: its forms are small (a campaign's texts in two
#: languages are a few kilobytes). A larger body is refused with 413 before any of it is
#: used. aiohttp sets this per application; a route that takes more says so
#: (:func:`accepts_body`).
FORM_BODY = 64 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def accepts_body(limit: int) -> Callable[[Handler], Handler]:
    """A route that reads bodies up to ``limit`` bytes (the desk's spreadsheet upload):
    its handler gets the request with that limit instead of :data:`FORM_BODY` (aiohttp's
    ``Request.clone``, before anything of the body is read)."""

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def run(request: web.Request) -> web.StreamResponse:
            return await handler(request.clone(client_max_size=limit))

        return run

    return wrap
