# ruff: noqa: F811  (the world fixture is imported, then named by each test)
"""Answers to an occurrence: capacity and waiting list with promotion, the deadline,
"not invited", the same press twice, cancelling; check-in by code in its window, by
hand (audited), and attendance points once even when the check-in arrives twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.animation.events import checkin, drafts, feedback, render, results, rsvp
from bot.animation.events.buttons import RsvpPress
from bot.models import (
    Attendance,
    AuditEntry,
    EventOccurrence,
    MemberStatus,
    PointsEntry,
    Rsvp,
    RsvpAnswer,
)
from tests.animation.event_fixtures import World, add_member, make_event, world  # noqa: F401

GOING, MAYBE, NO, WAITING = RsvpAnswer.GOING, RsvpAnswer.MAYBE, RsvpAnswer.NO, RsvpAnswer.WAITING


async def people(world: World, *names: str, **options: object) -> dict[str, int]:
    async with world.sessions.begin() as session:
        return {
            name: (await add_member(session, name, joined_at=world.now(), **options)).id  # type: ignore[arg-type]
            for name in names
        }


async def first_occurrence(world: World, event_id: int) -> EventOccurrence:
    async with world.sessions() as session:
        found = await session.scalar(
            select(EventOccurrence).where(
                EventOccurrence.event_id == event_id, EventOccurrence.number == 1
            )
        )
    assert found is not None
    return found


async def say(world: World, occurrence_id: int, member_id: int, answer: RsvpAnswer) -> rsvp.Outcome:
    from bot.models import Member

    async with world.sessions.begin() as session:
        occurrence = await session.get(EventOccurrence, occurrence_id)
        member = await session.get(Member, member_id)
        assert occurrence is not None and member is not None
        return await rsvp.answer(session, occurrence, member, answer, world.now())


async def test_capacity_waiting_list_and_promotion_in_order(world: World) -> None:
    ids = await people(world, "ann", "ben", "cat", "dan")
    event = await make_event(world, world.now() + timedelta(days=5), capacity=2)
    occurrence = await first_occurrence(world, event.id)
    assert (await say(world, occurrence.id, ids["ann"], GOING)).answer is GOING
    assert (await say(world, occurrence.id, ids["ben"], GOING)).answer is GOING
    third = await say(world, occurrence.id, ids["cat"], GOING)
    assert third.answer is WAITING and third.changed
    world.clock.advance(timedelta(minutes=1))
    assert (await say(world, occurrence.id, ids["dan"], GOING)).answer is WAITING
    again = await say(world, occurrence.id, ids["cat"], GOING)  # the same press twice
    assert again.answer is WAITING and not again.changed and again.promoted == []
    assert (await say(world, occurrence.id, ids["ann"], MAYBE)).promoted == [ids["cat"]]
    assert (await say(world, occurrence.id, ids["ann"], GOING)).answer is WAITING
    # A waiting member who gives up frees nothing; a going one frees a place for dan.
    assert (await say(world, occurrence.id, ids["ann"], NO)).promoted == []
    assert (await say(world, occurrence.id, ids["ben"], NO)).promoted == [ids["dan"]]
    async with world.sessions() as session:
        tally = (await rsvp.counts(session, [occurrence.id]))[occurrence.id]
        who = await rsvp.names(session, occurrence.id)
    assert tally == {GOING: 2, MAYBE: 0, NO: 2, WAITING: 0}
    assert sorted(who[GOING]) == ["cat", "dan"]
    card = render.card(world.translator, world.settings, "en", event, occurrence, tally)
    assert "Going: 2 · Maybe: 0 · Can't go: 2" in card.text
    assert "Full (2 places)" in card.text
    assert card.buttons[0][0].payload == RsvpPress(occurrence.id, GOING).pack()
    french = render.card(world.translator, world.settings, "fr", event, occurrence, tally)
    assert (
        "Un verre entre ambassadeurs." in french.text and "J'y serai" in french.buttons[0][0].label
    )


async def test_deadline_not_invited_and_cancel(world: World) -> None:
    ids = await people(world, "ann", "ben")
    ids |= await people(world, "sam", category="sport")
    ids |= await people(world, "pam", status=MemberStatus.PENDING)
    start = world.now() + timedelta(days=2)
    event = await make_event(world, start, rsvp_hours_before=24)
    occurrence = await first_occurrence(world, event.id)
    for outsider in ("sam", "pam"):
        with pytest.raises(rsvp.NotInvited):
            await say(world, occurrence.id, ids[outsider], GOING)
    await say(world, occurrence.id, ids["ann"], GOING)
    await say(world, occurrence.id, ids["ben"], NO)
    world.clock.advance(timedelta(days=1, minutes=1))
    with pytest.raises(rsvp.RsvpClosed) as closed:
        await say(world, occurrence.id, ids["ann"], NO)
    assert closed.value.reason == "deadline"
    async with world.sessions.begin() as session:
        loaded = await session.get(type(event), event.id)
        assert loaded is not None
        told = await drafts.cancel(session, world.settings, loaded, None, world.now())
        again = await drafts.cancel(session, world.settings, loaded, None, world.now())
    assert told == [ids["ann"]] and again == []
    with pytest.raises(rsvp.RsvpClosed) as closed:
        await say(world, occurrence.id, ids["ben"], GOING)
    assert closed.value.reason == "cancelled"
    async with world.sessions() as session:
        audited = await session.scalar(
            select(func.count()).where(AuditEntry.action == "event.cancel")
        )
    assert audited == 1  # the second call found nothing to cancel


async def test_checkin_window_points_once_and_by_hand(world: World) -> None:
    ids = await people(world, "ann", "ben", "cat")
    ids |= await people(world, "sam", category="sport")
    start = world.now() + timedelta(hours=3)
    event = await make_event(world, start, points=15)
    occurrence = await first_occurrence(world, event.id)
    code = occurrence.checkin_code

    async def check(name: str, typed: str, how: str = "code") -> checkin.CheckIn:
        from bot.models import Member

        async with world.sessions.begin() as session:
            member = await session.get(Member, ids[name])
            assert member is not None
            return await checkin.by_code(session, world.settings, member, typed, world.now(), how)

    assert await check("ann", code) is checkin.CheckIn.OUTSIDE_WINDOW  # 3 h before
    world.clock.advance(timedelta(hours=2, minutes=1))  # 59 minutes before: open
    assert await check("ann", "nope") is checkin.CheckIn.UNKNOWN_CODE
    assert await check("sam", code) is checkin.CheckIn.NOT_INVITED
    assert await check("ann", f"ci-{code.lower()}", "link") is checkin.CheckIn.RECORDED
    assert await check("ann", code) is checkin.CheckIn.ALREADY  # the update arrives twice
    async with world.sessions.begin() as session:
        marked = await checkin.by_hand(
            session, world.settings, occurrence, ids["ann"], ids["cat"], world.now()
        )
        hand = await checkin.by_hand(
            session, world.settings, occurrence, ids["ben"], ids["cat"], world.now()
        )
    assert marked is checkin.CheckIn.ALREADY and hand is checkin.CheckIn.RECORDED
    world.clock.advance(timedelta(hours=5, minutes=1))  # end + 2 h has passed
    assert await check("cat", code) is checkin.CheckIn.OUTSIDE_WINDOW
    async with world.sessions() as session:
        points = dict(
            (await session.execute(
                select(PointsEntry.member_id, func.sum(PointsEntry.points))
                .where(PointsEntry.reason == checkin.REASON)
                .group_by(PointsEntry.member_id)
            )).all()
        )  # fmt: skip
        attendances = await session.scalar(select(func.count()).select_from(Attendance))
        audited = await session.scalar(
            select(func.count()).where(AuditEntry.action == "event.attendance")
        )
        outcome = await results.results(session, world.settings, occurrence)
    assert points == {ids["ann"]: 15, ids["ben"]: 15}
    assert attendances == 2 and audited == 1
    assert outcome.attended == 2 and outcome.invited == 3
    assert outcome.by_category["business"].attended == 2


async def test_feedback_only_from_attendees_and_changeable(world: World) -> None:
    ids = await people(world, "ann", "ben")
    event = await make_event(world, world.now() + timedelta(minutes=30))
    occurrence = await first_occurrence(world, event.id)
    async with world.sessions.begin() as session:
        await checkin.by_hand(session, world.settings, occurrence, ids["ann"], None, world.now())
        assert await feedback.record(session, occurrence.id, ids["ann"], 3, world.now())
        assert await feedback.record(session, occurrence.id, ids["ann"], 2, world.now())
        assert not await feedback.record(session, occurrence.id, ids["ben"], 3, world.now())
        assert not await feedback.record(session, occurrence.id, ids["ann"], 4, world.now())
    async with world.sessions() as session:
        outcome = await results.results(session, world.settings, occurrence)
    assert outcome.feedback == {1: 0, 2: 1, 3: 0}


async def test_waiting_members_are_promoted_when_the_capacity_grows(world: World) -> None:
    ids = await people(world, "ann", "ben", "cat")
    event = await make_event(world, world.now() + timedelta(days=3), capacity=1)
    occurrence = await first_occurrence(world, event.id)
    for name in ("ann", "ben", "cat"):
        await say(world, occurrence.id, ids[name], GOING)
    async with world.sessions.begin() as session:
        loaded = await session.get(type(event), event.id)
        assert loaded is not None
        await drafts.update(session, world.settings, loaded, {"capacity": 2}, None, world.now())
    async with world.sessions() as session:
        rows = dict((await session.execute(select(Rsvp.member_id, Rsvp.answer))).all())
    assert rows == {ids["ann"]: GOING, ids["ben"]: GOING, ids["cat"]: WAITING}
