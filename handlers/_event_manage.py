"""What organizers do with an event once posted, from /events' buttons: who answered,
the results, the check-in screen, marking attendance by hand, editing a field, cancelling.

The gate lets referents and coordinators press these buttons; :func:`managed` then checks
this person may run this event (a coordinator any; its author; a referent of every
category it addresses), so a forged payload naming someone else's event gets a refusal.
Every change is audited by the domain; the posted cards are edited at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.animation.events import cards, checkin, drafts, qr, results, rsvp, words
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import Flow, Step
from bot.core.bilingual import Bilingual
from bot.core.i18n import N_
from bot.core.payloads import Payload
from bot.core.port import Button, Message
from bot.core.text import clean_block
from bot.delivery import audience
from bot.members import roles
from bot.models import Conversation, Event, EventOccurrence, Role, RsvpAnswer
from handlers import _event_create as create
from handlers import _event_input as typed
from handlers._labels import category_name
from handlers._people import named_member

ANSWER = {
    RsvpAnswer.GOING: N_("Going"),
    RsvpAnswer.MAYBE: N_("Maybe"),
    RsvpAnswer.NO: N_("Can't go"),
    RsvpAnswer.WAITING: N_("Waiting list"),
}
CANCELLED_NOTICE = N_("“{title}” on {when} is cancelled. Sorry for the change of plans!")

Action = Literal["who", "res", "ci", "hand", "edit", "cancel", "sure"]


@dataclass(frozen=True)
class EventAdmin(Payload, prefix="eva"):
    """An organizer's button under /events, about one occurrence."""

    action: Action
    occurrence_id: int


def admin_button(label: str, action: Action, occurrence_id: int) -> Button:
    return Button(label, EventAdmin(action, occurrence_id).pack())


async def may_manage(ctx: Context, event: Event) -> bool:
    assert ctx.member is not None
    if ctx.member.role is Role.COORDINATOR or event.author_id == ctx.member.id:
        return True
    if ctx.member.role is not Role.REFERENT or not event.categories:
        return False
    return await create.may_address(ctx, event.categories)


async def managed(ctx: Context, occurrence_id: int) -> tuple[Event, EventOccurrence] | None:
    """The occurrence and its event if this organizer may run it; else None, told why."""
    occurrence = await ctx.session.get(EventOccurrence, occurrence_id)
    event = await ctx.session.get(Event, occurrence.event_id) if occurrence else None
    if event is None or occurrence is None:
        ctx.reply(ctx._("This event no longer exists."))
        return None
    if not await may_manage(ctx, event):
        ctx.reply(ctx._("This event is not one of your categories'."))
        return None
    return event, occurrence


def when(ctx: Context, occurrence: EventOccurrence, language: str | None = None) -> str:
    return words.when(ctx.settings, language or ctx.language, occurrence)


def local_time(ctx: Context, moment: datetime) -> str:
    zone = ZoneInfo(ctx.settings.network.timezone)
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


async def run(ctx: Context, press: EventAdmin) -> None:
    found = await managed(ctx, press.occurrence_id)
    if found is None:
        return
    event, occurrence = found
    await ACTIONS[press.action](ctx, event, occurrence)


# -- reading ---------------------------------------------------------------------------


async def _who(ctx: Context, event: Event, occurrence: EventOccurrence) -> None:
    names = await rsvp.names(ctx.session, occurrence.id)
    lines = [f"“{event.title}” — {when(ctx, occurrence)}"]
    for answer in RsvpAnswer:
        listed = names.get(answer, [])
        lines.append(f"{ctx._(ANSWER[answer])} ({len(listed)}): {', '.join(listed) or '—'}")
    ctx.reply("\n".join(lines))


async def _results(ctx: Context, event: Event, occurrence: EventOccurrence) -> None:
    found = await results.results(ctx.session, ctx.settings, occurrence)
    lines = [
        f"“{event.title}” — {when(ctx, occurrence)}",
        ctx._("Invited: {n}", n=found.invited),
        ctx._(
            "Going {going} · Maybe {maybe} · Can't go {no} · Waiting list {waiting}",
            going=found.going, maybe=found.maybe, no=found.no, waiting=found.waiting,
        ),
        ctx._("Attended: {attended} · No-shows: {no_shows}",
              attended=found.attended, no_shows=found.no_shows),
    ]  # fmt: skip
    feedback = " · ".join(
        f"{'★' * rating} {n}" for rating, n in sorted(found.feedback.items()) if n
    )
    lines.append(ctx._("How was it: {answers}", answers=feedback or "—"))
    for key, row in found.by_category.items():
        lines.append(
            "• "
            + ctx._(
                "{category}: {invited} invited, {going} going, {attended} attended",
                category=category_name(ctx, key), invited=row.invited, going=row.going,
                attended=row.attended,
            )
        )  # fmt: skip
    ctx.reply("\n".join(lines))


async def _checkin_screen(ctx: Context, event: Event, occurrence: EventOccurrence) -> None:
    opens, closes = checkin.window(ctx.settings, occurrence)
    lines = [
        ctx._("Check-in for “{title}” — {when}", title=event.title, when=when(ctx, occurrence)),
        ctx._("Code: {code}", code=occurrence.checkin_code),
        ctx._(
            "Members send /checkin {code} from {opens} to {closes}.",
            code=occurrence.checkin_code, opens=local_time(ctx, opens),
            closes=local_time(ctx, closes),
        ),
    ]  # fmt: skip
    link = ctx.start_links.get(ctx.event.platform)
    image = None
    if link:
        url = f"{link}ci-{occurrence.checkin_code}"
        image = qr.checkin_qr(url)
        lines.append(ctx._("Or they scan the QR code, or open this link: {url}", url=url))
    hand = [[admin_button(ctx._("Mark attendance by hand"), "hand", occurrence.id)]]
    message = Message.with_rows("\n".join(lines), hand)
    ctx.send(ctx.answer_to or ctx.event.chat, replace(message, image_png=image))


# -- attendance by hand ----------------------------------------------------------------


async def _hand(ctx: Context, event: Event, occurrence: EventOccurrence) -> None:
    if not ctx.move_to_private():
        return
    await flows.begin(ctx, HAND, "who", {"occurrence_id": occurrence.id, "title": event.title})


def _ask_who(ctx: Context, conversation: Conversation) -> str:
    return ctx._(
        "Who attended “{title}”? Send a member's number (#12) or name, one at a time; "
        "tap Done when finished.",
        title=conversation.data["title"],
    )


async def _marked(ctx: Context, conversation: Conversation, text: str) -> None:
    assert ctx.member is not None
    found = await managed(ctx, int(conversation.data["occurrence_id"]))
    if found is None:
        await flows.end(ctx, conversation)
        return
    _event, occurrence = found
    member = await named_member(ctx, text.strip())
    if member is None:
        return
    outcome = await checkin.by_hand(
        ctx.session, ctx.settings, occurrence, member.id, ctx.member.id, ctx.clock.now()
    )
    if outcome is checkin.CheckIn.ALREADY:
        ctx.reply(ctx._("{name} was already marked as present.", name=member.display_name))
    elif outcome is checkin.CheckIn.NOT_INVITED:
        ctx.reply(ctx._("{name} was not invited to this event.", name=member.display_name))
    else:
        ctx.reply(ctx._("{name} is marked as present.", name=member.display_name))
    await flows.goto(ctx, HAND, conversation, "who")


def _done_choice(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("done", ctx._("Done"))]


async def _done(ctx: Context, conversation: Conversation, _value: str) -> None:
    await flows.end(ctx, conversation)
    ctx.reply(ctx._("Attendance noted. Results show it."))


HAND = Flow(
    "event-hand",
    steps={"who": Step(_ask_who, _done_choice, _done, _marked)},
    min_role=Role.REFERENT,
)


# -- editing ---------------------------------------------------------------------------

FIELDS = {
    "title": N_("Change the title"),
    "text_fr": N_("Change the French text"),
    "text_en": N_("Change the English text"),
    "place": N_("Change the place"),
    "starts_at": N_("Change the start"),
    "ends_at": N_("Change the end"),
    "capacity": N_("Change the number of places"),
    "points": N_("Change the points"),
}


async def _edit(ctx: Context, event: Event, occurrence: EventOccurrence) -> None:
    if not ctx.move_to_private():
        return
    data = {"occurrence_id": occurrence.id, "event_id": event.id, "title": event.title}
    await flows.begin(ctx, EDIT, "field", data)


def _ask_field(ctx: Context, conversation: Conversation) -> str:
    return ctx._("What do you change in “{title}”?", title=conversation.data["title"])


def _field_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(key, ctx._(label)) for key, label in FIELDS.items()]


async def _chose_field(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, field=value)
    await flows.goto(ctx, EDIT, conversation, "value")


def _ask_value(ctx: Context, conversation: Conversation) -> str:
    field = conversation.data["field"]
    if field in ("starts_at", "ends_at"):
        return ctx._("Send the new date and time, like 20/03/2027 18:30.")
    if field in ("capacity", "points"):
        return ctx._("Send the new number (0 for no limit on places).")
    return ctx._("Send the new text.")


def parse_value(ctx: Context, field: str, text: str, event: Event) -> object | None:
    """The typed value of ``field``, or None when it does not read."""
    if field in ("starts_at", "ends_at"):
        moment = drafts.parse_when(text, ctx.settings, ctx.clock.now())
        if moment is None or moment <= ctx.clock.now():
            return None
        if field == "ends_at" and moment <= event.starts_at:
            return None
        return moment
    if field == "capacity":
        number = typed.number_in(text, 0, create.MAX_CAPACITY)
        return None if number is None else (number or 0)
    if field == "points":
        return typed.number_in(text, 0, create.MAX_POINTS)
    limit = {"title": create.MAX_TITLE, "place": create.MAX_PLACE}.get(field, create.MAX_TEXT)
    return clean_block(text, limit)


async def _sent_value(ctx: Context, conversation: Conversation, text: str) -> None:
    assert ctx.member is not None
    found = await managed(ctx, int(conversation.data["occurrence_id"]))
    if found is None:
        await flows.end(ctx, conversation)
        return
    event, occurrence = found
    field = str(conversation.data["field"])
    value = parse_value(ctx, field, text, event)
    if value is None:
        ctx.reply(ctx._("That does not fit this field. Please send it again."))
        return
    change: dict[str, object] = {field: None if field == "capacity" and value == 0 else value}
    if field in ("text_fr", "text_en"):
        texts = {"fr": event.text_fr, "en": event.text_en, field.removeprefix("text_"): str(value)}
        change = {"text": Bilingual.of(texts)}
    now = ctx.clock.now()
    await drafts.update(ctx.session, ctx.settings, event, change, ctx.member.id, now)
    for edit in await cards.refresh(
        ctx.session, ctx.settings, ctx.translator, event=event, occurrence=occurrence,
        now=now, force=True,
    ):  # fmt: skip
        ctx.outbox.add(edit)
    await flows.end(ctx, conversation)
    ctx.reply(ctx._("Changed. The posted cards show it now."))


EDIT = Flow(
    "event-edit",
    steps={
        "field": Step(_ask_field, _field_choices, _chose_field),
        "value": Step(_ask_value, on_text=_sent_value),
    },
    min_role=Role.REFERENT,
)


# -- cancelling ------------------------------------------------------------------------


async def _cancel(ctx: Context, event: Event, occurrence: EventOccurrence) -> None:
    if cards.cancelled(event, occurrence):
        ctx.reply(ctx._("This event is already cancelled."))
        return
    ctx.reply(
        ctx._(
            "Cancel “{title}” on {when}? Those who answered going or maybe, and the waiting "
            "list, will be told.",
            title=event.title, when=when(ctx, occurrence),
        ),
        [[admin_button(ctx._("Yes, cancel it"), "sure", occurrence.id)]],
    )  # fmt: skip


async def _sure(ctx: Context, event: Event, occurrence: EventOccurrence) -> None:
    assert ctx.member is not None
    if cards.cancelled(event, occurrence):
        ctx.reply(ctx._("This event is already cancelled."))
        return
    now = ctx.clock.now()
    target: Event | EventOccurrence = occurrence if event.repeat != "none" else event
    told = await drafts.cancel(ctx.session, ctx.settings, target, ctx.member.id, now)
    ctx.edit_pressed(ctx._("Cancelled."))

    def notice(language: str) -> Message:
        return Message(
            text=ctx.translator.gettext(
                language, CANCELLED_NOTICE, title=event.title,
                when=when(ctx, occurrence, language),
            )
        )  # fmt: skip

    key = f"event:{occurrence.id}:cancelled"
    queued = await audience.tell_members(
        ctx.session, now=now, platforms=ctx.platforms, member_ids=told, key_prefix=key,
        batch=key, render=notice,
    )  # fmt: skip
    ctx.queued = ctx.queued or queued > 0
    for edit in await cards.refresh(
        ctx.session, ctx.settings, ctx.translator, event=event, occurrence=occurrence,
        now=now, force=True,
    ):  # fmt: skip
        ctx.outbox.add(edit)
    ctx.reply(
        ctx.ngettext(
            "Cancelled; {n} member is told.", "Cancelled; {n} members are told.", len(told)
        )
    )  # fmt: skip


ACTIONS = {
    "who": _who,
    "res": _results,
    "ci": _checkin_screen,
    "hand": _hand,
    "edit": _edit,
    "cancel": _cancel,
    "sure": _sure,
}


async def organizer_of(ctx: Context) -> list[str]:
    """Categories this organizer runs (all for a coordinator)."""
    assert ctx.member is not None
    return await roles.categories_of(ctx.session, ctx.settings, ctx.member)
