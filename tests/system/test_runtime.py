"""``serve``: what start-up built is exempt from full garbage collections once the
platforms have started (see :func:`bot.runtime.freeze_startup_heap`)."""

from __future__ import annotations

import asyncio
import gc

from bot.runtime import serve
from tests.support.fakes import RecordingPlatform


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
