# ruff: noqa: F811  (the world fixture is imported, then named by each test)
"""Repeating events keep their local time across daylight-saving changes; dates in
words; the calendar file. Pure functions, plus materializing dates on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from bot.animation.events import calendar, occurrences, words
from bot.core.i18n import Translator
from bot.models import Event, EventOccurrence
from tests.animation.event_fixtures import World, make_event, world  # noqa: F401
from tests.support.harness import settings_for

PARIS = ZoneInfo("Europe/Paris")
SETTINGS = settings_for("sqlite+aiosqlite:///:memory:")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)  # type: ignore[misc]


def event(start: datetime, repeat: str, until: date | None = None) -> Event:
    return Event(
        id=1,
        title="Afterwork",
        starts_at=start,
        ends_at=start + timedelta(hours=1, minutes=30),
        repeat=repeat,
        repeat_until=until,
    )


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("first tuesday", "monthly:1:1"),
        ("First Tuesday of the month", "monthly:1:1"),
        ("premier mardi", "monthly:1:1"),
        ("premier mardi du mois", "monthly:1:1"),
        ("le dernier vendredi", "monthly:-1:4"),
        ("last friday", "monthly:-1:4"),
        ("troisième jeudi", "monthly:3:3"),
        ("every 3 weeks", "weeks:3"),
        ("toutes les 3 semaines", "weeks:3"),
        ("every week", "weeks:1"),
        ("chaque semaine", "weeks:1"),
        ("none", "none"),
        ("aucune", "none"),
        ("monthly:2:0", "monthly:2:0"),
        ("fifth monday", None),
        ("every 99 weeks", None),
        ("tomorrow", None),
    ],
)
def test_repeat_rules_in_both_languages(text: str, rule: str | None) -> None:
    assert occurrences.parse_repeat(text) == rule


def test_first_tuesday_stays_at_half_past_six_across_both_changes() -> None:
    # The first Tuesday of March 2027 is the 2nd; summer time starts on 28 March and
    # ends on 31 October.
    first = event(paris(2027, 3, 2, 18, 30), "monthly:1:1")
    dates = [start for _n, start, _end in occurrences.series(first, SETTINGS)][:9]
    local = [start.astimezone(PARIS) for start in dates]
    assert [moment.date() for moment in local] == [
        date(2027, 3, 2), date(2027, 4, 6), date(2027, 5, 4), date(2027, 6, 1),
        date(2027, 7, 6), date(2027, 8, 3), date(2027, 9, 7), date(2027, 10, 5),
        date(2027, 11, 2),
    ]  # fmt: skip
    assert {(moment.hour, moment.minute) for moment in local} == {(18, 30)}
    assert dates[0].hour == 17 and dates[1].hour == 16  # UTC moves, not the wall clock
    assert dates[8].hour == 17
    assert all(end - start == timedelta(hours=1, minutes=30) for _n, start, end in
               list(occurrences.series(first, SETTINGS))[:9])  # fmt: skip


def test_every_three_weeks_across_the_change_weeks() -> None:
    spring = event(paris(2027, 3, 16, 18, 30), "weeks:3")
    found = occurrences.expand(spring, SETTINGS, after=paris(2027, 3, 1), count=3)
    dates = [start.astimezone(PARIS) for start, _end in found]
    assert [d.date() for d in dates] == [date(2027, 3, 16), date(2027, 4, 6), date(2027, 4, 27)]
    assert {(d.hour, d.minute) for d in dates} == {(18, 30)}
    autumn = event(paris(2027, 10, 26, 9, 0), "weeks:1")
    later = occurrences.expand(autumn, SETTINGS, after=paris(2027, 10, 27), count=2)
    assert [s.astimezone(PARIS).hour for s, _e in later] == [9, 9]
    assert [s.hour for s, _e in later] == [8, 8]  # winter time: UTC+1


def test_last_friday_and_repeat_until() -> None:
    rule = event(paris(2027, 1, 29, 12, 0), "monthly:-1:4", until=date(2027, 4, 30))
    dates = [s.astimezone(PARIS).date() for _n, s, _e in occurrences.series(rule, SETTINGS)]
    assert dates == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26), date(2027, 4, 30)]


def test_a_first_date_off_the_rule_is_kept_as_number_one() -> None:
    rule = event(paris(2027, 3, 10, 18, 30), "monthly:1:1")  # a Wednesday
    numbers = list(occurrences.series(rule, SETTINGS))[:2]
    assert numbers[0][0] == 1 and numbers[0][1] == paris(2027, 3, 10, 18, 30)
    assert numbers[1][0] == 2 and numbers[1][1] == paris(2027, 4, 6, 18, 30)


def test_rules_in_words() -> None:
    translator = Translator("fr")
    assert occurrences.describe_repeat(translator, "en", "monthly:1:1") == (
        "every first Tuesday of the month"
    )
    assert occurrences.describe_repeat(translator, "fr", "monthly:1:1") == (
        "chaque premier mardi du mois"
    )
    assert occurrences.describe_repeat(translator, "fr", "weeks:3") == "toutes les 3 semaines"
    assert occurrences.describe_repeat(translator, "en", "weeks:1") == "every week"


def test_dates_in_words_in_both_languages() -> None:
    occurrence = EventOccurrence(
        event_id=1, number=1, starts_at=paris(2027, 3, 2, 18, 30), ends_at=paris(2027, 3, 2, 20)
    )
    assert words.when(SETTINGS, "fr", occurrence) == "mardi 2 mars 2027, 18 h 30 – 20 h 00"
    english = words.when(SETTINGS, "en", occurrence).replace("\u202f", " ")
    assert english == "Tuesday 2 March 2027, 6:30 PM – 8:00 PM"


def test_calendar_file_reads_back() -> None:
    start = paris(2027, 3, 2, 18, 30)
    rule = event(start, "monthly:1:1")
    rule.place, rule.text_fr, rule.text_en = "https://meet.test/abc", "Bienvenue", ""
    rule.created_at = start - timedelta(days=10)
    occurrence = EventOccurrence(
        id=7, event_id=1, number=2, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    data = calendar.ics(rule, occurrence, SETTINGS, "en", alarm_minutes=30)
    assert data == calendar.ics(rule, occurrence, SETTINGS, "en", alarm_minutes=30)
    parsed = icalendar.Calendar.from_ical(data)
    [entry] = parsed.walk("VEVENT")
    assert str(entry["uid"]) == calendar.uid(SETTINGS, occurrence)
    assert entry.decoded("dtstart") == start
    assert str(entry["summary"]) == "Afterwork"
    assert str(entry["description"]).startswith("Bienvenue")  # the only text written
    assert str(entry["location"]) == "https://meet.test/abc"
    [alarm] = entry.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(minutes=-30)
    assert calendar.file_name(rule, occurrence).endswith(".ics")


async def test_dates_are_materialized_once_and_a_few_ahead(world: World) -> None:
    start = paris(2026, 4, 7, 18, 30)  # a first Tuesday; the clock is on 4 March 2026
    made = await make_event(world, start, repeat="monthly:1:1")
    async with world.sessions.begin() as session:
        again = await session.get(Event, made.id)
        assert again is not None
        first = await occurrences.ensure_occurrences(session, world.settings, again, world.now())
        second = await occurrences.ensure_occurrences(session, world.settings, again, world.now())
    assert [o.number for o in first] == [1, 2, 3] == [o.number for o in second]
    async with world.sessions() as session:
        rows = list(await session.scalars(select(EventOccurrence).order_by(EventOccurrence.number)))
    assert [r.starts_at.astimezone(PARIS).hour for r in rows] == [18, 18, 18]
    assert len({r.checkin_code for r in rows}) == 3
    world.clock.advance(timedelta(days=40))  # the first one is over: one more ahead
    async with world.sessions.begin() as session:
        again = await session.get(Event, made.id)
        assert again is not None
        now = await occurrences.ensure_occurrences(session, world.settings, again, world.now())
        upcoming = await occurrences.next_occurrence(session, made.id, world.now())
    assert [o.number for o in now] == [1, 2, 3, 4]
    assert upcoming is not None and upcoming.number == 2


async def test_an_edit_moves_the_dates_not_yet_started(world: World) -> None:
    from bot.animation.events import drafts
    from bot.models import AuditEntry

    start = world.now() + timedelta(days=2)
    made = await make_event(world, start, repeat="weeks:1")
    async with world.sessions.begin() as session:
        event = await session.get(Event, made.id)
        assert event is not None
        later = {"starts_at": start + timedelta(hours=1), "ends_at": start + timedelta(hours=3)}
        await drafts.update(session, world.settings, event, later, None, world.now())
        await drafts.update(session, world.settings, event, {"repeat": "none"}, None, world.now())
        with pytest.raises(ValueError):
            await drafts.update(session, world.settings, event, {"status": "x"}, None, world.now())
    async with world.sessions() as session:
        rows = list(await session.scalars(select(EventOccurrence).order_by(EventOccurrence.number)))
        audited = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert rows[0].starts_at == start + timedelta(hours=1) and rows[0].cancelled_at is None
    assert rows[1].starts_at == start + timedelta(days=7, hours=1)
    assert [r.cancelled_at is not None for r in rows] == [False, True, True]
    assert audited == ["event.create", "event.update", "event.update"]
