"""The coordinators' clock: the Monday digest (its numbers against an independent count
made here, once per week however often the job runs) and the daily reminder of
applications waiting too long (once a day, to each coordinator or to their channel)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot.models import Delivery, Member, MemberStatus, Report, ReportEvent, ReportKind
from jobs import application_reminders, coordinator_digest
from tests.support.actions import mention
from tests.support.harness import START, NetworkFactory, seed_applicants
from tests.support.people import count, member_id, said_to, with_roles

PARIS = ZoneInfo("Europe/Paris")


def signal(member: int, stage: str, at: datetime) -> Report:
    return Report(member_id=member, kind=ReportKind.SIGNAL, subkind="investor", text="A lead",
                  stage=stage, created_at=at)  # fmt: skip


async def test_the_monday_digest_counts_what_waits_and_the_week(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(
        jobs__leaderboard="off", jobs__nudges="off", jobs__application_reminders="off"
    )
    network = with_roles(network, referents={"business": ["console:rita"]})
    for name in ("carol", "rita", "alice", "bob"):
        await network.join(name)
    await seed_applicants(network.engine, [1001, 1002, 1003], joined=START - timedelta(days=2))
    alice, rita = await member_id(network, "Alice"), await member_id(network, "Rita")
    await mention(network, "alice", "Press", "https://news.test/a")
    await mention(network, "bob", "Blog", "https://blog.test/b")
    async with network.sessions.begin() as session:
        session.add_all([signal(alice, "new", START), signal(alice, "new", START)])
        quiet = signal(alice, "qualified", START - timedelta(days=20))
        moving = signal(alice, "in_progress", START - timedelta(days=20))
        session.add_all([quiet, moving])
        await session.flush()
        session.add(ReportEvent(report_id=moving.id, action="in_progress", created_at=START))
        # Rita, the referent, has done nothing for forty days.
        await session.execute(
            update(Member)
            .where(Member.id == rita)
            .values(joined_at=START - timedelta(days=40), last_action_at=None)
        )
    out = await network.play("~ +5d")  # Monday 9 March, 10:00: the digest of 2 to 8 March
    [digest] = [t for t in said_to(out, "@carol") if t.startswith("Coordinators' weekly digest")]

    # The same numbers, counted here independently of the job.
    monday = datetime(2026, 3, 9, tzinfo=PARIS)
    week = (monday - timedelta(days=7), monday)
    async with network.sessions() as session:
        pending = await session.scalar(
            select(func.count()).where(Member.status == MemberStatus.PENDING)
        )
        reports = list(
            await session.execute(
                select(Report.member_id, Report.stage, Report.kind).where(
                    Report.created_at >= week[0], Report.created_at < week[1]
                )
            )
        )
        joined = await session.scalar(
            select(func.count()).where(
                Member.status == MemberStatus.ACTIVE,
                Member.joined_at >= week[0],
                Member.joined_at < week[1],
            )
        )
        active = await session.scalar(
            select(func.count()).where(Member.status == MemberStatus.ACTIVE)
        )
    untriaged = sum(
        1 for _m, stage, kind in reports if kind is ReportKind.SIGNAL and stage == "new"
    )
    actors = len({member for member, _s, _k in reports})
    assert (pending, untriaged, len(reports), actors, joined, active) == (3, 2, 4, 2, 3, 4)
    assert f"Applications waiting: {pending} (the oldest for 6 days). Send /pending." in digest
    assert f"Signals not triaged yet: {untriaged}." in digest
    assert "Signals taken up with no move for 14 days: 1." in digest  # not the one moved
    assert f"Dormant referents and coordinators: #{rita} Rita." in digest
    assert f"The week: {len(reports)} actions by {actors} members; {joined} new members." in digest
    assert f"Members: {active} active members — {active - 1} active, 1 dormant" in digest
    assert "On the desk" not in digest
    # /stats reads the same functions: the same members.
    stats = said_to(await network.play("@carol /stats"), "@carol")[0]
    assert f"{active} active members" in stats or f"Members: {active}" in stats

    # Run again (a retry, another process): no second digest this week.
    await coordinator_digest.run(network.app)
    await coordinator_digest.run((await network.restarted()).app)
    await network.app.sender.drain()
    assert await count(network, Delivery, Delivery.key.like("coordinator_digest:%")) == 1
    # The referent's digest still goes to Rita alone.
    assert not [t for t in said_to(out, "@rita") if t.startswith("Coordinators'")]


async def test_applications_waiting_too_long_are_recalled_once_a_day(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(
        network__registration="approval",
        jobs__leaderboard="off",
        jobs__digest="off",
        jobs__nudges="off",
    )
    network = with_roles(network, coordinators=["console:carol", "console:dora"])
    await network.join("carol")
    await network.join("dora", language="Français")
    await seed_applicants(network.engine, [1001, 1002, 1003], joined=START - timedelta(days=5))
    await seed_applicants(network.engine, [1004])  # joined now: not late
    out = await network.play("~ +23h")  # Thursday 09:00
    # The console's #coordinators is the coordinators' channel: the line goes there, in
    # the network's language, and not to each coordinator.
    assert said_to(out, "#coordinators") == [
        "3 candidatures attendent depuis plus de 3 jours (la plus ancienne, #1001 U1001, "
        "depuis 5 jours). Envoyez /pending pour décider."
    ]
    assert said_to(out, "@carol") == said_to(out, "@dora") == []
    # The job runs again the same day (a retry, a restart): nothing more.
    mark = len(network.out.getvalue())
    await application_reminders.run(network.app)
    await application_reminders.run((await network.restarted()).app)
    await network.app.sender.drain()
    assert "candidatures" not in network.out.getvalue()[mark:]
    assert await count(network, Delivery, Delivery.key.like("applications:reminder:%")) == 1
    out = await network.play("~ +1d")  # Friday 09:00: the next day's line
    assert said_to(out, "#coordinators")[0].startswith("3 candidatures attendent")
    assert await count(network, Delivery, Delivery.key.like("applications:reminder:%")) == 2
    # Decided: nothing to recall.
    async with network.sessions.begin() as session:
        await session.execute(
            update(Member).where(Member.status == MemberStatus.PENDING).values(status="active")
        )
    out = await network.play("~ +1d")
    assert "candidatures" not in out
