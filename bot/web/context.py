"""What every page may use, stored on the application (:data:`CONTEXT`)."""

from __future__ import annotations

from dataclasses import dataclass

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


CONTEXT: web.AppKey[WebContext] = web.AppKey("relais", WebContext)
