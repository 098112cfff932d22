# ruff: noqa: F811  (the world fixture is imported, then named by each test)
"""Presence at an event counts as acting, and /stats counts events: dates held, who said
"going" and came, presences per week. Compared with a count made by hand, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.activity import stats, weekly
from bot.animation.events import checkin, drafts, results, rsvp
from bot.models import Event, EventOccurrence, Member, RsvpAnswer
from tests.animation.event_fixtures import World, add_member, make_event, world  # noqa: F401


async def test_presence_is_acting_and_events_are_counted(world: World) -> None:
    async with world.sessions.begin() as session:
        ids = {
            name: (await add_member(session, name, joined_at=world.now())).id
            for name in ("ann", "ben", "cat", "dan")
        }
    held = await make_event(world, world.now() + timedelta(hours=1))
    dropped = await make_event(world, world.now() + timedelta(hours=2), title="Cancelled")
    async with world.sessions.begin() as session:
        occurrence = await session.scalar(
            select(EventOccurrence).where(EventOccurrence.event_id == held.id)
        )
        other = await session.scalar(
            select(EventOccurrence).where(EventOccurrence.event_id == dropped.id)
        )
        assert occurrence is not None and other is not None
        for name in ("ann", "ben"):
            member = await session.get(Member, ids[name])
            assert member is not None
            await rsvp.answer(session, occurrence, member, RsvpAnswer.GOING, world.now())
            await rsvp.answer(session, other, member, RsvpAnswer.GOING, world.now())
        for name in ("ann", "cat"):  # cat comes without having answered
            member = await session.get(Member, ids[name])
            assert member is not None
            code = occurrence.checkin_code
            assert (
                await checkin.by_code(session, world.settings, member, code, world.now())
                is checkin.CheckIn.RECORDED
            )
        loaded = await session.get(Event, dropped.id)
        assert loaded is not None
        await drafts.cancel(session, world.settings, loaded, None, world.now())
    world.clock.advance(timedelta(days=2))
    zone = world.settings.network.timezone
    async with world.sessions() as session:
        numbers = await stats.compute(session, world.now(), zone)
        by_category = await stats.compute(session, world.now(), zone, "business")
        elsewhere = await stats.compute(session, world.now(), zone, "sport")
        week = weekly.Week(numbers.trend[-1].start, world.now())
        shares = await weekly.active_share(session, week)
        same = await results.held_between(session, numbers.trend[0].start, world.now())
    assert (numbers.events.held, numbers.events.going, numbers.events.came) == (1, 2, 1)
    assert numbers.events.attended == 2 and numbers.events.rate == 0.5
    assert same == numbers.events
    assert by_category.events == numbers.events
    assert elsewhere.events.held == 0  # a business event, no sport member there
    assert numbers.funnel.acted_once == 2  # ann and cat: no report, but present
    assert numbers.funnel.acts_monthly == 0  # one window of three
    current = numbers.trend[-1]
    assert (current.attended, current.actors, current.actions) == (2, 2, 0)
    assert shares["business"] == (2, 4)
    async with world.sessions() as session:
        members = {m.id: m for m in await session.scalars(select(Member))}
    assert members[ids["ann"]].last_action_at is not None  # answering and coming
    assert members[ids["dan"]].last_action_at is None
