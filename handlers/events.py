"""Events in the chat: /event writes one (:mod:`handlers._event_create`), /events lists
them, members answer the card's buttons (Going / Maybe / Can't go), get a calendar file,
check in with /checkin CODE or the deep link ``start=ci-<code>``, and say how it was.

Everything a member presses names an occurrence; the domain refuses an answer or a
check-in for an occurrence the member is not invited to (a forged payload), after its
deadline, or outside the check-in window, and each refusal gets one clear line. A double
press changes nothing the second time (one answer row per member and occurrence; one
attendance; points through a ledger key), and a redelivered update is not handled twice.
The posted cards' counts are edited in place, within the edit limits of
:mod:`bot.animation.events.posting`.
"""

from __future__ import annotations

from dataclasses import replace

from bot.animation.events import (
    calendar,
    cards,
    checkin,
    feedback,
    native,
    notices,
    rsvp,
    words,
)
from bot.animation.events.buttons import (
    CalendarPress,
    CheckinPress,
    FeedbackPress,
    PreviewPress,
    RsvpPress,
)
from bot.conversation import flows
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.port import Message
from bot.members import roles
from bot.models import (
    Event,
    EventOccurrence,
    Role,
    RsvpAnswer,
)
from handlers import _event_create as create
from handlers import _event_list as listing
from handlers import _event_manage as manage

router = Router("events")
router.flow(create.CREATE)
router.flow(manage.EDIT)
router.flow(manage.HAND)
router.deep_link("ci-", "checkin")

ANSWERED = {
    RsvpAnswer.GOING: N_("You are going to “{title}”, {when}. See you there!"),
    RsvpAnswer.MAYBE: N_("Noted: maybe, for “{title}”, {when}."),
    RsvpAnswer.NO: N_("Noted: you can't go to “{title}”. Thank you for saying so."),
    RsvpAnswer.WAITING: N_(
        "“{title}” is full: you are on the waiting list. I will tell you if a place frees up."
    ),
}
CHECKED_IN = N_("You are checked in at “{title}”. Welcome!")


@router.command("event")
async def event(ctx: Context) -> None:
    """Start writing an event (in private)."""
    assert ctx.member is not None
    mine = await roles.categories_of(ctx.session, ctx.settings, ctx.member)
    if not mine:
        ctx.reply(ctx._("You are not a referent of any category yet."))
        return
    if not ctx.move_to_private():
        return
    everyone = ctx.member.role is Role.COORDINATOR
    data: dict[str, object] = {"mine": mine, "all": everyone}
    if len(mine) == 1 and not everyone:
        data["categories"] = mine
        await flows.begin(ctx, create.CREATE, "title", data)
    else:
        await flows.begin(ctx, create.CREATE, "audience", data)


@router.command("events")
async def list_events(ctx: Context) -> None:
    """Upcoming events (the member's, with their answers; an organizer's, with buttons)."""
    await listing.show(ctx)


async def _occurrence(ctx: Context, occurrence_id: int) -> tuple[Event, EventOccurrence] | None:
    """The pressed occurrence and its event; None (told) when it is gone."""
    occurrence = await ctx.session.get(EventOccurrence, occurrence_id)
    found = await ctx.session.get(Event, occurrence.event_id) if occurrence else None
    if found is None or occurrence is None:
        ctx.refuse(ctx._("This button is no longer active."))
        return None
    return found, occurrence


@router.button(RsvpPress, access=Access.ACTIVE)
async def answered(ctx: Context, press: RsvpPress) -> None:
    """Record (or change) the presser's answer; acknowledged privately, cards edited."""
    assert ctx.member is not None
    found = await _occurrence(ctx, press.occurrence_id)
    if found is None:
        return
    event, occurrence = found
    if cards.cancelled(event, occurrence):
        ctx.reply_private(ctx._("This event was cancelled."))
        return
    now = ctx.clock.now()
    try:
        outcome = await rsvp.answer(ctx.session, occurrence, ctx.member, press.answer, now)
    except rsvp.NotInvited:
        ctx.reply_private(
            ctx._("This event is for other categories: your answer was not recorded.")
        )
        return
    except rsvp.RsvpClosed:
        ctx.reply_private(ctx._("Answers to “{title}” are closed.", title=event.title))
        return
    when = words.when(ctx.settings, ctx.language, occurrence)
    if not outcome.changed:
        label = ctx._(manage.ANSWER[outcome.answer])
        ctx.reply_private(ctx._("You had already answered: {answer}.", answer=label))
        return
    ctx.reply_private(ctx._(ANSWERED[outcome.answer], title=event.title, when=when))
    if outcome.promoted:  # told at once; the events job would catch it (same keys)
        told = await notices.tell_promoted(
            ctx.session, ctx.settings, ctx.translator, platforms=ctx.platforms, now=now,
            occurrence_ids=[occurrence.id],
        )  # fmt: skip
        ctx.queued = ctx.queued or told > 0
    for edit in await cards.refresh(
        ctx.session, ctx.settings, ctx.translator, event=event, occurrence=occurrence, now=now
    ):
        ctx.outbox.add(edit)
    if ctx.event.is_private and ctx.event.message_id is not None:  # a private invitation
        card = await cards.card(
            ctx.session, ctx.settings, ctx.translator, ctx.language, event, occurrence
        )
        ctx.outbox.add(listing.edit_of(ctx, card))


@router.button(CalendarPress, access=Access.ACTIVE)
async def add_to_calendar(ctx: Context, press: CalendarPress) -> None:
    """The occurrence as an .ics file, with the date in words, privately."""
    assert ctx.member is not None
    found = await _occurrence(ctx, press.occurrence_id)
    if found is None:
        return
    event, occurrence = found
    if not rsvp.invited(event, ctx.member):
        ctx.reply_private(ctx._("This event is for other categories."))
        return
    content = calendar.ics(event, occurrence, ctx.settings, ctx.language)
    when = words.when(ctx.settings, ctx.language, occurrence)
    text = "\n".join(
        [
            f"📅 {event.title}",
            when,
            event.place,
            ctx._("Open the file to add it to your calendar."),
        ]
    )
    message = Message(text=text, document=(calendar.file_name(event, occurrence), content))
    ctx.send(ctx.private_chat, message)


@router.button(FeedbackPress, access=Access.ACTIVE)
async def rated(ctx: Context, press: FeedbackPress) -> None:
    """An attendee's "How was it?" (pressing another choice changes it)."""
    assert ctx.member is not None
    found = await _occurrence(ctx, press.occurrence_id)
    if found is None:
        return
    rating = int(press.rating)
    now = ctx.clock.now()
    if not await feedback.record(ctx.session, press.occurrence_id, ctx.member.id, rating, now):
        ctx.reply_private(ctx._("Only those who checked in can rate this event."))
        return
    ctx.edit_pressed(ctx._("How was it? → {stars}", stars="★" * rating))
    ctx.reply_private(ctx._("Thank you for telling us!"))


@router.command("checkin")
async def check_in(ctx: Context) -> None:
    """/checkin CODE, or the deep link ``start=ci-CODE``: record attendance once."""
    if not ctx.event.args:
        ctx.refuse(
            ctx._("Send /checkin followed by the code shown at the event, like /checkin K7P2QX.")
        )
        return
    word = ctx.event.args[0]
    await _check_in(ctx, word, "link" if word.startswith("ci-") else "code")


@router.button(CheckinPress, access=Access.ACTIVE)
async def here(ctx: Context, press: CheckinPress) -> None:
    """ "I'm here" (Discord, where there is no deep link): like /checkin CODE."""
    await _check_in(ctx, press.code, "button")


async def _check_in(ctx: Context, code: str, how: str) -> None:
    assert ctx.member is not None
    now = ctx.clock.now()
    outcome = await checkin.by_code(ctx.session, ctx.settings, ctx.member, code, now, how)
    occurrence = await checkin.find(ctx.session, code)
    found = await ctx.session.get(Event, occurrence.event_id) if occurrence else None
    title = found.title if found else ""
    if outcome is checkin.CheckIn.RECORDED:
        points = found.points if found else 0
        lines = [ctx._(CHECKED_IN, title=title)]
        if points:
            lines.append(ctx.ngettext("+{n} point", "+{n} points", points))
        ctx.reply_private("\n".join(lines))
    elif outcome is checkin.CheckIn.ALREADY:
        ctx.reply_private(ctx._("You were already checked in at “{title}”.", title=title))
    elif outcome is checkin.CheckIn.OUTSIDE_WINDOW and occurrence is not None:
        opens, closes = checkin.window(ctx.settings, occurrence)
        ctx.refuse(
            ctx._(
                "Check-in for “{title}” is open from {opens} to {closes} only.",
                title=title, opens=manage.local_time(ctx, opens),
                closes=manage.local_time(ctx, closes),
            )
        )  # fmt: skip
    elif outcome is checkin.CheckIn.NOT_INVITED:
        ctx.refuse(ctx._("This event is for other categories: you cannot check in."))
    else:
        shown = checkin.normalize(code)[:12]
        ctx.refuse(ctx._("No event has the code {code}. Check it and try again.", code=shown))


@router.button(PreviewPress, access=Access.ACTIVE, min_role=Role.REFERENT)
async def preview_pressed(ctx: Context, _press: PreviewPress) -> None:
    """A preview's buttons record nothing."""
    ctx.reply_private(ctx._("This is a preview: members' answers will count, not this one."))


@router.interested
async def interested(ctx: Context) -> None:
    """Someone marked themselves interested (or not) in a Discord scheduled event: a
    Maybe for a linked, invited member (:mod:`bot.animation.events.native` decides; the
    card job shows the new counts)."""
    assert ctx.event.interest is not None
    native_id, added = ctx.event.interest
    await native.interest(
        ctx.session, ctx.settings, platform=ctx.event.platform, native_id=native_id,
        member=ctx.member, added=added, now=ctx.clock.now(),
    )  # fmt: skip


@router.button(manage.EventAdmin, access=Access.ACTIVE, min_role=Role.REFERENT)
async def organizer_pressed(ctx: Context, press: manage.EventAdmin) -> None:
    """Who, results, check-in screen, by hand, edit, cancel: for those who run it."""
    await manage.run(ctx, press)


@router.button(listing.CardPress, access=Access.ACTIVE)
async def show_card(ctx: Context, press: listing.CardPress) -> None:
    """Send an event's card privately (from /events), to answer or get the calendar file."""
    assert ctx.member is not None
    found = await _occurrence(ctx, press.occurrence_id)
    if found is None:
        return
    event, occurrence = found
    if not rsvp.invited(event, ctx.member):
        ctx.reply_private(ctx._("This event is for other categories."))
        return
    card = await cards.card(
        ctx.session, ctx.settings, ctx.translator, ctx.language, event, occurrence
    )
    ctx.send(ctx.private_chat, replace(card, language=ctx.language))
