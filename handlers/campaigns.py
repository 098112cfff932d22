"""/campaign: a coordinator prepares a campaign in private — target categories, message
and call to action in the network's language, when (now, or a local date and time) and
whether it repeats, and whether every targeted member also gets it privately (and by
e-mail, where the e-mail platform runs) — sees it exactly as members will, in each
language written, and confirms. Before confirming, the coordinator may add the text in
the other language, narrow the audience of private messages and e-mails by segments
(level, activity, language, platform), and end a repeating campaign at a date or after
a number of runs. Edit (from /campaigns) runs the same steps, where Keep keeps the
current value.

Nothing is stored before Confirm. A campaign due now runs in the same transaction as its
creation; a later one is run by the ``campaigns`` job at its time.
"""

from __future__ import annotations

from bot.animation import addressed, calls, campaigns, segments
from bot.animation.addressed import Call
from bot.animation.kit import items as kit_items
from bot.animation.wording import LABELS
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Question, Step
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.port import Message
from bot.core.text import clean_block
from bot.models import Campaign, CampaignStatus, Conversation, Repeat, Role
from handlers import _campaign_audience as audience
from handlers import _campaign_questions as q
from handlers._labels import short

router = Router("campaigns")

#: The "next step" of a text that leads to the preview and the confirmation.
PREVIEW = "preview"
REPEATS = {"none": Repeat.NONE, "weekly": Repeat.WEEKLY, "monthly": Repeat.MONTHLY}


# -- target --------------------------------------------------------------------------


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


def _text_step(
    question: Question, field: str, limit: int, next_step: str, *, other: bool = False
) -> Step:
    """A text in the network's language (or, ``other``, in the other one: skippable, and
    the step after it is the preview)."""

    async def sent(ctx: Context, conversation: Conversation, text: str) -> None:
        cleaned = clean_block(text, limit)
        if cleaned is None:
            ctx.reply(ctx._("Please send between 1 and {limit} characters.", limit=limit))
            return
        language = q.other_language(ctx) if other else q.network_language(ctx)
        texts = {**conversation.data.get(field, {}), language: cleaned}
        flows.update(conversation, **{field: texts})
        await _next(ctx, conversation, next_step)

    async def kept(ctx: Context, conversation: Conversation, value: str) -> None:
        if value == SKIP:  # no text in the other language: none of it is kept
            language = q.other_language(ctx)
            for name in ("texts", "calls"):
                flows.update(
                    conversation,
                    **{name: {k: v for k, v in conversation.data.get(name, {}).items()
                              if k != language}},
                )  # fmt: skip
            await _preview(ctx, conversation)
            return
        await _next(ctx, conversation, next_step)

    return Step(question, q.keep, on_text=sent, on_choice=kept, skippable=other)


async def _next(ctx: Context, conversation: Conversation, step: str) -> None:
    if step == PREVIEW:
        await _preview(ctx, conversation)
    else:
        await flows.goto(ctx, CAMPAIGN, conversation, step)


# -- when ----------------------------------------------------------------------------


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


async def _chose_repeat(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, repeat=REPEATS[value].value)
    await flows.goto(ctx, CAMPAIGN, conversation, "direct")


# -- direct messages, preview, confirm -----------------------------------------------


async def _chose_direct(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, direct=value in ("yes", "mail"), email=value == "mail")
    await _after_direct(ctx, conversation)


async def _after_direct(ctx: Context, conversation: Conversation) -> None:
    """Offer the kit items every targeted member sees, when there are any."""
    targets = list(conversation.data.get("categories", []))
    now = ctx.clock.now()
    offered = await kit_items.for_categories(ctx.session, targets, now)
    if not offered:
        flows.update(conversation, kit=None)
        await _preview(ctx, conversation)
        return
    flows.update(conversation, kit_offer=[[item.id, item.title] for item in offered])
    await flows.goto(ctx, CAMPAIGN, conversation, "kit")


def _ask_kit(ctx: Context, conversation: Conversation) -> str:
    question = ctx._("Should members share an item of the kit? Pick it, or tap Skip.")
    chosen = conversation.data.get("kit")
    if conversation.data.get("editing") and chosen:
        question += "\n" + ctx._("Currently: {value}", value=chosen[1])
    return question


def _kit_offer(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [(str(item_id), short(title, 40)) for item_id, title in conversation.data["kit_offer"]]


async def _chose_kit(ctx: Context, conversation: Conversation, value: str) -> None:
    offered = {str(item_id): title for item_id, title in conversation.data.get("kit_offer", [])}
    if value != SKIP and value not in offered:
        flows.ask(ctx, CAMPAIGN, conversation)
        return
    flows.update(conversation, kit=None if value == SKIP else [int(value), offered[value]])
    await _preview(ctx, conversation)


async def _preview(ctx: Context, conversation: Conversation) -> None:
    """Count whom it targets, show it as members will see it — the channel post, and
    the private message and e-mail in each language written — then ask to confirm."""
    assert ctx.member is not None
    targets = tuple(conversation.data.get("categories", []))
    call = Call(categories=targets, author_id=ctx.member.id)
    everything = list(targets) or [category.key for category in ctx.settings.categories]
    draft = q.draft_of(conversation.data)
    narrower = segments.conditions(draft.segments, ctx.settings, ctx.clock.now())
    reach = await addressed.reach(ctx.session, call, everything, narrower)
    flows.update(conversation, reach=reach.total, unclaimed=reach.unclaimed, staff=reach.staff)
    ctx.reply_private(ctx._("Preview — in the channels:"))
    post = campaigns.render(
        ctx.translator, q.network_language(ctx), draft, calls.PREVIEW, private=False
    )
    ctx.send(ctx.private_chat, post)
    for language in draft.wording.written():
        name = ctx._(LABELS[language])
        if draft.direct:
            ctx.reply_private(ctx._("Preview — as a private message ({language}):", language=name))
            dm = campaigns.render(
                ctx.translator, language, draft, calls.PREVIEW, private=True, default=language
            )
            ctx.send(ctx.private_chat, dm)
        if draft.email:
            ctx.reply_private(ctx._("Preview — as an e-mail ({language}):", language=name))
            mail = campaigns.render_email(
                ctx.translator, ctx.settings, language, draft, calls.Subject(campaign_id=0)
            )
            ctx.send(ctx.private_chat, Message(text=mail.text, language=language))
    await flows.goto(ctx, CAMPAIGN, conversation, "confirm")


async def _confirm_choice(ctx: Context, conversation: Conversation, value: str) -> None:
    steps = {"other": "other_message", "segments": "segments", "end": "end"}
    if value in steps:
        await flows.goto(ctx, CAMPAIGN, conversation, steps[value])
        return
    await _confirmed(ctx, conversation)


# -- segments and the end of repeats -------------------------------------------------


async def _chose_segment(ctx: Context, conversation: Conversation, value: str) -> None:
    if value == audience.DONE:
        await _preview(ctx, conversation)
        return
    chosen = audience.toggle(audience.of(conversation.data), value)
    flows.update(conversation, segments=chosen.to_json())
    await flows.goto(ctx, CAMPAIGN, conversation, "segments")


async def _sent_end(ctx: Context, conversation: Conversation, text: str) -> None:
    found = audience.parse_end(ctx, text)
    if found is None:
        ctx.reply(ctx._("Send a date from today on, like 30/06/2026, or a number of runs."))
        return
    flows.update(conversation, **found)
    await _preview(ctx, conversation)


async def _skipped_end(ctx: Context, conversation: Conversation, _value: str) -> None:
    flows.update(conversation, ends_at=None, max_runs=None)
    await _preview(ctx, conversation)


async def _confirmed(ctx: Context, conversation: Conversation) -> None:
    member = ctx.member
    assert member is not None
    draft = q.draft_of(conversation.data)
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
        repeat=draft.repeat.value, direct=draft.direct, email=draft.email,
        segments=campaign.segments, languages=list(draft.wording.written()),
        ends_at=campaign.ends_at.isoformat() if campaign.ends_at else None,
        max_runs=campaign.max_runs,
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
            when=q.when_text(ctx, conversation.data),
        )
    )


CAMPAIGN = router.flow(
    Flow(
        "campaign",
        steps={
            "target": Step(q.ask_target, q.target_choices, _chose_target, columns=2),
            "message": _text_step(q.ask_message, "texts", campaigns.MAX_TEXT, "call"),
            "call": _text_step(q.ask_call, "calls", campaigns.MAX_CALL, "when"),
            "when": Step(q.ask_when, q.when_choices, _chose_when, on_text=_sent_when),
            "repeat": Step(q.ask_repeat, q.repeat_choices, _chose_repeat, columns=3),
            "direct": Step(q.ask_direct, q.direct_choices, _chose_direct, columns=1),
            "kit": Step(_ask_kit, _kit_offer, _chose_kit, skippable=True, columns=1),
            "confirm": Step(q.ask_confirm, q.confirm_choices, _confirm_choice, columns=1),
            "other_message": _text_step(
                q.ask_other_message, "texts", campaigns.MAX_TEXT, "other_call", other=True
            ),
            "other_call": _text_step(
                q.ask_other_call, "calls", campaigns.MAX_CALL, PREVIEW, other=True
            ),
            "segments": Step(q.ask_segments, q.segment_choices, _chose_segment, columns=2),
            "end": Step(q.ask_end, on_choice=_skipped_end, on_text=_sent_end, skippable=True),
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
    title = await campaigns.kit_title(ctx.session, existing, ctx.clock.now())
    data = {
        "editing": existing.id,
        "categories": list(existing.categories),
        "texts": {"fr": existing.text_fr, "en": existing.text_en},
        "calls": {"fr": existing.call_fr, "en": existing.call_en},
        "when": existing.next_run_at.isoformat() if existing.next_run_at else None,
        "repeat": existing.repeat.value,
        "direct": existing.direct,
        "email": existing.email,
        "segments": existing.segments,
        "ends_at": existing.ends_at.isoformat() if existing.ends_at else None,
        "max_runs": existing.max_runs,
        "kit": [existing.kit_item_id, title] if existing.kit_item_id and title else None,
    }
    await flows.begin(ctx, CAMPAIGN, "target", data)
