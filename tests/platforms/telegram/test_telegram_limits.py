"""The adapter's flood gate: at most 30 calls in any window, whenever they come; an
update's replies before the delivery queue's messages; a refused call not counted.

Made-up instants: the gate's clock and sleep are a fake that moves time forward by the
wait asked for, so nothing here sleeps.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import RetryAfter

from bot.platforms.lines import ChatLines
from bot.platforms.telegram.limits import FloodGate, SlidingWindow
from tests.support.fakes import FakeTime


def most_in_any_window(instants: list[float], period: float) -> int:
    """The largest count of instants in any ``period`` (to within float rounding)."""
    end = period - 1e-9
    return max(sum(1 for other in instants if start <= other < start + end) for start in instants)


async def test_the_thirty_first_call_in_a_window_waits_for_the_first_to_leave() -> None:
    time = FakeTime()
    gate = SlidingWindow(30, 0.05, clock=time.clock, sleep=time.sleep)
    for i in range(30):
        time.now = i / 600
        async with gate:
            pass
    time.now = 0.049
    async with gate:
        entered = time.now
    assert entered == 0.05  # the first call (at 0.0) left the window
    assert len(time.slept) == 1


async def test_calls_held_back_by_a_stall_leave_only_as_the_window_allows() -> None:
    """Evenly spaced calls at exactly the limit, then the process is held up for 20 ms
    and the calls due meanwhile arrive together: a leaky bucket of 30 would let them
    all through and count 31 or more in one window; the gate spreads them."""
    time = FakeTime()
    gate = SlidingWindow(30, 0.05, clock=time.clock, sleep=time.sleep)
    instants: list[float] = []
    arrivals = [i / 600 for i in range(60)] + [0.12] * 12 + [0.12 + i / 600 for i in range(60)]
    for arrival in arrivals:
        time.now = max(time.now, arrival)
        async with gate:
            instants.append(time.now)
    assert most_in_any_window(instants, 0.05) == 30
    assert time.slept  # some calls did wait


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=0.3), min_size=1, max_size=120))
async def test_no_arrival_pattern_puts_more_than_thirty_in_a_window(
    arrivals: list[float],
) -> None:
    time = FakeTime()
    gate = SlidingWindow(30, 0.05, clock=time.clock, sleep=time.sleep)
    instants: list[float] = []
    for arrival in sorted(arrivals):
        time.now = max(time.now, arrival)
        async with gate:
            instants.append(time.now)
    assert most_in_any_window(instants, 0.05) <= 30
    # and it holds nothing back that the window allowed: a call waited only when full
    assert len(instants) == len(arrivals)


async def test_the_flood_gate_paces_private_chats_with_the_overall_window() -> None:
    time = FakeTime()
    gate = FloodGate(speedup=20, clock=time.clock, sleep=time.sleep)
    calls: list[float] = []

    async def call(*_args: Any, **_kwargs: Any) -> bool:
        calls.append(time.now)
        return True

    for chat in range(31):
        await gate.process_request(call, (), {}, "sendMessage", {"chat_id": 1000 + chat}, None)
    assert calls[-1] == 0.05 and calls[:30] == [0.0] * 30
    await gate.process_request(call, (), {}, "getMe", {}, None)  # not a chat: not counted
    assert calls[-1] == 0.05


class YieldingTime(FakeTime):
    """Made-up time whose sleep also lets the other tasks run (to queue them)."""

    async def sleep(self, delay: float) -> None:
        await super().sleep(delay)
        await asyncio.sleep(0)


async def test_a_waiting_reply_passes_the_window_before_waiting_broadcast_messages() -> None:
    time = YieldingTime()
    gate = SlidingWindow(1, 1.0, clock=time.clock, sleep=time.sleep)
    await gate.enter()  # the window is full until 1.0
    passed: list[tuple[str, float]] = []

    async def enter(name: str, urgent: bool) -> None:
        await gate.enter(urgent=urgent)
        passed.append((name, time.now))

    await asyncio.gather(
        enter("broadcast 1", False), enter("broadcast 2", False), enter("reply", True)
    )
    # the first broadcast message was already watching the window; the reply that came
    # after the second one still goes before it
    assert passed == [("broadcast 1", 1.0), ("reply", 2.0), ("broadcast 2", 3.0)]


async def test_a_waiter_given_up_does_not_hold_the_others() -> None:
    time = YieldingTime()
    gate = SlidingWindow(1, 1.0, clock=time.clock, sleep=time.sleep)
    await gate.enter()
    first = asyncio.create_task(gate.enter())
    given_up = asyncio.create_task(gate.enter(urgent=True))
    last = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    given_up.cancel()
    await asyncio.gather(first, last)
    assert given_up.cancelled()
    assert time.now == 2.0  # two entries after the first: 1.0 and 2.0


async def test_the_flood_gate_lets_an_update_s_reply_go_before_the_queue() -> None:
    time = YieldingTime()
    gate = FloodGate(overall_per_second=1, clock=time.clock, sleep=time.sleep)
    sent: list[int] = []

    async def call(chat: int) -> None:
        async def send(*_args: Any, **_kwargs: Any) -> bool:
            sent.append(chat)
            return True

        await gate.process_request(send, (), {}, "sendMessage", {"chat_id": chat}, None)

    async def reply(chat: int) -> None:
        async with ChatLines(4).ticket(str(chat)):  # handling that chat's update
            await call(chat)

    await call(1)
    await asyncio.gather(call(2), call(3), reply(4))
    assert sent == [1, 2, 4, 3]


async def test_a_call_telegram_refused_gives_its_place_in_the_window_back() -> None:
    time = FakeTime()
    gate = FloodGate(overall_per_second=2, clock=time.clock, sleep=time.sleep)
    attempts: list[tuple[int, float]] = []

    async def call(chat: int, refused: bool = False) -> None:
        async def send(*_args: Any, **_kwargs: Any) -> bool:
            attempts.append((chat, time.now))
            if refused:
                raise RetryAfter(1)
            return True

        await gate.process_request(send, (), {}, "sendMessage", {"chat_id": chat}, None)

    await call(1)
    with pytest.raises(RetryAfter):
        await call(2, refused=True)  # a private chat's second message within its second
    await call(3)  # the refused call is not counted: no wait
    assert attempts == [(1, 0.0), (2, 0.0), (3, 0.0)]
    await call(4)  # two in the window now
    assert attempts[-1] == (4, 1.0)


async def _pace(gate: FloodGate, time: FakeTime, chats: list[int]) -> list[float]:
    """The instants the gate let calls to ``chats`` through, one after another."""
    instants: list[float] = []

    async def call(*_args: Any, **_kwargs: Any) -> bool:
        instants.append(time.now)
        return True

    for chat in chats:
        await gate.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)
    return instants


async def test_two_processes_sharing_the_bot_each_let_half_through() -> None:
    """With two live senders serving Telegram, each process's gate keeps half of the
    bot's 30 a second, replies included: together they keep the bot's limit."""
    alone, shared = FakeTime(), FakeTime()
    one = await _pace(FloodGate(clock=alone.clock, sleep=alone.sleep), alone, list(range(1, 91)))
    half = await _pace(
        FloodGate(shared_by=lambda: 2, clock=shared.clock, sleep=shared.sleep),
        shared,
        list(range(1, 91)),
    )
    assert most_in_any_window(one, 1.0) == 30 and one[-1] == 2.0
    assert most_in_any_window(half, 1.0) == 15 and half[-1] == 5.0


async def test_the_gate_follows_the_number_of_processes_as_it_changes() -> None:
    """Seven processes: 4 a second each (30 ÷ 7, in whole calls: seven such gates never
    let more than 30 through in any second), a group's 20 a minute ÷ 7; back to one
    process, the whole again."""
    time = FakeTime()
    processes = [7]
    gate = FloodGate(shared_by=lambda: processes[0], clock=time.clock, sleep=time.sleep)
    instants = await _pace(gate, time, list(range(1, 61)))
    assert gate.parts == 7
    assert most_in_any_window(instants, 1.0) == 4 and instants[-1] == 14.0
    assert gate._group(-100).max_rate == 20 / 7  # a group's limiter (real time: not run)
    processes[0] = 1
    time.now += 1.0  # the calls still in the window count: let them leave first
    start = time.now
    instants = await _pace(gate, time, list(range(100, 130)))
    assert gate.parts == 1 and instants == [start] * 30
