"""Every minute: the platforms' own event objects (Discord's scheduled events) follow
Relais' events — published, edited and cancelled as they were, once each (see
:mod:`bot.animation.events.native_sync`). Nothing to do costs one read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.animation.events import native_sync

if TYPE_CHECKING:
    from bot.app import Relais

ID = "event_natives"


async def run(app: Relais) -> None:
    await native_sync.sync(
        sessions=app.sessions,
        platforms=app.platforms,
        settings=app.settings,
        translator=app.translator,
        clock=app.clock,
    )
