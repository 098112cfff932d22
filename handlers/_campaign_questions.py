"""What /campaign asks and offers at each step: questions, buttons and the summary before
Confirm, read from the flow's data (the steps that act on answers are in
:mod:`handlers.campaigns`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.animation import campaigns
from bot.animation.segments import EMAIL
from bot.animation.wording import LABELS
from bot.conversation.context import Context
from bot.core.bilingual import Bilingual
from bot.core.config import LANGUAGES
from bot.models import Conversation, Repeat
from handlers import _campaign_audience as audience
from handlers._labels import category_name
from handlers.results import apart_lines

KEEP = "keep"


def draft_of(data: dict[str, Any]) -> campaigns.Draft:
    when, ends = data.get("when"), data.get("ends_at")
    return campaigns.Draft(
        categories=tuple(data.get("categories", [])),
        text=Bilingual.of(data.get("texts", {})),
        call_to_action=Bilingual.of(data.get("calls", {})),
        starts_at=datetime.fromisoformat(when) if when else None,
        repeat=Repeat(data.get("repeat", "none")),
        direct=bool(data.get("direct")),
        email=bool(data.get("email")),
        segments=audience.of(data),
        ends_at=datetime.fromisoformat(ends) if ends else None,
        max_runs=int(data["max_runs"]) if data.get("max_runs") else None,
        kit_item=(int(data["kit"][0]), str(data["kit"][1])) if data.get("kit") else None,
    )


def network_language(ctx: Context) -> str:
    return ctx.settings.network.default_language


def other_language(ctx: Context) -> str:
    return next(language for language in LANGUAGES if language != network_language(ctx))


def targets(ctx: Context, keys: list[str]) -> str:
    if not keys:
        return ctx._("All categories")
    return ", ".join(category_name(ctx, key) for key in keys)


def now_line(ctx: Context, conversation: Conversation, value: str) -> str:
    if conversation.data.get("editing"):
        return (
            "\n" + ctx._("Currently: {value}", value=value) + "\n" + ctx._("Tap Keep to keep it.")
        )
    return ""


def ask_target(ctx: Context, conversation: Conversation) -> str:
    chosen = list(conversation.data.get("categories", []))
    text = ctx._(
        "Which categories should this campaign reach? Tap categories to select them, then "
        "Continue; or tap All categories."
    )
    if chosen:
        text += "\n" + ctx._("Selected: {categories}", categories=targets(ctx, chosen))
    return text


def target_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    chosen = set(conversation.data.get("categories", []))
    choices = [
        (c.key, ("✓ " if c.key in chosen else "") + category_name(ctx, c.key))
        for c in ctx.settings.categories
    ]
    choices.append(("*", ctx._("All categories")))
    if chosen:
        choices.append((">", ctx._("Continue")))
    return choices


def written_text(conversation: Conversation, field: str, language: str) -> str:
    return str(conversation.data.get(field, {}).get(language, ""))


def in_language(ctx: Context, language: str) -> str:
    return ctx._("Write it in {language}.", language=ctx._(LABELS[language]))


def ask_message(ctx: Context, conversation: Conversation) -> str:
    text = ctx._("Send the campaign's message, as members will read it.")
    text += " " + in_language(ctx, network_language(ctx))
    return text + now_line(
        ctx, conversation, written_text(conversation, "texts", network_language(ctx))
    )


def ask_call(ctx: Context, conversation: Conversation) -> str:
    text = ctx._(
        "The call to action, in one sentence (e.g. “Post a photo of your favourite spot "
        "with #OnlyLyon”). Members answer it with Done / I'm on it / Not for me."
    )
    text += " " + in_language(ctx, network_language(ctx))
    return text + now_line(
        ctx, conversation, written_text(conversation, "calls", network_language(ctx))
    )


def ask_other_message(ctx: Context, conversation: Conversation) -> str:
    other = other_language(ctx)
    text = ctx._(
        "Send the message in {language}, for the members who read {language}. Or tap Skip.",
        language=ctx._(LABELS[other]),
    )
    return text + now_line(ctx, conversation, written_text(conversation, "texts", other))


def ask_other_call(ctx: Context, conversation: Conversation) -> str:
    other = other_language(ctx)
    text = ctx._(
        "The call to action in {language}, in one sentence.", language=ctx._(LABELS[other])
    )
    return text + now_line(ctx, conversation, written_text(conversation, "calls", other))


def keep(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    """When editing, a button to keep the current value."""
    return [(KEEP, ctx._("Keep"))] if conversation.data.get("editing") else []


def when_text(ctx: Context, data: dict[str, Any]) -> str:
    draft = draft_of(data)
    when = campaigns.local(ctx.settings, draft.starts_at) if draft.starts_at else ctx._("now")
    repeat = {
        Repeat.NONE: "",
        Repeat.WEEKLY: ", " + ctx._("every week"),
        Repeat.MONTHLY: ", " + ctx._("every month"),
    }
    return when + repeat[draft.repeat]


def ask_when(ctx: Context, conversation: Conversation) -> str:
    text = ctx._(
        "When should it go out? Tap Now, or send a date and time ({zone} time), e.g. "
        "09/03/2026 09:00.",
        zone=ctx.settings.network.timezone,
    )
    return text + now_line(ctx, conversation, when_text(ctx, conversation.data))


def when_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [("now", ctx._("Now")), *keep(ctx, conversation)]


def ask_repeat(ctx: Context, _c: Conversation) -> str:
    return ctx._("Send it once, or repeat it at the same time?")


def repeat_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [
        ("none", ctx._("Once")),
        ("weekly", ctx._("Every week")),
        ("monthly", ctx._("Every month")),
    ]


def ask_direct(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Besides the channel posts, also send it as a private message to every targeted member?"
    )


def direct_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    found = [("yes", ctx._("Yes, privately too")), ("no", ctx._("Channels only"))]
    if EMAIL in ctx.platforms:
        found.append(("mail", ctx._("Privately, and by e-mail to those without chat")))
    return found


def ask_confirm(ctx: Context, conversation: Conversation) -> str:
    data = conversation.data
    draft = draft_of(data)
    lines = [
        ctx._("Categories: {categories}", categories=targets(ctx, data.get("categories", []))),
        ctx._("When: {when}", when=when_text(ctx, data) + audience.end_text(ctx, data)),
        ctx._(
            "Languages: {languages}",
            languages=", ".join(ctx._(LABELS[language]) for language in draft.wording.written()),
        ),
        ctx._("Private messages and e-mails to: {who}", who=audience.describe(ctx, draft.segments)),
        ctx.ngettext(
            "Active members targeted: {n}",
            "Active members targeted: {n}",
            int(data.get("reach", 0)),
        ),
        *apart_lines(ctx, unclaimed=int(data.get("unclaimed", 0)), staff=int(data.get("staff", 0))),
        ctx._("Private messages: yes") if data.get("direct") else ctx._("Private messages: no"),
    ]
    if data.get("email"):
        lines.append(ctx._("E-mails: yes"))
    return "\n".join(lines) + "\n" + ctx._("Confirm this campaign?")


def confirm_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    other = ctx._(LABELS[other_language(ctx)])
    written = written_text(conversation, "texts", other_language(ctx))
    found = [
        ("ok", ctx._("Confirm")),
        (
            "other",
            ctx._("Change the {language} text", language=other)
            if written
            else ctx._("Add the {language} text", language=other),
        ),
        ("segments", ctx._("Narrow the audience")),
    ]
    if conversation.data.get("repeat", "none") != Repeat.NONE.value:
        found.append(("end", ctx._("End of the repeats")))
    return found


def ask_segments(ctx: Context, conversation: Conversation) -> str:
    text = ctx._(
        "Who among the targeted members gets the private messages and e-mails? Tap what "
        "to keep (level, activity, language, platform), then Continue. Channel posts go "
        "to the whole categories."
    )
    chosen = audience.of(conversation.data)
    return text + "\n" + ctx._("Now: {who}", who=audience.describe(ctx, chosen))


def segment_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return audience.choices(ctx, conversation.data)


def ask_end(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Until when should it repeat? Send the last date (e.g. 30/06/2026) or a number of "
        "runs (e.g. 4). Or tap Skip: it repeats until you cancel it."
    )
