"""``serve``: what start-up built is exempt from full garbage collections once the
platforms have started (see :func:`bot.runtime.freeze_startup_heap`); which platforms a
process runs, and which the network serves."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from bot.core.clock import FrozenClock
from bot.core.db import create_engine, session_factory
from bot.runtime import build_app, build_platforms, configured_platforms, serve
from tests.support.fakes import RecordingPlatform
from tests.support.harness import START, settings_for


async def test_the_startup_heap_is_frozen_once_the_platforms_started() -> None:
    gc.unfreeze()
    stop = asyncio.Event()
    frozen: list[int] = []

    async def started() -> None:
        frozen.append(gc.get_freeze_count())
        stop.set()

    try:
        await asyncio.wait_for(serve([RecordingPlatform()], stop, on_started=started), 10)
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
    assert frozen and frozen[0] > 10_000


async def test_discord_turned_off_here_is_still_served_by_the_network(tmp_path: Path) -> None:
    """Several processes: Discord's gateway runs on one of them; the others do not connect
    to it, yet still count it among the network's platforms (what they queue for Discord
    members is sent by the process that runs it)."""
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path / 'relais.sqlite3'}",
        telegram_token="123456:TEST-TOKEN",
        discord_token="discord-token",
        discord__enabled="false",
        discord__guild_id="1234",
    )
    assert configured_platforms(settings) == ["telegram"]
    engine = create_engine(settings.database.url)
    try:
        app = build_app(
            settings=settings, sessions=session_factory(engine), clock=FrozenClock(START)
        )
        [platform] = build_platforms(app, configured_platforms(settings))
        assert platform.name == "telegram"
        assert app.served == ["discord", "telegram"]
        assert sorted(app.platforms) == ["telegram"]
    finally:
        await engine.dispose()
