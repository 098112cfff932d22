"""/events: what is coming, and for organizers what happened.

A member sees the upcoming dates they are invited to, with their own answer and a button
that sends the card privately. A referent or a coordinator also sees the events they run,
upcoming and past, with the counts of answers and buttons for who answered, the results,
the check-in screen, editing and cancelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bot.animation.events import rsvp, words
from bot.conversation.context import Context
from bot.core.payloads import Payload
from bot.core.port import Button, Message, Outgoing
from bot.models import Event, EventOccurrence, EventStatus, Role, Rsvp, RsvpAnswer
from handlers import _event_manage as manage

SHOWN = 5
#: How far back the "past" list of organizers looks.
PAST = timedelta(days=120)


@dataclass(frozen=True)
class CardPress(Payload, prefix="evs"):
    """Send me this occurrence's card (from /events)."""

    occurrence_id: int


def edit_of(ctx: Context, card: Message) -> Outgoing:
    """The pressed message replaced by ``card`` (a private invitation's counts)."""
    assert ctx.event.message_id is not None
    return Outgoing(ctx.event.chat, card, edit_message_id=ctx.event.message_id)


async def _dates(ctx: Context, *, upcoming: bool) -> list[tuple[Event, EventOccurrence]]:
    now = ctx.clock.now()
    query = select(Event, EventOccurrence).join(
        EventOccurrence, EventOccurrence.event_id == Event.id
    )
    if upcoming:
        query = query.where(
            EventOccurrence.ends_at >= now,
            EventOccurrence.cancelled_at.is_(None),
            Event.status == EventStatus.SCHEDULED,
        ).order_by(EventOccurrence.starts_at, EventOccurrence.id)
    else:
        query = query.where(
            EventOccurrence.ends_at < now, EventOccurrence.ends_at >= now - PAST
        ).order_by(EventOccurrence.starts_at.desc(), EventOccurrence.id.desc())
    return [(event, occurrence) for event, occurrence in await ctx.session.execute(query)]


def _counts_line(ctx: Context, counts: dict[RsvpAnswer, int]) -> str:
    return " · ".join(
        f"{ctx._(manage.ANSWER[answer])} {counts.get(answer, 0)}" for answer in RsvpAnswer
    )


async def show(ctx: Context) -> None:
    assert ctx.member is not None
    organizer = ctx.member.role in (Role.REFERENT, Role.COORDINATOR)
    if organizer:
        await _organizer(ctx)
        return
    dates = [
        (event, occurrence)
        for event, occurrence in await _dates(ctx, upcoming=True)
        if rsvp.invited(event, ctx.member)
    ][:SHOWN]
    if not dates:
        ctx.reply(ctx._("No event is coming up for you at the moment."))
        return
    answers = await ctx.session.execute(
        select(Rsvp.occurrence_id, Rsvp.answer).where(
            Rsvp.member_id == ctx.member.id,
            Rsvp.occurrence_id.in_([occurrence.id for _e, occurrence in dates]),
        )
    )
    mine: dict[int, RsvpAnswer] = {row[0]: RsvpAnswer(row[1]) for row in answers}
    lines = [ctx._("Coming up:")]
    buttons = []
    for event, occurrence in dates:
        answer = mine.get(occurrence.id)
        said = ctx._(manage.ANSWER[answer]) if answer else ctx._("not answered")
        lines.append(
            f"#{occurrence.id} “{event.title}” — "
            f"{words.when(ctx.settings, ctx.language, occurrence)} — {said}"
        )
        label = ctx._("Card #{number}", number=occurrence.id)
        buttons.append(Button(label, CardPress(occurrence.id).pack()))
    ctx.reply("\n".join(lines), [buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def _organizer(ctx: Context) -> None:
    runs = [
        pair for pair in await _dates(ctx, upcoming=True) if await manage.may_manage(ctx, pair[0])
    ][:SHOWN]
    past = [
        pair for pair in await _dates(ctx, upcoming=False) if await manage.may_manage(ctx, pair[0])
    ][:SHOWN]
    if not runs and not past:
        ctx.reply(ctx._("No event yet. Send /event to create one."))
        return
    ids = [occurrence.id for _e, occurrence in runs + past]
    counts = await rsvp.counts(ctx.session, ids)
    rows: list[list[Button]] = []
    lines: list[str] = []
    for title, pairs, upcoming in (
        (ctx._("Upcoming events:"), runs, True),
        (ctx._("Past events:"), past, False),
    ):
        if not pairs:
            continue
        lines.append(title)
        for event, occurrence in pairs:
            lines.append(
                f"#{occurrence.id} “{event.title}” — "
                f"{words.when(ctx.settings, ctx.language, occurrence)} — "
                f"{_counts_line(ctx, counts.get(occurrence.id, {}))}"
            )
            rows.append(_buttons(ctx, occurrence.id, upcoming))
    ctx.reply("\n".join(lines), rows)


def _buttons(ctx: Context, occurrence_id: int, upcoming: bool) -> list[Button]:
    number = occurrence_id
    found = [
        manage.admin_button(ctx._("Who #{number}", number=number), "who", number),
        manage.admin_button(ctx._("Results #{number}", number=number), "res", number),
        manage.admin_button(ctx._("Check-in #{number}", number=number), "ci", number),
    ]
    if upcoming:
        found += [
            manage.admin_button(ctx._("Edit #{number}", number=number), "edit", number),
            manage.admin_button(ctx._("Cancel #{number}", number=number), "cancel", number),
        ]
    return found
