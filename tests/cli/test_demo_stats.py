"""/stats on the demo network, checked against counts the test computes itself from the
raw rows (in Python, not with the queries under test)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.cli import demo
from bot.models import Member, Report
from tests.support.harness import Network


def monday_starts(now: datetime, zone: ZoneInfo, weeks: int = 12) -> list[datetime]:
    """Local Mondays at midnight, oldest first, as UTC instants."""
    local = now.astimezone(zone)
    monday = (local - timedelta(days=local.weekday())).date()
    days = [monday - timedelta(weeks=i) for i in range(weeks)][::-1]
    return [datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC) for d in days]


async def test_stats_on_the_demo_network_match_independent_counts(network: Network) -> None:
    now = network.clock.now()
    async with network.sessions() as session, session.begin():
        summary = await demo.build(session, network.settings, now, members=400, seed=3)
        await session.execute(update(Member).values(language="en"))
    assert summary.members == 400 and summary.signals > 0

    async with network.sessions() as session:
        members = {m.id: m for m in await session.scalars(select(Member))}
        reports = list(await session.scalars(select(Report)))
    counted = [r for r in reports if r.review != "rejected"]
    status = Counter(m.status.value for m in members.values())
    active_ids = {i for i, m in members.items() if m.status.value == "active"}
    recent = {r.member_id for r in counted if r.created_at >= now - timedelta(days=30)}
    acted = {r.member_id for r in counted} & active_ids

    def in_window(i: int) -> set[int]:
        low, high = now - timedelta(days=30 * (i + 1)), now - timedelta(days=30 * i)
        return {r.member_id for r in counted if low <= r.created_at < high}

    monthly = in_window(0) & in_window(1) & in_window(2) & active_ids
    referents = sum(1 for i in active_ids if members[i].role.value == "referent")
    starts = monday_starts(now, ZoneInfo(network.settings.network.timezone))
    window = [r for r in counted if r.created_at >= starts[0]]
    kinds = Counter(r.kind.value for r in window)
    stages = Counter(r.stage for r in reports if r.kind.value == "signal")

    # Active, dormant, never activated (docs/coordinators.md#who-is-active), by hand: a
    # sign of life (or joining) in the last 30 days; never activated: imported, unclaimed.
    never = {i for i in active_ids if members[i].consent_at is None}
    alive = {
        i
        for i in active_ids - never
        if (members[i].last_action_at or members[i].joined_at) > now - timedelta(days=30)
    }
    out = await network.play("@carol /stats")
    assert (
        f"Members: {status['active']} active, {status['pending']} pending, "
        f"{status['rejected']} not accepted" in out
    )
    active = len(alive)
    assert len(recent & active_ids) <= active < len(active_ids) / 2  # most are dormant
    percent = round(100 * active / len(active_ids))
    assert (
        f"Active: {active} of {len(active_ids)} ({percent}%); dormant (no sign of life for 30 "
        f"days): {len(active_ids) - active - len(never)}; never activated (imported, not "
        f"claimed): {len(never)}" in out
    )
    assert (
        f"Engagement: joined {len(active_ids)} → acted once {len(acted)} → acts monthly "
        f"{len(monthly)} → referents {referents}" in out
    )
    assert (
        f"Actions in the last 12 weeks: Mention {kinds['mention']}, Opportunity signal "
        f"{kinds['signal']}, Settlement {kinds['settlement']}" in out
    )
    labels = ("new", "qualified", "in progress", "won", "lost", "not relevant")
    keys = ("new", "qualified", "in_progress", "won", "lost", "not_relevant")
    expected_stages = ", ".join(
        f"{lab} {stages[key]}" for lab, key in zip(labels, keys, strict=True)
    )
    assert f"Signals by stage: {expected_stages}" in out
    assert all(stages[key] > 0 for key in keys), stages  # signals in every stage
    zone = ZoneInfo(network.settings.network.timezone)
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else now + timedelta(seconds=1)
        week = [r for r in window if start <= r.created_at < end]
        label = start.astimezone(zone).strftime("%d/%m")
        assert f"{label} {len(week)} ({len({r.member_id for r in week})})" in out
    assert "[image: " in out

    # A category's numbers, as its referent sees them.
    business = {i for i in active_ids if members[i].category == "business"}
    out = await network.play("@rita /stats")
    assert f"Active: {len(alive & business)} of {len(business)} " in out
    # The other demo views answer at once.
    out = await network.play("@carol /signals all")
    assert f"{sum(stages.values())} signals" in out
    out = await network.play("@carol /leaderboard all")
    assert "1. " in out
