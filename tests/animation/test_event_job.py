# ruff: noqa: F811  (the world fixture is imported, then named by each test)
"""The events job's steps: reminders to those going, once each even when the job runs
again; promotions told once; closing asks attendees only, once; the next date of a
repeating event is posted when the previous one closes. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.animation.events import checkin, notices, rsvp
from bot.models import Delivery, EventNotice, EventOccurrence, Member, Rsvp, RsvpAnswer
from tests.animation.event_fixtures import PLATFORMS, World, add_member, make_event, world  # noqa: F401


async def step(world: World, run: Any) -> int:
    async with world.sessions.begin() as session:
        return await run(
            session, world.settings, world.translator, platforms=PLATFORMS, now=world.now()
        )


async def keys(world: World, prefix: str) -> list[str]:
    async with world.sessions() as session:
        found = await session.scalars(
            select(Delivery.key).where(Delivery.key.like(f"{prefix}%")).order_by(Delivery.key)
        )
        return list(found)


async def answer(world: World, occurrence_id: int, member_id: int, given: RsvpAnswer) -> None:
    async with world.sessions.begin() as session:
        occurrence = await session.get(EventOccurrence, occurrence_id)
        member = await session.get(Member, member_id)
        assert occurrence is not None and member is not None
        await rsvp.answer(session, occurrence, member, given, world.now())


async def test_reminders_promotions_and_closing_happen_once(world: World) -> None:
    async with world.sessions.begin() as session:
        ids = {
            name: (await add_member(session, name, joined_at=world.now(), language=lang)).id
            for name, lang in (("ann", "en"), ("ben", "fr"), ("cat", "en"), ("dan", "en"))
        }
    start = world.now() + timedelta(hours=30)
    event = await make_event(world, start, capacity=2)
    async with world.sessions() as session:
        occurrence = await session.scalar(
            select(EventOccurrence).where(EventOccurrence.event_id == event.id)
        )
    assert occurrence is not None
    for name in ("ann", "ben", "cat"):
        await answer(world, occurrence.id, ids[name], RsvpAnswer.GOING)
    await answer(world, occurrence.id, ids["dan"], RsvpAnswer.MAYBE)
    prefix = f"ev:{occurrence.id}:"
    assert await step(world, notices.remind) == 0  # 30 h before: nothing due
    world.clock.advance(timedelta(hours=7))  # 23 h before
    assert await step(world, notices.remind) == 2
    assert await step(world, notices.remind) == 0  # the job runs again
    assert await keys(world, prefix + "reminder:24h") == [
        f"{prefix}reminder:24h:m{ids['ann']}",
        f"{prefix}reminder:24h:m{ids['ben']}",
    ]
    async with world.sessions() as session:
        french = await session.scalar(
            select(Delivery.message).where(Delivery.key == f"{prefix}reminder:24h:m{ids['ben']}")
        )
    assert french is not None and french["text"].startswith("Rappel\u00a0: «\u00a0Afterwork")
    await answer(world, occurrence.id, ids["ben"], RsvpAnswer.NO)  # cat is promoted
    assert await step(world, notices.tell_promoted) == 1
    assert await step(world, notices.tell_promoted) == 0
    assert await keys(world, prefix + "promoted") == [f"{prefix}promoted:m{ids['cat']}"]
    world.clock.advance(timedelta(hours=21, minutes=30))  # 1 h 30 before
    assert await step(world, notices.remind) == 2  # ann and cat, not ben any more
    assert await step(world, notices.remind) == 0
    assert len(await keys(world, prefix + "reminder:2h")) == 2
    world.clock.advance(timedelta(hours=1))  # check-in is open
    async with world.sessions.begin() as session:
        ann = await session.get(Member, ids["ann"])
        assert ann is not None
        code = occurrence.checkin_code
        assert (
            await checkin.by_code(session, world.settings, ann, code, world.now())
            is checkin.CheckIn.RECORDED
        )
    world.clock.advance(timedelta(hours=4))  # end + 1 h 30: still open for check-in
    assert await step(world, notices.close) == 0
    world.clock.advance(timedelta(hours=1))
    assert await step(world, notices.close) == 1  # "How was it?" to ann only
    assert await step(world, notices.close) == 0
    assert await keys(world, prefix + "feedback") == [f"{prefix}feedback:m{ids['ann']}"]
    async with world.sessions() as session:
        kinds = sorted(
            await session.scalars(
                select(EventNotice.kind).where(EventNotice.occurrence_id == occurrence.id)
            )
        )
        closed = await session.get(EventOccurrence, occurrence.id)
    assert kinds == ["closed", "feedback", "reminder:24h", "reminder:2h"]
    assert closed is not None and closed.closed_at is not None


async def test_a_late_event_gets_only_the_nearest_reminder(world: World) -> None:
    async with world.sessions.begin() as session:
        ann = await add_member(session, "ann", joined_at=world.now())
    event = await make_event(world, world.now() + timedelta(hours=1))
    async with world.sessions() as session:
        occurrence = await session.scalar(
            select(EventOccurrence).where(EventOccurrence.event_id == event.id)
        )
    assert occurrence is not None
    await answer(world, occurrence.id, ann.id, RsvpAnswer.GOING)
    assert await step(world, notices.remind) == 1
    assert await keys(world, f"ev:{occurrence.id}:reminder") == [
        f"ev:{occurrence.id}:reminder:2h:m{ann.id}"
    ]
    world.clock.advance(timedelta(minutes=30))
    assert await step(world, notices.remind) == 0


async def test_closing_a_repeating_date_posts_the_next_one(world: World) -> None:
    start = world.now() + timedelta(hours=1)
    event = await make_event(world, start, repeat="weeks:2")
    assert await step(world, notices.materialize) == 0
    async with world.sessions() as session:
        dates = list(
            await session.scalars(
                select(EventOccurrence)
                .where(EventOccurrence.event_id == event.id)
                .order_by(EventOccurrence.number)
            )
        )
    assert [d.number for d in dates] == [1, 2, 3]  # three ahead, the first included
    assert dates[1].starts_at - dates[0].starts_at == timedelta(weeks=2)
    world.clock.advance(timedelta(hours=5, minutes=1))
    assert await step(world, notices.close) == 1  # the card of date 2 in #business
    assert await step(world, notices.close) == 0
    assert await keys(world, f"ev:{dates[1].id}:card") == [
        f"ev:{dates[1].id}:card:ch:console:#business:"
    ]
    async with world.sessions() as session:
        waiting = await session.scalar(select(Rsvp.id))
    assert waiting is None
