# ruff: noqa: F811  (the world fixture is imported, then named by each test)
"""What events leave behind: ``relais export events|attendance`` through the real command
line (CSV-safe), a member's own data, and erasure of their answers, attendances and
ratings (a place they held goes to the waiting list). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.animation.events import checkin, feedback, notices, rsvp
from bot.core.clock import FrozenClock
from bot.members import privacy
from bot.models import (
    Attendance,
    EventFeedback,
    EventOccurrence,
    Member,
    Rsvp,
    RsvpAnswer,
)
from tests.animation.event_fixtures import PLATFORMS, World, add_member, make_event, world  # noqa: F401
from tests.support.cli import read_csv, relais


async def setup(world: World) -> tuple[dict[str, int], EventOccurrence]:
    async with world.sessions.begin() as session:
        ids = {
            name: (await add_member(session, name, joined_at=world.now())).id
            for name in ("ann", "=HYPERLINK(1)", "cat", "dan")
        }
    event = await make_event(world, world.now() + timedelta(hours=1), capacity=2, title="@Apéro")
    async with world.sessions.begin() as session:
        occurrence = await session.scalar(
            select(EventOccurrence).where(EventOccurrence.event_id == event.id)
        )
        assert occurrence is not None
        for name, given in (
            ("ann", RsvpAnswer.GOING),
            ("=HYPERLINK(1)", RsvpAnswer.GOING),
            ("cat", RsvpAnswer.GOING),
            ("dan", RsvpAnswer.NO),
        ):
            member = await session.get(Member, ids[name])
            assert member is not None
            await rsvp.answer(session, occurrence, member, given, world.now())
        for name in ("ann", "=HYPERLINK(1)"):
            member = await session.get(Member, ids[name])
            assert member is not None
            code = occurrence.checkin_code
            await checkin.by_code(session, world.settings, member, code, world.now())
        await feedback.record(session, occurrence.id, ids["ann"], 3, world.now())
    return ids, occurrence


async def test_exports_of_dates_and_attendance(world: World, database_url: str) -> None:
    _ids, occurrence = await setup(world)
    dates = read_csv((await relais(database_url, "export", "events")).stdout)
    assert len(dates) == 1
    [row] = dates
    assert row["title"] == "'@Apéro"  # a formula start is made text
    assert (row["going"], row["waiting"], row["no"], row["attended"]) == ("2", "1", "1", "2")
    assert (row["no_shows"], row["feedback_count"], row["feedback_average"]) == ("0", "1", "3.0")
    assert row["status"] == "scheduled" and row["categories"] == "business"
    present = read_csv((await relais(database_url, "export", "attendance")).stdout)
    assert sorted(r["member_name"] for r in present) == ["'=HYPERLINK(1)", "ann"]
    assert {r["occurrence_id"] for r in present} == {str(occurrence.id)}
    assert {r["how"] for r in present} == {"code"}
    later = await relais(database_url, "export", "attendance", "--since", "2027-01-01")
    assert read_csv(later.stdout) == []


async def test_erasure_removes_answers_attendance_and_ratings(world: World) -> None:
    ids, occurrence = await setup(world)
    async with world.sessions() as session:
        ann = await session.get(Member, ids["ann"])
        assert ann is not None
        mine = await privacy.my_data(session, ann)
    assert [a["answer"] for a in mine["event_answers"]] == ["going"]
    assert [a["how"] for a in mine["event_attendance"]] == ["code"]
    assert [f["rating"] for f in mine["event_feedback"]] == [3]
    async with world.sessions.begin() as session:
        ann = await session.get(Member, ids["ann"])
        assert ann is not None
        await privacy.forget(session, ann, FrozenClock(world.now()), actor_id=ids["ann"])
    async with world.sessions() as session:
        left = [
            await session.scalar(
                select(func.count()).select_from(model).where(model.member_id == ids["ann"])
            )
            for model in (Rsvp, Attendance, EventFeedback)
        ]
    assert left == [0, 0, 0]
    async with world.sessions.begin() as session:  # her place goes to cat, who is told
        told = await notices.tell_promoted(
            session, world.settings, world.translator, platforms=PLATFORMS, now=world.now()
        )
        going = await rsvp.counts(session, [occurrence.id])
    assert told == 1
    assert going[occurrence.id][RsvpAnswer.GOING] == 2
    assert going[occurrence.id][RsvpAnswer.WAITING] == 0


async def test_a_link_merge_keeps_one_answer_per_date(world: World) -> None:
    from bot.members import linking

    ids, occurrence = await setup(world)
    async with world.sessions.begin() as session:
        ann = await session.get(Member, ids["ann"])
        other = await session.get(Member, ids["=HYPERLINK(1)"])
        assert ann is not None and other is not None
        await linking._merge(session, survivor=ann, absorbed=other)
    async with world.sessions() as session:
        answers = (await session.execute(select(Rsvp.member_id, Rsvp.answer))).all()
        present = list(await session.scalars(select(Attendance.member_id)))
    assert sorted(member for member, _answer in answers) == sorted(
        [ids["ann"], ids["cat"], ids["dan"]]
    )
    assert present == [ids["ann"]]
    assert occurrence.id
