"""A person's updates a minute, on the injected clock: one "slow down", then nothing
until the minute has passed; other people are not affected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.conversation.throttle import Throttle, Verdict
from tests.support.harness import NetworkFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_burst_gets_one_slow_down_then_is_dropped_until_the_minute_passes() -> None:
    throttle = Throttle(per_minute=3)
    verdicts = [throttle.check("telegram:1", START + timedelta(seconds=i)) for i in range(6)]
    assert verdicts == [Verdict.HANDLE] * 3 + [Verdict.SLOW_DOWN] + [Verdict.DROP] * 2
    assert throttle.check("telegram:2", START + timedelta(seconds=6)) is Verdict.HANDLE
    # The oldest handled update leaves the window a minute after it came.
    assert throttle.check("telegram:1", START + timedelta(seconds=59)) is Verdict.DROP
    assert throttle.check("telegram:1", START + timedelta(seconds=60)) is Verdict.HANDLE
    # Over again: "slow down" once more, a new burst.
    assert throttle.check("telegram:1", START + timedelta(seconds=60)) is Verdict.SLOW_DOWN


async def test_the_console_is_not_held_back(network_factory: NetworkFactory) -> None:
    network = network_factory(limits__updates_per_minute="2")
    out = await network.play("\n".join(["@alice /help"] * 5))
    assert out.count("Ce que vous pouvez faire\u00a0:") == 5  # a stranger: the network's French
    assert "trop de messages" not in out
