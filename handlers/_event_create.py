"""/event: writing an event in private, one question at a time, like /plan.

Who it is for (a coordinator: any categories or everyone; a referent: their own), title,
text in French and/or English, place, start and end in the network's time zone, optional
capacity, RSVP deadline and repeat, points (the config's default), private invitations;
then a preview exactly as members will see it, and Confirm. The draft lives in the flow's
row, so a restart resumes it; nothing is stored as an event before Confirm, where the
right to address each category is checked again (a role may have changed meanwhile).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.animation.events import drafts, occurrences, posting, render
from bot.animation.kit import items as kit_items
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.core.bilingual import Bilingual
from bot.core.text import clean_block
from bot.members import roles
from bot.models import Conversation, Event, EventOccurrence, EventStatus, Role
from handlers import _event_input as typed
from handlers._labels import category_name, short

EVERYONE = "*"
MAX_TITLE, MAX_TEXT, MAX_PLACE = drafts.MAX_TITLE, drafts.MAX_TEXT, drafts.MAX_PLACE
MAX_CAPACITY = 10_000
MAX_DEADLINE_HOURS = 30 * 24
MAX_POINTS = 1000


def draft_of(data: dict[str, Any]) -> drafts.Draft:
    """The flow's stored answers as the domain's draft."""
    until = data.get("until")
    return drafts.Draft(
        title=str(data["title"]),
        text=Bilingual(fr=str(data.get("fr") or ""), en=str(data.get("en") or "")),
        place=str(data["place"]),
        starts_at=datetime.fromisoformat(str(data["starts"])),
        ends_at=datetime.fromisoformat(str(data["ends"])),
        categories=tuple(data.get("categories") or ()),
        capacity=data.get("capacity"),
        rsvp_hours_before=data.get("deadline"),
        repeat=str(data.get("repeat") or "none"),
        repeat_until=date.fromisoformat(until) if until else None,
        points=int(data["points"]),
        private_invites=bool(data.get("invites")),
        kit_item_id=int(data["kit"]) if data.get("kit") else None,
    )


def preview_pair(draft: drafts.Draft, now: datetime) -> tuple[Event, EventOccurrence]:
    """An unsaved event and first occurrence holding the draft, for the preview."""
    event = Event(
        id=0, author_id=None, title=draft.title, text_fr=draft.text.fr, text_en=draft.text.en,
        place=draft.place, categories=list(draft.categories), starts_at=draft.starts_at,
        ends_at=draft.ends_at, repeat=draft.repeat, repeat_until=draft.repeat_until,
        capacity=draft.capacity, rsvp_hours_before=draft.rsvp_hours_before,
        points=draft.points, private_invites=draft.private_invites,
        kit_item_id=draft.kit_item_id, status=EventStatus.SCHEDULED, created_at=now,
    )  # fmt: skip
    occurrence = EventOccurrence(
        id=0, event_id=0, number=1, starts_at=draft.starts_at, ends_at=draft.ends_at,
        checkin_code="PREVIEW",
    )  # fmt: skip
    return event, occurrence


def audience_words(ctx: Context, categories: list[str] | tuple[str, ...]) -> str:
    if not categories:
        return ctx._("everyone")
    return ", ".join(category_name(ctx, key) for key in categories)


# -- who it is for ------------------------------------------------------------------


def _ask_audience(ctx: Context, conversation: Conversation) -> str:
    if conversation.data.get("all"):
        return ctx._(
            "Who is this event for? Choose a category or everyone, or send several "
            "category keys (e.g. business, sport)."
        )
    return ctx._("Which of your categories is this event for? Choose one, or send several keys.")


def _audience_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    choices = [(key, category_name(ctx, key)) for key in conversation.data["mine"]]
    if conversation.data.get("all"):
        choices.append((EVERYONE, ctx._("Everyone")))
    return choices


async def _chose_audience(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, categories=[] if value == EVERYONE else [value])
    await flows.goto(ctx, CREATE, conversation, "title")


async def _typed_audience(ctx: Context, conversation: Conversation, text: str) -> None:
    words = [word for word in re.split(r"[\s,;]+", text.lower()) if word]
    mine = conversation.data["mine"]
    if not words or any(word not in mine for word in words):
        ctx.reply(ctx._("Send category keys among: {keys}", keys=", ".join(mine)))
        return
    flows.update(conversation, categories=sorted(set(words)))
    await flows.goto(ctx, CREATE, conversation, "title")


# -- texts ------------------------------------------------------------------------


def _ask_title(ctx: Context, conversation: Conversation) -> str:
    return ctx._(
        "An event for {audience}. Send its title (a few words).",
        audience=audience_words(ctx, conversation.data.get("categories") or []),
    )


def _text(field: str, limit: int, next_step: str) -> flows.OnText:
    async def sent(ctx: Context, conversation: Conversation, text: str) -> None:
        cleaned = clean_block(text, limit)
        if cleaned is None:
            ctx.reply(ctx._("Please send between 1 and {limit} characters.", limit=limit))
            return
        flows.update(conversation, **{field: cleaned})
        await flows.goto(ctx, CREATE, conversation, next_step)

    return sent


async def _skipped_fr(ctx: Context, conversation: Conversation, _value: str) -> None:
    flows.update(conversation, fr="")
    await flows.goto(ctx, CREATE, conversation, "en")


async def _skipped_en(ctx: Context, conversation: Conversation, _value: str) -> None:
    if not conversation.data.get("fr"):
        ctx.reply(ctx._("An event needs a text in at least one language."))
        await flows.goto(ctx, CREATE, conversation, "fr")
        return
    flows.update(conversation, en="")
    await flows.goto(ctx, CREATE, conversation, "place")


# -- when ---------------------------------------------------------------------------


def _ask_starts(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "When does it start? Send a date and time in the network's time zone "
        "({zone}), like 20/03/2027 18:30.",
        zone=ctx.settings.network.timezone,
    )


async def _sent_starts(ctx: Context, conversation: Conversation, text: str) -> None:
    now = ctx.clock.now()
    starts = drafts.parse_when(text, ctx.settings, now)
    if starts is None or starts <= now:
        ctx.reply(ctx._("Send a date and time to come, like 20/03/2027 18:30."))
        return
    flows.update(conversation, starts=starts.isoformat())
    await flows.goto(ctx, CREATE, conversation, "ends")


def _ask_ends(ctx: Context, _c: Conversation) -> str:
    return ctx._("When does it end? A time that day (20:00) or a date and time.")


async def _sent_ends(ctx: Context, conversation: Conversation, text: str) -> None:
    ends = typed.ends_from(ctx, text, datetime.fromisoformat(str(conversation.data["starts"])))
    if ends is None:
        ctx.reply(ctx._("Send a time after the start, like 20:00."))
        return
    flows.update(conversation, ends=ends.isoformat())
    await flows.goto(ctx, CREATE, conversation, "capacity")


# -- numbers --------------------------------------------------------------------------


def _number(field: str, low: int, high: int, next_step: str) -> tuple[flows.OnText, flows.OnChoice]:
    async def sent(ctx: Context, conversation: Conversation, text: str) -> None:
        value = typed.number_in(text, low, high)
        if value is None:
            ctx.reply(ctx._("Send a number from {low} to {high}, or tap Skip.", low=low, high=high))
            return
        flows.update(conversation, **{field: value})
        await flows.goto(ctx, CREATE, conversation, next_step)

    async def skipped(ctx: Context, conversation: Conversation, _value: str) -> None:
        default = ctx.settings.events.default_points if field == "points" else None
        flows.update(conversation, **{field: default})
        await flows.goto(ctx, CREATE, conversation, next_step)

    return sent, skipped


# -- repeat -------------------------------------------------------------------------


def _ask_repeat(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Does it repeat? Send a rule like “first tuesday” or “every 3 weeks”, or tap “Once only”."
    )


def _repeat_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("none", ctx._("Once only"))]


async def _once(ctx: Context, conversation: Conversation, _value: str) -> None:
    flows.update(conversation, repeat="none")
    await flows.goto(ctx, CREATE, conversation, "points")


async def _sent_repeat(ctx: Context, conversation: Conversation, text: str) -> None:
    rule = occurrences.parse_repeat(text)
    if rule is None:
        ctx.reply(
            ctx._("I did not understand. Send “first tuesday”, “last friday” or “every 3 weeks”.")
        )
        return
    flows.update(conversation, repeat=rule)
    await flows.goto(ctx, CREATE, conversation, "points")


def _ask_points(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "How many points does attending earn? Tap Skip for {points}.",
        points=ctx.settings.events.default_points,
    )


# -- invitations, preview, confirm --------------------------------------------------------


def _ask_invites(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Besides the channels, also send the invitation privately to each member it is for?"
    )


def _invite_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("yes", ctx._("Yes, privately too")), ("no", ctx._("Channels only"))]


async def _chose_invites(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, invites=value == "yes")
    targets = list(conversation.data.get("categories") or [])
    offered = await kit_items.for_categories(ctx.session, targets, ctx.clock.now())
    if not offered:
        await preview(ctx, conversation)
        return
    flows.update(conversation, kit_offer=[[item.id, item.title] for item in offered])
    await flows.goto(ctx, CREATE, conversation, "kit")


def _ask_kit(ctx: Context, _c: Conversation) -> str:
    return ctx._("Should members share an item of the kit? Pick it, or tap Skip.")


def _kit_offer(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [(str(item_id), short(title, 40)) for item_id, title in conversation.data["kit_offer"]]


async def _chose_kit(ctx: Context, conversation: Conversation, value: str) -> None:
    offered = {str(item_id) for item_id, _title in conversation.data.get("kit_offer", [])}
    if value != SKIP and value not in offered:
        flows.ask(ctx, CREATE, conversation)
        return
    flows.update(conversation, kit=None if value == SKIP else int(value))
    await preview(ctx, conversation)


async def preview(ctx: Context, conversation: Conversation) -> None:
    """Show the card exactly as members will see it, then ask to confirm."""
    draft = draft_of(conversation.data)
    event, occurrence = preview_pair(draft, ctx.clock.now())
    language = ctx.settings.network.default_language
    card = render.card(ctx.translator, ctx.settings, language, event, occurrence, {}, preview=True)
    ctx.reply_private(ctx._("Preview — this is how members will see it:"))
    ctx.send(ctx.private_chat, card)
    await flows.goto(ctx, CREATE, conversation, "confirm")


def _ask_confirm(ctx: Context, conversation: Conversation) -> str:
    invites = conversation.data.get("invites")
    return ctx._(
        "Post it for {audience}?{privately}",
        audience=audience_words(ctx, conversation.data.get("categories") or []),
        privately=" " + ctx._("Members will also get it privately.") if invites else "",
    )


def _confirm_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("ok", ctx._("Confirm"))]


async def may_address(ctx: Context, categories: list[str] | tuple[str, ...]) -> bool:
    """Whether the caller may still post to these categories (everyone: coordinators)."""
    assert ctx.member is not None
    if not categories:
        return ctx.member.role is Role.COORDINATOR
    for key in categories:
        if not await roles.speaks_for(ctx.session, ctx.member, key):
            return False
    return True


async def _confirmed(ctx: Context, conversation: Conversation, _value: str) -> None:
    assert ctx.member is not None
    draft = draft_of(conversation.data)
    if not await may_address(ctx, draft.categories):
        await flows.end(ctx, conversation)
        ctx.reply(ctx._("You are not a referent of this category."))
        return
    now = ctx.clock.now()
    if draft.starts_at is None or draft.starts_at <= now:
        await flows.end(ctx, conversation)
        ctx.reply(ctx._("Its start has passed meanwhile. Send /event to write it again."))
        return
    where = await posting.channel_addresses(
        ctx.session, ctx.settings, draft.categories, ctx.platforms
    )
    if not where and not draft.private_invites:
        ctx.reply(
            ctx._(
                "No channel is bound for {audience} yet: a coordinator can bind one with "
                "/bind. Then press Confirm again.",
                audience=audience_words(ctx, draft.categories),
            )
        )
        flows.ask(ctx, CREATE, conversation)
        return
    event = await drafts.create(ctx.session, ctx.settings, draft, ctx.member.id, now)
    dates = await occurrences.ensure_occurrences(ctx.session, ctx.settings, event, now)
    dates = [occurrence for occurrence in dates if occurrence.cancelled_at is None]
    queued = 0
    if dates:
        queued = await posting.post(
            ctx.session, ctx.settings, ctx.translator, event, dates[0],
            platforms=ctx.platforms, now=now,
        )  # fmt: skip
    ctx.queued = ctx.queued or queued > 0
    await flows.end(ctx, conversation)
    ctx.reply(
        ctx._(
            "Posted (event #{number}). /events shows the answers, the check-in code and "
            "the results.",
            number=event.id,
        )
    )


_fr_typed = _text("fr", MAX_TEXT, "en")
_en_typed = _text("en", MAX_TEXT, "place")
_capacity = _number("capacity", 1, MAX_CAPACITY, "deadline")
_deadline = _number("deadline", 1, MAX_DEADLINE_HOURS, "repeat")
_points = _number("points", 0, MAX_POINTS, "invites")

CREATE = Flow(
    "event",
    steps={
        "audience": Step(_ask_audience, _audience_choices, _chose_audience, _typed_audience),
        "title": Step(_ask_title, on_text=_text("title", MAX_TITLE, "fr")),
        "fr": Step(
            lambda ctx, _c: ctx._("The text in French (or tap Skip to write it in English only)."),
            on_choice=_skipped_fr, on_text=_fr_typed, skippable=True,
        ),
        "en": Step(
            lambda ctx, _c: ctx._("The text in English (or tap Skip)."),
            on_choice=_skipped_en, on_text=_en_typed, skippable=True,
        ),
        "place": Step(
            lambda ctx, _c: ctx._("Where? An address, or a link for an online meeting."),
            on_text=_text("place", MAX_PLACE, "starts"),
        ),
        "starts": Step(_ask_starts, on_text=_sent_starts),
        "ends": Step(_ask_ends, on_text=_sent_ends),
        "capacity": Step(
            lambda ctx, _c: ctx._("How many places? Send a number, or tap Skip for no limit."),
            on_choice=_capacity[1], on_text=_capacity[0], skippable=True,
        ),
        "deadline": Step(
            lambda ctx, _c: ctx._(
                "Until when may members answer? Send a number of hours before the start "
                "(e.g. 24), or tap Skip to allow answers until it starts."
            ),
            on_choice=_deadline[1], on_text=_deadline[0], skippable=True,
        ),
        "repeat": Step(_ask_repeat, _repeat_choices, _once, _sent_repeat),
        "points": Step(_ask_points, on_choice=_points[1], on_text=_points[0], skippable=True),
        "invites": Step(_ask_invites, _invite_choices, _chose_invites),
        "kit": Step(_ask_kit, _kit_offer, _chose_kit, skippable=True, columns=1),
        "confirm": Step(_ask_confirm, _confirm_choices, _confirmed),
    },
    min_role=Role.REFERENT,
)  # fmt: skip
