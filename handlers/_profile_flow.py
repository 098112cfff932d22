"""The /profile flow: one field at a time, in private. Created step by step the first time
(every step skippable), then one field or choice at a time from the preview's buttons.
Each answer is saved at once on the (still hidden, until published) profile; the flow
ends on the preview (:func:`handlers._directory_view.profile_message`)."""

from __future__ import annotations

from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.core.i18n import N_
from bot.directory import profiles
from bot.models import Conversation, Profile
from handlers._directory_view import profile_message

TAGS, CONTACT, EMAIL, PAIRS = "tags", "contact", "email", "pairs"
DONE = "done"
YES, NO = "yes", "no"


def steps_for(ctx: Context) -> list[str]:
    """The guided creation's steps, in order: the text fields, the tags, the choices
    (sharing the e-mail only with an address known; the meetings only when on)."""
    assert ctx.member is not None
    found = [field.key for field in profiles.FIELDS] + [TAGS, CONTACT]
    if ctx.member.email:
        found.append(EMAIL)
    if ctx.settings.directory.pairs:
        found.append(PAIRS)
    return found


async def _profile(ctx: Context) -> Profile:
    assert ctx.member is not None
    return await profiles.get_or_new(ctx.session, ctx.settings, ctx.member, ctx.clock.now())


async def _next(ctx: Context, conversation: Conversation) -> None:
    """The next step of the guided creation, or the preview."""
    assert ctx.member is not None
    order = steps_for(ctx)
    step = conversation.step
    if conversation.data.get("walk") and step in order and order.index(step) + 1 < len(order):
        await flows.goto(ctx, PROFILE, conversation, order[order.index(step) + 1])
        return
    await flows.end(ctx, conversation)
    profile = await _profile(ctx)
    profile.updated_at = ctx.clock.now()
    profiles.refresh(profile, ctx.member, ctx.settings)
    ctx.send(ctx.private_chat, profile_message(ctx, ctx.member, profile))


def _field_step(key: str) -> Step:
    field = profiles.BY_KEY[key]

    def question(ctx: Context, conversation: Conversation) -> str:
        current = conversation.data.get("current", {}).get(key) or "—"
        return "\n".join(
            [
                ctx._("{field} — now: {value}", field=ctx._(field.label), value=current),
                ctx._(
                    "Send the new text (at most {limit} characters), or a dash (-) to leave "
                    "it empty.",
                    limit=field.limit,
                ),
            ]
        )

    async def on_text(ctx: Context, conversation: Conversation, text: str) -> None:
        cleaned = profiles.clean_field(key, text)
        if cleaned is None:
            ctx.reply(ctx._("Please send at most {limit} characters.", limit=field.limit))
            return
        profile = await _profile(ctx)
        setattr(profile, key, cleaned)
        await _next(ctx, conversation)

    async def on_skip(ctx: Context, conversation: Conversation, value: str) -> None:
        await _next(ctx, conversation)

    return Step(question, on_text=on_text, on_choice=on_skip, skippable=True)


def _tags_question(ctx: Context, conversation: Conversation) -> str:
    mine = conversation.data.get("tags") or []
    shown = " ".join(f"#{tag}" for tag in mine) or "—"
    return "\n".join(
        [
            ctx._("Areas of expertise — now: {tags}", tags=shown),
            ctx._(
                "Tap a tag to add or remove it, or send your own (e.g. export, cycling). "
                "At most {n}.",
                n=profiles.MAX_TAGS,
            ),
        ]
    )


def _tag_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    mine = set(conversation.data.get("tags") or [])
    found = [
        (f"t{tag}", f"✓ #{tag}" if tag in mine else f"#{tag}")
        for tag in ctx.settings.directory.tags
    ]
    return [*found, (DONE, ctx._("Done"))]


async def _tag_chosen(ctx: Context, conversation: Conversation, value: str) -> None:
    profile = await _profile(ctx)
    if value.startswith("t") and value[1:] in ctx.settings.directory.tags:
        if not profiles.toggle_tag(profile, value[1:]):
            ctx.reply(ctx._("At most {n} tags: remove one first.", n=profiles.MAX_TAGS))
        flows.update(conversation, tags=profile.tag_list())
        await flows.goto(ctx, PROFILE, conversation, TAGS)
        return
    await _next(ctx, conversation)  # Done or Skip


async def _tags_sent(ctx: Context, conversation: Conversation, text: str) -> None:
    profile = await _profile(ctx)
    profiles.add_tags(profile, profiles.parse_tags(text))
    flows.update(conversation, tags=profile.tag_list())
    await flows.goto(ctx, PROFILE, conversation, TAGS)


def _yes_no(ctx: Context, _conversation: Conversation) -> list[tuple[str, str]]:
    return [(YES, ctx._("Yes")), (NO, ctx._("No"))]


def _choice_step(attribute: str, question: str) -> Step:
    async def chosen(ctx: Context, conversation: Conversation, value: str) -> None:
        if value in (YES, NO):
            setattr(await _profile(ctx), attribute, value == YES)
        await _next(ctx, conversation)

    return Step(lambda ctx, _c: ctx._(question), _yes_no, on_choice=chosen, skippable=True)


PROFILE = Flow(
    "profile",
    {
        **{field.key: _field_step(field.key) for field in profiles.FIELDS},
        TAGS: Step(
            _tags_question,
            _tag_choices,
            on_choice=_tag_chosen,
            on_text=_tags_sent,
            columns=3,
        ),
        CONTACT: _choice_step(
            "contact",
            N_(
                "May other members ask the bot to introduce them to you? You accept or decline "
                "each request; nothing about you is given without your yes."
            ),
        ),
        EMAIL: _choice_step(
            "share_email",
            N_(
                "When you accept an introduction, may the other member receive your e-mail "
                "address too (besides your chat account)?"
            ),
        ),
        PAIRS: _choice_step(
            "pairs",
            N_(
                "Once a month, meet another member (from another organisation, preferably "
                "near you) for a coffee or a call?"
            ),
        ),
    },
)


async def begin(ctx: Context, step: str, *, walk: bool) -> None:
    """Open the flow at ``step`` (the guided creation when ``walk``)."""
    profile = await _profile(ctx)
    current = {field.key: getattr(profile, field.key) for field in profiles.FIELDS}
    data = {"walk": walk, "current": current, "tags": profile.tag_list()}
    await flows.begin(ctx, PROFILE, step, data)


__all__ = ["PROFILE", "SKIP", "begin", "steps_for"]
