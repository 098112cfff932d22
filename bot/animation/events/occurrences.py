"""The dates an event happens on, expanded in the network's time zone.

A repeat is stored as a short rule (``none``, ``monthly:1:1`` for "first Tuesday",
``monthly:-1:4`` for "last Friday", ``weeks:3`` for "every three weeks") and expanded
with python-dateutil's ``rrule`` on the network's *local* wall clock, then converted to
UTC: "first Tuesday 18:30" stays 18:30 in Paris across the daylight-saving changes, so
its UTC time moves by an hour twice a year. Occurrences are materialized a few ahead
(``[events] occurrences_ahead``) so members can answer each date on its own.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import N_, NP_, Translator
from bot.models import Event, EventOccurrence, EventStatus

#: Check-in codes: no 0/O, 1/I/L, so a code read aloud or off a screen is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: How far a series is followed at most (a safety stop for a rule that never matches).
MAX_STEPS = 520

_WEEKDAYS = {
    "monday": 0, "lundi": 0, "tuesday": 1, "mardi": 1, "wednesday": 2, "mercredi": 2,
    "thursday": 3, "jeudi": 3, "friday": 4, "vendredi": 4, "saturday": 5, "samedi": 5,
    "sunday": 6, "dimanche": 6,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "1st": 1, "premier": 1, "1er": 1, "second": 2, "2nd": 2, "deuxieme": 2,
    "2e": 2, "third": 3, "3rd": 3, "troisieme": 3, "3e": 3, "fourth": 4, "4th": 4,
    "quatrieme": 4, "4e": 4, "last": -1, "dernier": -1,
}  # fmt: skip
_NONE = {"none", "no", "non", "aucun", "aucune", "jamais", "never", "once", "une fois", "-"}
_MONTHLY = re.compile(r"^(?:(?:the|le|chaque|every|each)\s+)?(\S+)\s+(\S+)(?:\s+.*)?$")
_WEEKS = re.compile(
    r"^(?:every|toutes les|tous les|chaque)\s+(?:(\d{1,2})\s+)?(?:weeks?|semaines?)$"
)
_WEEKLY_WORDS = {"weekly", "hebdomadaire", "every week", "chaque semaine", "toutes les semaines"}

#: Translated with a context: "first" or "Monday" alone may mean other things elsewhere.
WEEKDAY_NAMES = (
    NP_("weekday", "Monday"), NP_("weekday", "Tuesday"), NP_("weekday", "Wednesday"),
    NP_("weekday", "Thursday"), NP_("weekday", "Friday"), NP_("weekday", "Saturday"),
    NP_("weekday", "Sunday"),
)  # fmt: skip
ORDINAL_NAMES = {
    1: NP_("ordinal", "first"), 2: NP_("ordinal", "second"), 3: NP_("ordinal", "third"),
    4: NP_("ordinal", "fourth"), -1: NP_("ordinal", "last"),
}  # fmt: skip


def _plain(text: str) -> str:
    """Lower case, French accents off (``deuxième`` → ``deuxieme``), spaces squeezed."""
    table = str.maketrans("éèêëàâîïôûùç", "eeeeaaiiouuc")
    return " ".join(text.lower().translate(table).split())


def parse_repeat(text: str) -> str | None:
    """The rule an author typed, or None when it is not one: "first tuesday" /
    "premier mardi" (→ ``monthly:1:1``), "last friday" / "dernier vendredi"
    (``monthly:-1:4``), "every 3 weeks" / "toutes les 3 semaines" (``weeks:3``),
    "every week" (``weeks:1``), "none" / "aucune" (``none``). Stored rules parse to
    themselves, so an edit may show and take them back."""
    plain = _plain(text).removesuffix(" of the month").removesuffix(" du mois")
    if plain in _NONE:
        return "none"
    if plain in _WEEKLY_WORDS:
        return "weeks:1"
    if re.fullmatch(r"monthly:(-1|[1-4]):[0-6]|weeks:([1-9]|[1-4]\d|5[0-2])", plain):
        return plain
    weeks = _WEEKS.match(plain)
    if weeks:
        count = int(weeks[1] or 1)
        return f"weeks:{count}" if 1 <= count <= 52 else None
    monthly = _MONTHLY.match(plain)
    if monthly and monthly[1] in _ORDINALS and monthly[2] in _WEEKDAYS:
        return f"monthly:{_ORDINALS[monthly[1]]}:{_WEEKDAYS[monthly[2]]}"
    return None


#: The rules in words (module constants, so that the catalogs' extraction finds them).
EVERY_NTH = N_("every {ordinal} {weekday} of the month")
EVERY_WEEK = N_("every week")
ONCE = N_("once only")


def describe_repeat(translator: Translator, language: str, rule: str) -> str:
    """The rule in words, in ``language``: "every first Tuesday of the month",
    "every 3 weeks", "once"."""

    def ngettext(singular: str, plural: str, n: int) -> str:
        return translator.ngettext(language, singular, plural, n)

    kind, _sep, rest = rule.partition(":")
    if kind == "monthly":
        nth, day = (int(part) for part in rest.split(":"))
        return translator.gettext(
            language,
            EVERY_NTH,
            ordinal=translator.pgettext(language, "ordinal", ORDINAL_NAMES[nth]),
            weekday=translator.pgettext(language, "weekday", WEEKDAY_NAMES[day]),
        )
    if kind == "weeks":
        count = int(rest)
        if count == 1:
            return translator.gettext(language, EVERY_WEEK)
        return ngettext("every {n} week", "every {n} weeks", count)
    return translator.gettext(language, ONCE)


def _rule(event: Event, first: datetime) -> rrule | None:
    kind, _sep, rest = event.repeat.partition(":")
    until = datetime.combine(event.repeat_until, time(23, 59, 59)) if event.repeat_until else None
    if kind == "monthly":
        nth, day = (int(part) for part in rest.split(":"))
        return rrule(MONTHLY, dtstart=first, byweekday=weekday(day, nth), until=until)
    if kind == "weeks":
        return rrule(WEEKLY, dtstart=first, interval=int(rest), until=until)
    return None


def series(event: Event, settings: Settings) -> Iterator[tuple[int, datetime, datetime]]:
    """Every occurrence of ``event`` as (number, start, end) in UTC, from the first:
    number 1 is the event's own start; the repeats follow on the local wall clock."""
    zone = ZoneInfo(settings.network.timezone)
    local_start = event.starts_at.astimezone(zone)
    local_end = event.ends_at.astimezone(zone)
    # The length on the wall clock: an 18:30–20:00 meeting stays so on a change night.
    length = local_end.replace(tzinfo=None) - local_start.replace(tzinfo=None)
    yield 1, event.starts_at.astimezone(UTC), event.ends_at.astimezone(UTC)
    first = local_start.replace(tzinfo=None)
    rule = _rule(event, first)
    if rule is None:
        return
    number = 1
    for step, wall in enumerate(rule):
        if step > MAX_STEPS:
            return
        if wall <= first:
            continue
        number += 1
        start = wall.replace(tzinfo=zone).astimezone(UTC)
        end = (wall + length).replace(tzinfo=zone).astimezone(UTC)
        yield number, start, end


def expand(
    event: Event, settings: Settings, *, after: datetime, count: int
) -> list[tuple[datetime, datetime]]:
    """The next ``count`` occurrences (start, end in UTC) starting after ``after``."""
    found: list[tuple[datetime, datetime]] = []
    for _number, start, end in series(event, settings):
        if len(found) >= count:
            break
        if start > after:
            found.append((start, end))
    return found


def new_code() -> str:
    """A fresh check-in code (uniqueness is the column's constraint; callers retry)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def ensure_occurrences(
    session: AsyncSession, settings: Settings, event: Event, now: datetime
) -> list[EventOccurrence]:
    """Make the occurrences members may answer exist: the first always, then enough
    repeats that ``[events] occurrences_ahead`` of them start after ``now``. Safe to run
    twice or concurrently (the (event, number) pair is unique; a lost race is skipped).
    Returns every occurrence of the event that exists afterwards, in order."""
    existing = {
        occurrence.number: occurrence
        for occurrence in (
            await session.scalars(
                select(EventOccurrence).where(EventOccurrence.event_id == event.id)
            )
        ).all()
    }
    if event.status is EventStatus.SCHEDULED:
        ahead = settings.events.occurrences_ahead
        for number, start, end in series(event, settings):
            if number > 1 and ahead <= 0:
                break
            if start > now:
                ahead -= 1
            if number in existing or (number > 1 and end <= now):
                continue  # a date missed while the bot was off stays missed
            occurrence = await _insert(session, event.id, number, start, end)
            if occurrence is not None:
                existing[number] = occurrence
    return [existing[number] for number in sorted(existing)]


async def _insert(
    session: AsyncSession, event_id: int, number: int, start: datetime, end: datetime
) -> EventOccurrence | None:
    for _attempt in range(5):
        occurrence = EventOccurrence(
            event_id=event_id, number=number, starts_at=start, ends_at=end, checkin_code=new_code()
        )
        try:
            async with session.begin_nested():
                session.add(occurrence)
        except IntegrityError:
            taken = await session.scalar(
                select(EventOccurrence).where(
                    EventOccurrence.event_id == event_id, EventOccurrence.number == number
                )
            )
            if taken is not None:  # someone else made it: theirs is the one
                return taken
            continue  # the random code collided: draw another
        return occurrence
    return None


async def next_occurrence(
    session: AsyncSession, event_id: int, now: datetime
) -> EventOccurrence | None:
    """The event's first occurrence not yet over (nor cancelled) at ``now``."""
    return await session.scalar(
        select(EventOccurrence)
        .where(
            EventOccurrence.event_id == event_id,
            EventOccurrence.ends_at > now,
            EventOccurrence.cancelled_at.is_(None),
        )
        .order_by(EventOccurrence.starts_at)
        .limit(1)
    )


def local(settings: Settings, moment: datetime) -> datetime:
    """``moment`` on the network's wall clock."""
    return moment.astimezone(ZoneInfo(settings.network.timezone))


def horizon(settings: Settings, now: datetime) -> datetime:
    """A date far enough that every occurrence an author sets is within it (a sanity
    bound for :func:`bot.animation.events.drafts.parse_when`)."""
    return now + timedelta(days=2 * 366)
