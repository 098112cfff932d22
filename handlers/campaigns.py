"""/campaign: a coordinator prepares a campaign in private — target categories, message,
call to action, when (now, or a local date and time) and whether it repeats, and whether
every targeted member also gets it privately — sees it exactly as members will, and
confirms. Edit (from /campaigns) runs the same steps, where Keep keeps the current value.

Nothing is stored before Confirm. A campaign due now runs in the same transaction as its
creation; a later one is run by the ``campaigns`` job at its time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.animation import addressed, calls, campaigns
from bot.animation.addressed import Call
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import Flow, Question, Step
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.text import clean_block
from bot.models import Campaign, CampaignStatus, Conversation, Repeat, Role
from handlers._labels import category_name
from handlers.results import apart_lines

router = Router("campaigns")

KEEP = "keep"
REPEATS = {"none": Repeat.NONE, "weekly": Repeat.WEEKLY, "monthly": Repeat.MONTHLY}


def _draft(data: dict[str, Any]) -> campaigns.Draft:
    when = data.get("when")
    return campaigns.Draft(
        categories=tuple(data.get("categories", [])),
        text=str(data.get("text", "")),
        call_to_action=str(data.get("call", "")),
        starts_at=datetime.fromisoformat(when) if when else None,
        repeat=Repeat(data.get("repeat", "none")),
        direct=bool(data.get("direct")),
    )


def _targets(ctx: Context, keys: list[str]) -> str:
    if not keys:
        return ctx._("All categories")
    return ", ".join(category_name(ctx, key) for key in keys)


def _now_line(ctx: Context, conversation: Conversation, value: str) -> str:
    if conversation.data.get("editing"):
        return (
            "\n" + ctx._("Currently: {value}", value=value) + "\n" + ctx._("Tap Keep to keep it.")
        )
    return ""


# -- target --------------------------------------------------------------------------


def _ask_target(ctx: Context, conversation: Conversation) -> str:
    chosen = list(conversation.data.get("categories", []))
    text = ctx._(
        "Which categories should this campaign reach? Tap categories to select them, then "
        "Continue; or tap All categories."
    )
    if chosen:
        text += "\n" + ctx._("Selected: {categories}", categories=_targets(ctx, chosen))
    return text


def _target_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    chosen = set(conversation.data.get("categories", []))
    choices = [
        (c.key, ("✓ " if c.key in chosen else "") + category_name(ctx, c.key))
        for c in ctx.settings.categories
    ]
    choices.append(("*", ctx._("All categories")))
    if chosen:
        choices.append((">", ctx._("Continue")))
    return choices


async def _chose_target(ctx: Context, conversation: Conversation, value: str) -> None:
    chosen = list(conversation.data.get("categories", []))
    if value == "*":
        flows.update(conversation, categories=[])
    elif value != ">":
        chosen = [k for k in chosen if k != value] if value in chosen else [*chosen, value]
        order = [c.key for c in ctx.settings.categories]
        flows.update(conversation, categories=sorted(chosen, key=order.index))
        await flows.goto(ctx, CAMPAIGN, conversation, "target")
        return
    await flows.goto(ctx, CAMPAIGN, conversation, "message")


# -- message and call to action ------------------------------------------------------


def _ask_message(ctx: Context, conversation: Conversation) -> str:
    text = ctx._("Send the campaign's message, as members will read it.")
    return text + _now_line(ctx, conversation, str(conversation.data.get("text", "")))


def _ask_call(ctx: Context, conversation: Conversation) -> str:
    text = ctx._(
        "The call to action, in one sentence (e.g. “Post a photo of your favourite spot "
        "with #OnlyLyon”). Members answer it with Done / I'm on it / Not for me."
    )
    return text + _now_line(ctx, conversation, str(conversation.data.get("call", "")))


def _text_step(question: Question, field: str, limit: int, next_step: str) -> Step:
    async def sent(ctx: Context, conversation: Conversation, text: str) -> None:
        cleaned = clean_block(text, limit)
        if cleaned is None:
            ctx.reply(ctx._("Please send between 1 and {limit} characters.", limit=limit))
            return
        flows.update(conversation, **{field: cleaned})
        await flows.goto(ctx, CAMPAIGN, conversation, next_step)

    async def kept(ctx: Context, conversation: Conversation, _value: str) -> None:
        await flows.goto(ctx, CAMPAIGN, conversation, next_step)

    return Step(question, _keep, on_text=sent, on_choice=kept)


def _keep(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    """When editing, a button to keep the current value."""
    return [(KEEP, ctx._("Keep"))] if conversation.data.get("editing") else []


# -- when ----------------------------------------------------------------------------


def _when_text(ctx: Context, data: dict[str, Any]) -> str:
    draft = _draft(data)
    when = campaigns.local(ctx.settings, draft.starts_at) if draft.starts_at else ctx._("now")
    repeat = {
        Repeat.NONE: "",
        Repeat.WEEKLY: ", " + ctx._("every week"),
        Repeat.MONTHLY: ", " + ctx._("every month"),
    }
    return when + repeat[draft.repeat]


def _ask_when(ctx: Context, conversation: Conversation) -> str:
    text = ctx._(
        "When should it go out? Tap Now, or send a date and time ({zone} time), e.g. "
        "09/03/2026 09:00.",
        zone=ctx.settings.network.timezone,
    )
    return text + _now_line(ctx, conversation, _when_text(ctx, conversation.data))


def _when_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [("now", ctx._("Now")), *_keep(ctx, conversation)]


async def _chose_when(ctx: Context, conversation: Conversation, value: str) -> None:
    if value == "now":
        flows.update(conversation, when=None)
    await flows.goto(ctx, CAMPAIGN, conversation, "repeat")


async def _sent_when(ctx: Context, conversation: Conversation, text: str) -> None:
    when = campaigns.parse_when(text, ctx.settings, ctx.clock.now())
    if when is None:
        ctx.reply(ctx._("Send a future date and time like 09/03/2026 09:00, or tap Now."))
        return
    flows.update(conversation, when=when.isoformat())
    await flows.goto(ctx, CAMPAIGN, conversation, "repeat")


def _ask_repeat(ctx: Context, _c: Conversation) -> str:
    return ctx._("Send it once, or repeat it at the same time?")


def _repeat_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [
        ("none", ctx._("Once")),
        ("weekly", ctx._("Every week")),
        ("monthly", ctx._("Every month")),
    ]


async def _chose_repeat(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, repeat=REPEATS[value].value)
    await flows.goto(ctx, CAMPAIGN, conversation, "direct")


# -- direct messages, preview, confirm -----------------------------------------------


def _ask_direct(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Besides the channel posts, also send it as a private message to every targeted member?"
    )


def _direct_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("yes", ctx._("Yes, privately too")), ("no", ctx._("Channels only"))]


async def _chose_direct(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, direct=value == "yes")
    assert ctx.member is not None
    targets = tuple(conversation.data.get("categories", []))
    call = Call(categories=targets, author_id=ctx.member.id)
    everything = list(targets) or [category.key for category in ctx.settings.categories]
    reach = await addressed.reach(ctx.session, call, everything)
    flows.update(conversation, reach=reach.total, unclaimed=reach.unclaimed, staff=reach.staff)
    draft = _draft(conversation.data)
    language = ctx.settings.network.default_language
    ctx.reply_private(ctx._("Preview — in the channels:"))
    post = campaigns.render(ctx.translator, language, draft, calls.PREVIEW, private=False)
    ctx.send(ctx.private_chat, post)
    if draft.direct:
        ctx.reply_private(ctx._("Preview — as a private message:"))
        dm = campaigns.render(ctx.translator, ctx.language, draft, calls.PREVIEW, private=True)
        ctx.send(ctx.private_chat, dm)
    await flows.goto(ctx, CAMPAIGN, conversation, "confirm")


def _ask_confirm(ctx: Context, conversation: Conversation) -> str:
    data = conversation.data
    lines = [
        ctx._("Categories: {categories}", categories=_targets(ctx, data.get("categories", []))),
        ctx._("When: {when}", when=_when_text(ctx, data)),
        ctx.ngettext(
            "Active members targeted: {n}",
            "Active members targeted: {n}",
            int(data.get("reach", 0)),
        ),
        *apart_lines(ctx, unclaimed=int(data.get("unclaimed", 0)), staff=int(data.get("staff", 0))),
        ctx._("Private messages: yes") if data.get("direct") else ctx._("Private messages: no"),
    ]
    return "\n".join(lines) + "\n" + ctx._("Confirm this campaign?")


def _confirm_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("ok", ctx._("Confirm"))]


async def _confirmed(ctx: Context, conversation: Conversation, _value: str) -> None:
    member = ctx.member
    assert member is not None
    draft = _draft(conversation.data)
    now = ctx.clock.now()
    if draft.starts_at is not None and draft.starts_at <= now:
        ctx.reply(ctx._("That time has passed. Choose another, or Now."))
        await flows.goto(ctx, CAMPAIGN, conversation, "when")
        return
    existing = None
    editing = conversation.data.get("editing")
    if editing:
        existing = await ctx.session.get(Campaign, int(editing), with_for_update=True)
        if existing is None or existing.status is not CampaignStatus.SCHEDULED:
            await flows.end(ctx, conversation)
            ctx.reply(ctx._("This campaign can no longer be changed."))
            return
    campaign = campaigns.save(existing, draft, author_id=member.id, now=now)
    ctx.session.add(campaign)
    await ctx.session.flush()
    audit.record(
        ctx.session, ctx.clock, actor_id=member.id,
        action="campaign.edit" if existing else "campaign.create", campaign_id=campaign.id,
        categories=list(draft.categories), starts_at=campaign.starts_at.isoformat(),
        repeat=draft.repeat.value, direct=draft.direct,
    )  # fmt: skip
    await flows.end(ctx, conversation)
    if draft.starts_at is None:
        queued = await campaigns.run(
            ctx.session, ctx.settings, ctx.translator, campaign, platforms=ctx.platforms, now=now
        )
        ctx.queued = ctx.queued or queued > 0
        ctx.reply(
            ctx._(
                "Campaign #{number} is going out now. /campaigns shows its progress.",
                number=campaign.id,
            )
        )
        return
    ctx.reply(
        ctx._(
            "Campaign #{number} is scheduled for {when}. /campaigns lists it.",
            number=campaign.id,
            when=_when_text(ctx, conversation.data),
        )
    )


CAMPAIGN = router.flow(
    Flow(
        "campaign",
        steps={
            "target": Step(_ask_target, _target_choices, _chose_target, columns=2),
            "message": _text_step(_ask_message, "text", campaigns.MAX_TEXT, "call"),
            "call": _text_step(_ask_call, "call", campaigns.MAX_CALL, "when"),
            "when": Step(_ask_when, _when_choices, _chose_when, on_text=_sent_when),
            "repeat": Step(_ask_repeat, _repeat_choices, _chose_repeat, columns=3),
            "direct": Step(_ask_direct, _direct_choices, _chose_direct, columns=1),
            "confirm": Step(_ask_confirm, _confirm_choices, _confirmed),
        },
        min_role=Role.COORDINATOR,
    )
)


@router.command("campaign")
async def campaign(ctx: Context) -> None:
    """Prepare a new campaign (in private)."""
    if not ctx.move_to_private():
        return
    await flows.begin(ctx, CAMPAIGN, "target", {})


async def edit(ctx: Context, existing: Campaign) -> None:
    """Walk through the steps again with the campaign's values (from /campaigns)."""
    data = {
        "editing": existing.id,
        "categories": list(existing.categories),
        "text": existing.text,
        "call": existing.call_to_action,
        "when": existing.next_run_at.isoformat() if existing.next_run_at else None,
        "repeat": existing.repeat.value,
        "direct": existing.direct,
    }
    await flows.begin(ctx, CAMPAIGN, "target", data)
