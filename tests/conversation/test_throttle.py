"""A person's updates a minute, on the injected clock: one "slow down", then nothing
until the minute has passed; other people are not affected. On PostgreSQL the processes
sharing the database keep one count per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import SLOW_DOWN
from bot.conversation.throttle import Throttle, Verdict, verdict
from bot.core.clock import FrozenClock
from bot.core.db import create_engine, session_factory
from bot.core.port import Event
from bot.models import UpdateCount
from bot.runtime import build_app
from tests.support.harness import Network, NetworkFactory, OtherPlatform, settings_for

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HELP = "What you can do"


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


def test_the_count_after_the_limit_says_slow_down_once_then_drop() -> None:
    assert [verdict(n, per_minute=3) for n in range(1, 7)] == (
        [Verdict.HANDLE] * 3 + [Verdict.SLOW_DOWN] + [Verdict.DROP] * 2
    )


async def test_a_person_spread_over_two_processes_is_refused_at_the_limit(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> None:
    """Two processes on one database, a person's updates landing on each in turn (as a
    reverse proxy's round robin hands them out): on PostgreSQL they keep one count, so
    the person is told to slow down once, at the limit, not at twice it. SQLite serves
    one process, which counts in memory: two would each count their own."""
    second = create_engine(database_url)
    try:
        settings = settings_for(database_url, limits__updates_per_minute="4")
        processes = [
            OtherPlatform(build_app(settings=settings, sessions=session_factory(e), clock=clock))
            for e in (engine, second)
        ]
        answers = [await processes[i % 2].say("4242", "/help") for i in range(12)]
        shared = engine.dialect.name == "postgresql"
        assert sum(HELP in answer for answer in answers) == (4 if shared else 8)
        assert answers.count(SLOW_DOWN) == (1 if shared else 2)
        assert answers[-1] == ""  # dropped
        async with session_factory(engine)() as session:
            counted = await session.scalar(select(UpdateCount.count))
        # Each process asked the database once past the limit, then dropped on its own.
        assert counted == (6 if shared else None)
        assert HELP in await processes[0].say("4343", "/help")  # someone else: their own
        # The minute ends a minute after the first update, whichever process looks.
        clock.advance(timedelta(seconds=59))
        assert await processes[1].say("4242", "/help") == ""
        clock.advance(timedelta(seconds=1))
        assert HELP in await processes[1].say("4242", "/help")
        assert HELP in await processes[0].say("4242", "/help")
    finally:
        await second.dispose()


async def test_counts_leave_with_the_account_and_with_their_minute(network: Network) -> None:
    """A count names a platform account: /forget takes it with the account, and the
    daily prune once its minute is over."""
    await network.join("alice")
    async with network.sessions.begin() as session:
        for platform, user in (("console", "alice"), ("telegram", "66")):
            count = UpdateCount(
                platform=platform, user_id=user, window_start=network.clock.now(), count=1
            )
            session.add(count)
    await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert await _counted(network) == {"telegram"}
    await network.play("~ +1d")
    assert await _counted(network) == set()


async def _counted(network: Network) -> set[str]:
    async with network.sessions() as session:
        return set(await session.scalars(select(UpdateCount.platform)))


async def test_a_redelivered_update_is_counted_once(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> None:
    """A retried webhook (the same update id) is ignored, and on PostgreSQL its second
    arrival takes back the count it made: the person's minute counts the update once."""
    settings = settings_for(database_url, limits__updates_per_minute="4")
    platform = OtherPlatform(
        build_app(settings=settings, sessions=session_factory(engine), clock=clock)
    )
    event = Event(
        platform="telegram", user_id="4242", chat_id="4242", is_private=True,
        language_code="en", command="help", update_id="77",
    )  # fmt: skip
    for _ in range(3):
        await platform.app.dispatch(event, platform)
    assert sum(HELP in o.message.text for o in platform.sent) == 1
    async with session_factory(engine)() as session:
        counted = await session.scalar(select(UpdateCount.count))
    assert counted == (1 if engine.dialect.name == "postgresql" else None)
