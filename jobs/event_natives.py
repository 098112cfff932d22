"""Every minute, the events' presence on the platforms beyond their cards' text: the
platforms' own event objects (Discord's scheduled events) follow Relais' events —
published, edited and cancelled as they were, once each (see
:mod:`bot.animation.events.native_sync`) — and cards pinned while their occurrence was
upcoming are unpinned once it is over or cancelled (:mod:`bot.animation.events.pins`).
Nothing to do costs two reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.animation.events import native_sync, pins

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
    await pins.unpin_due(
        sessions=app.sessions,
        platforms=app.platforms,
        settings=app.settings,
        translator=app.translator,
        clock=app.clock,
    )
