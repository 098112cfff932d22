"""The adapter's overall flood gate: at most 30 calls in any window, whenever they come.

Made-up instants: the gate's clock and sleep are a fake that moves time forward by the
wait asked for, so nothing here sleeps.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

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
