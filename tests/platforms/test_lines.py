"""Chat lines: each chat in order, chats side by side, at most ``limit`` at once; a
wait for a rate window lends the slot; an update given up keeps the order of the rest."""

from __future__ import annotations

import asyncio

import pytest

from bot.platforms.lines import ChatLines, waiting


async def test_a_chat_keeps_its_order_while_others_go_beside_it() -> None:
    lines = ChatLines(limit=4)
    log: list[str] = []
    gate = asyncio.Event()

    async def handle(key: str, name: str, block: bool = False) -> None:
        async with ticket_of[name]:
            log.append(f"start {name}")
            if block:
                await gate.wait()
            log.append(f"end {name}")

    ticket_of = {name: lines.ticket(key) for key, name in [("a", "a1"), ("a", "a2"), ("b", "b1")]}
    tasks = [
        asyncio.create_task(handle("a", "a1", block=True)),
        asyncio.create_task(handle("a", "a2")),
        asyncio.create_task(handle("b", "b1")),
    ]
    await asyncio.sleep(0.01)
    assert log == ["start a1", "start b1", "end b1"]  # b did not wait for a
    gate.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert lines.busy_chats == 0


async def test_at_most_limit_at_once_and_a_rate_wait_lends_the_slot() -> None:
    lines = ChatLines(limit=1)
    log: list[str] = []
    window = asyncio.Event()

    async def waits_for_a_window() -> None:
        async with lines.ticket("a"):
            log.append("a holds the slot")
            async with waiting():
                await window.wait()
            log.append("a sends")

    async def quick() -> None:
        async with lines.ticket("b"):
            log.append("b handled")

    first = asyncio.create_task(waits_for_a_window())
    second = asyncio.create_task(quick())
    await asyncio.sleep(0.01)
    assert log == ["a holds the slot", "b handled"]
    window.set()
    await asyncio.gather(first, second)
    assert log[-1] == "a sends"


async def test_an_update_given_up_before_its_turn_keeps_the_chat_in_order() -> None:
    lines = ChatLines(limit=2)
    gate = asyncio.Event()
    log: list[str] = []
    first, dropped, third = lines.ticket("a"), lines.ticket("a"), lines.ticket("a")

    async def run(ticket: object, name: str, block: bool = False) -> None:
        async with ticket:  # type: ignore[attr-defined]
            log.append(name)
            if block:
                await gate.wait()

    one = asyncio.create_task(run(first, "first", block=True))
    dropped.close()  # refused before being handled (an interaction not acknowledged)
    three = asyncio.create_task(run(third, "third"))
    await asyncio.sleep(0.01)
    assert log == ["first"]  # the third still waits for the first
    gate.set()
    await asyncio.gather(one, three)
    assert log == ["first", "third"]
    assert await lines.wait_idle(1.0)


def test_a_line_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        ChatLines(limit=0)
