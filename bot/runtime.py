"""Start-up and shutdown: settings → database (migrated) → app → platforms."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import Relais
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import create_engine, session_factory, upgrade

log = logging.getLogger(__name__)


@asynccontextmanager
async def running_app(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Relais]:
    """An app on a migrated database; the engine is disposed on exit."""
    engine = create_engine(settings.database.url, echo=settings.database.echo)
    try:
        await upgrade(engine)
        app = Relais(
            settings=settings, sessions=session_factory(engine), clock=clock or SystemClock()
        )
        await app.sender.recover()
        yield app
    finally:
        await engine.dispose()


def configured_platforms(settings: Settings) -> list[str]:
    """Chat platforms with a token in the environment; the console when there is none."""
    names = []
    if settings.telegram_token is not None:
        names.append("telegram")
    if settings.discord_token is not None:
        names.append("discord")
    return names or ["console"]
