"""The per-chat pacer: a sliding window, chats independent, idle chats forgotten."""

from __future__ import annotations

import asyncio

import pytest

from bot.platforms import pacing
from bot.platforms.pacing import Pacer
from tests.support.fakes import FakeTime


async def test_the_sixth_message_in_five_seconds_waits_for_the_window() -> None:
    time = FakeTime(100.0)
    pacer = Pacer(5, 5.0, clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        await pacer.acquire("a")
    time.now += 1.0
    await pacer.acquire("b")  # another channel is not held back
    assert time.slept == []
    await pacer.acquire("a")
    assert time.slept == [4.0] and pacer.waited == 4.0


async def test_messages_to_one_chat_keep_their_order() -> None:
    time = FakeTime(100.0)
    pacer = Pacer(1, 1.0, clock=time.clock, sleep=time.sleep)
    order: list[int] = []

    async def send(n: int) -> None:
        await pacer.acquire("a")
        order.append(n)

    await asyncio.gather(*(send(n) for n in range(4)))
    assert order == [0, 1, 2, 3]
    assert time.slept == [1.0, 1.0, 1.0]


async def test_idle_chats_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing, "MAX_KEYS", 3)
    time = FakeTime(100.0)
    pacer = Pacer(5, 5.0, clock=time.clock, sleep=time.sleep)
    for key in ("a", "b", "c"):
        await pacer.acquire(key)
    time.now += 10
    await pacer.acquire("d")
    assert set(pacer._windows) == {"d"}
