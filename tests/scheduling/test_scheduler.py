"""The scheduler, by moving the clock: each occurrence once, in order, across clock
jumps, restarts, downtime and daylight-saving changes; one-off and polling jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import jobs
from bot.core.clock import FrozenClock
from bot.models import JobRun, OneOffJob, OneOffStatus
from bot.scheduling import runner
from bot.scheduling.scheduler import Scheduler
from tests.support.harness import Network, NetworkFactory

GENERAL = "→ #general: Leaderboard of the week — all categories"


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    """Channels speak the network's default language: English here."""
    return network_factory(network__default_language="en")


async def runs(network: Network, job: str) -> list[str]:
    async with network.sessions() as session:
        rows = await session.scalars(
            select(JobRun.period).where(JobRun.job == job).order_by(JobRun.period)
        )
        return list(rows)


def general_posts(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(GENERAL)]


async def test_a_jump_over_two_mondays_posts_each_week_once_in_order(network: Network) -> None:
    await network.join("alice")
    out = await network.play("~ +14d")
    assert general_posts(out) == [f"{GENERAL} — 02/03 to 08/03", f"{GENERAL} — 09/03 to 15/03"]
    assert "→ #business: Leaderboard of the week — Business — 02/03 to 08/03" in out
    assert await runs(network, "leaderboard") == ["2026-03-09T08:00:00Z", "2026-03-16T08:00:00Z"]
    again = await network.play("~ +1h")
    assert general_posts(again) == []
    # Running the same occurrence again (another process, a retry) posts nothing.
    await runner._run_occurrence(network.app, "leaderboard", datetime(2026, 3, 16, 8, tzinfo=UTC))
    from jobs import leaderboard

    token = runner._due_at.set(datetime(2026, 3, 16, 8, tzinfo=UTC))
    try:
        await leaderboard.run(network.app)
    finally:
        runner._due_at.reset(token)
    assert general_posts(await network.play("~ +1m")) == []


async def test_a_restart_mid_week_posts_nothing_again(network: Network) -> None:
    await network.join("alice")
    out = await network.play("~ +5d")  # Monday 9 March, 10:00
    assert general_posts(out) == [f"{GENERAL} — 02/03 to 08/03"]
    restarted = await network.restarted()
    await runner.catch_up(restarted.app)
    out = await restarted.play("~ +2d")
    assert general_posts(out) == []
    assert await runs(restarted, "leaderboard") == ["2026-03-09T08:00:00Z"]


async def test_three_days_down_over_a_monday_posts_that_week_once(network: Network) -> None:
    await network.join("alice")
    await network.play("~ +3d")  # Saturday 7 March: the process stops
    network.clock.advance(timedelta(days=3))  # back on Tuesday 10 March, 10:00
    restarted = await network.restarted()
    await runner.catch_up(restarted.app)
    await restarted.app.sender.drain()
    out = restarted.out.getvalue()
    assert general_posts(out) == [f"{GENERAL} — 02/03 to 08/03"]
    assert out.count("→ #business: Leaderboard of the week") == 1
    # Once per missed period: the hourly nudges job ran its latest hour only.
    nudges = await runs(restarted, "nudges")
    assert nudges[-1] == "2026-03-10T09:00:00Z" and "2026-03-09T09:00:00Z" not in nudges
    again = await restarted.restarted()
    await runner.catch_up(again.app)
    out = await again.play("~ +1d")
    assert general_posts(out) == []


async def test_downtime_longer_than_the_grace_skips_the_occurrence(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(jobs__grace_hours="12", network__default_language="en")
    await network.join("alice")
    await network.play("~ +3d")
    network.clock.advance(timedelta(days=3))
    restarted = await network.restarted()
    await runner.catch_up(restarted.app)
    await restarted.app.sender.drain()
    assert general_posts(restarted.out.getvalue()) == []
    assert await runs(restarted, "leaderboard") == []


@pytest.mark.parametrize(
    ("start", "before", "after"),
    [
        # Summer time starts on Sunday 29 March 2026: 09:00 is 08:00 UTC, then 07:00 UTC.
        ("2026-03-25T12:00:00+01:00", "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"),
        # Winter time comes back on Sunday 25 October 2026.
        ("2026-10-21T12:00:00+02:00", "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z"),
    ],
)
async def test_daylight_saving_weeks_post_at_nine_local(
    network: Network, start: str, before: str, after: str
) -> None:
    network.clock._now = datetime.fromisoformat(start).astimezone(UTC)
    network.app.job_cursor = network.clock.now() - timedelta(days=3)
    await network.join("alice")
    out = await network.play("~ +6d")
    assert await runs(network, "leaderboard") == [before, after]
    # The first Monday's week ended before anyone joined: nothing to post for it.
    assert len(general_posts(out)) == 1
    periods = [datetime.fromisoformat(p.replace("Z", "+00:00")) for p in (before, after)]
    assert all(p.astimezone(ZoneInfo("Europe/Paris")).hour == 9 for p in periods)


async def test_one_off_jobs_run_once_at_their_time_in_order(network: Network) -> None:
    seen: list[tuple[str, datetime]] = []

    async def remind(app: Any, args: dict[str, Any]) -> None:
        seen.append((args["what"], runner.occurrence(app)))

    jobs.ONE_OFF["test_remind"] = remind
    try:
        now = network.clock.now()
        async with network.sessions.begin() as session:
            for key, hours in (("b", 30), ("a", 5), ("late", 24 * 20)):
                await runner.schedule_once(
                    session,
                    key=f"test:{key}",
                    job="test_remind",
                    run_at=now + timedelta(hours=hours),
                    now=now,
                    args={"what": key},
                )
            # Scheduling a key again moves it instead of adding a second run.
            await runner.schedule_once(
                session,
                key="test:b",
                job="test_remind",
                run_at=now + timedelta(hours=6),
                now=now,
                args={"what": "b"},
            )
            await runner.schedule_once(
                session,
                key="test:c",
                job="test_remind",
                run_at=now + timedelta(hours=7),
                now=now,
                args={"what": "c"},
            )
            assert await runner.cancel_once(session, "test:c")
        await network.play("~ +2d")
        assert [what for what, _at in seen] == ["a", "b"]
        assert seen[0][1] == now + timedelta(hours=5)
        await network.play("~ +2d")
        assert len(seen) == 2
        # The process is down when "late" is due, for longer than the grace: missed.
        network.clock.advance(timedelta(days=30))
        restarted = await network.restarted()
        await runner.catch_up(restarted.app)
        assert len(seen) == 2
        async with network.sessions() as session:
            statuses = dict((await session.execute(select(OneOffJob.key, OneOffJob.status))).all())
        assert statuses == {
            "test:a": OneOffStatus.DONE,
            "test:b": OneOffStatus.DONE,
            "test:c": OneOffStatus.CANCELLED,
            "test:late": OneOffStatus.MISSED,
        }
    finally:
        del jobs.ONE_OFF["test_remind"]


async def test_polling_jobs_run_at_every_look_and_failures_are_contained(
    network: Network,
) -> None:
    calls: list[datetime] = []

    async def poll(app: Any) -> None:
        calls.append(runner.occurrence(app))

    async def broken(app: Any) -> None:
        raise RuntimeError("boom")

    jobs.JOBS["test_poll"] = poll
    jobs.JOBS["test_broken"] = broken
    jobs.SCHEDULES["test_broken"] = "hourly"
    try:
        await network.play("~ +1m")
        await network.play("~ +3h")
        assert calls == [network.clock.now() - timedelta(hours=3), network.clock.now()]
        # The scheduler ticks more often than a minute: a polling job still runs each minute.
        await runner.run_due(network.app, tick=True)
        await runner.run_due(network.app, tick=True)
        assert len(calls) == 2
        network.clock.advance(timedelta(seconds=59))
        await runner.run_due(network.app, tick=True)
        assert len(calls) == 3
        failed = await runs(network, "test_broken")
        assert len(failed) == 3
        async with network.sessions() as session:
            status = await session.scalar(select(JobRun.status).where(JobRun.job == "test_broken"))
        assert status == "failed"
    finally:
        del jobs.JOBS["test_poll"], jobs.JOBS["test_broken"], jobs.SCHEDULES["test_broken"]


async def test_the_scheduler_leads_alone_on_sqlite_and_catches_up(
    network: Network, database_url: str, clock: FrozenClock
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL leadership is tested with processes")
    await network.join("alice")
    clock.advance(timedelta(days=5))
    scheduler = Scheduler(network.app, database_url)
    await scheduler.start()
    try:
        assert scheduler.leader and scheduler.aps.get_job("tick") is not None
        await network.app.sender.drain()
        assert len(general_posts(network.out.getvalue())) == 1
        clock.advance(timedelta(days=7))
        await scheduler.tick()
        await network.app.sender.drain()
        assert len(general_posts(network.out.getvalue())) == 2
    finally:
        await scheduler.stop()


def test_hourly_schedule_crosses_both_daylight_saving_changes() -> None:
    """APScheduler 3 returns the autumn's repeated 02:00 forever; the timetable moves on."""
    from bot.core.timetable import parse

    hourly = parse("hourly", "Europe/Paris")
    autumn = hourly.occurrences(
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC), datetime(2026, 10, 25, 3, 30, tzinfo=UTC)
    )
    assert [moment.hour for moment in autumn] == [23, 0, 1, 2, 3]
    spring = hourly.occurrences(
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC), datetime(2026, 3, 29, 3, 30, tzinfo=UTC)
    )
    assert [moment.hour for moment in spring] == [0, 1, 2, 3]


async def test_the_daily_prune_forgets_old_update_ids(network: Network) -> None:
    from bot.models import ProcessedUpdate

    now = network.clock.now()
    async with network.sessions.begin() as session:
        for update_id, age in (("old", 31), ("recent", 29)):
            session.add(
                ProcessedUpdate(
                    platform="telegram", update_id=update_id, processed_at=now - timedelta(days=age)
                )
            )
    await network.play("~ +1d")  # past 04:00
    async with network.sessions() as session:
        kept = list(await session.scalars(select(ProcessedUpdate.update_id)))
    assert kept == ["recent"]
    assert await runs(network, "prune") == ["2026-03-05T03:00:00Z"]
