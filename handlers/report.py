"""Reporting: at most three taps plus optional words.

mention → medium → link or words (or Skip);
signal → kind → description → contact (or Skip);
settlement → description.
Nothing is written until the last step; /cancel or the Cancel button writes nothing.
"""

from __future__ import annotations

from bot.activity import reports
from bot.activity.standings import totals
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.conversation.routing import Router
from bot.core.config import MEDIUMS, SIGNAL_KINDS
from bot.models import Conversation, ReportKind
from handlers import signals
from handlers._labels import KIND, MEDIUM, SIGNAL_KIND, invalid_input

router = Router("report")


def _ask_kind(ctx: Context, _c: Conversation) -> str:
    return ctx._("What would you like to report?")


def _kinds(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(kind.value, ctx._(label)) for kind, label in KIND.items()]


async def _chose_kind(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, kind=value)
    next_step = {"mention": "medium", "signal": "signal_kind", "settlement": "description"}
    await flows.goto(ctx, REPORT, conversation, next_step[value])


def _ask_medium(ctx: Context, _c: Conversation) -> str:
    return ctx._("Where did you mention the territory?")


def _mediums(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(medium, ctx._(MEDIUM[medium])) for medium in MEDIUMS]


async def _chose_subkind(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, subkind=value)
    step = "details" if conversation.data["kind"] == "mention" else "description"
    await flows.goto(ctx, REPORT, conversation, step)


def _ask_details(ctx: Context, _c: Conversation) -> str:
    return ctx._("Send the link, or a few words about it. Or tap Skip.")


async def _skipped_details(ctx: Context, conversation: Conversation, value: str) -> None:
    assert value == SKIP
    await _finish(ctx, conversation)


async def _sent_details(ctx: Context, conversation: Conversation, text: str) -> None:
    try:
        if reports.looks_like_link(text):
            details = {"url": reports.parse_link(text)}
        else:
            details = {"text": reports.clean_text(text)}
    except reports.InvalidInput as error:
        ctx.reply(invalid_input(ctx, error.reason))
        return
    await _finish(ctx, conversation, **details)


def _ask_signal_kind(ctx: Context, _c: Conversation) -> str:
    return ctx._("What kind of opportunity?")


def _signal_kinds(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(kind, ctx._(SIGNAL_KIND[kind])) for kind in SIGNAL_KINDS]


def _ask_description(ctx: Context, conversation: Conversation) -> str:
    if conversation.data.get("kind") == "settlement":
        return ctx._("Who settled or what took place in the territory? A few words.")
    return ctx._("Describe the opportunity in a few words.")


async def _sent_description(ctx: Context, conversation: Conversation, text: str) -> None:
    try:
        description = reports.clean_text(text, minimum=reports.MIN_DESCRIPTION)
    except reports.InvalidInput as error:
        ctx.reply(invalid_input(ctx, error.reason))
        return
    if conversation.data["kind"] == "signal":
        flows.update(conversation, text=description)
        await flows.goto(ctx, REPORT, conversation, "contact")
    else:
        await _finish(ctx, conversation, text=description)


def _ask_contact(ctx: Context, _c: Conversation) -> str:
    return ctx._("A contact for the coordinators (name, email or phone)? Send it, or tap Skip.")


async def _sent_contact(ctx: Context, conversation: Conversation, text: str) -> None:
    try:
        contact = reports.clean_text(text, limit=reports.MAX_CONTACT)
    except reports.InvalidInput:
        ctx.reply(ctx._("That is too long. Please keep it under 200 characters."))
        return
    await _finish(ctx, conversation, contact=contact)


async def _finish(ctx: Context, conversation: Conversation, **last: str) -> None:
    """Record the report from the flow's answers and ``last``, the final step's own
    (not stored in the flow first: it ends here, so that would be one more write)."""
    assert ctx.member is not None
    data = {**conversation.data, **last}
    kind = ReportKind(data["kind"])
    recorded = await reports.record(
        ctx.session,
        ctx.settings,
        ctx.clock,
        ctx.member,
        kind=kind,
        subkind=data.get("subkind"),
        text=data.get("text"),
        url=data.get("url"),
        contact=data.get("contact"),
    )
    await flows.end(ctx, conversation)
    week = (await totals(ctx.session, ctx.settings, ctx.member.id, ctx.clock.now())).week
    lines = [ctx._("Thank you! Your {kind} is recorded.", kind=ctx._(KIND[kind]).lower())]
    if recorded.duplicate_link:
        lines.append(ctx._("This link was already reported, so it earns no points this time."))
    elif recorded.points == 0 and recorded.capped:
        lines.append(ctx._("You reached today's points limit: it is recorded without points."))
    else:
        lines.append(ctx.ngettext("+{n} point", "+{n} points", recorded.points))
        if recorded.capped:
            lines.append(ctx._("(today's points limit reached)"))
    lines.append(ctx.ngettext("This week: {n} point.", "This week: {n} points.", week))
    if kind is ReportKind.SIGNAL:
        lines.append(ctx._("The coordinators will look at your signal."))
    ctx.reply_private("\n".join(lines))
    if kind is ReportKind.SIGNAL:
        await signals.announce(ctx, recorded.report)


REPORT = router.flow(
    Flow(
        "report",
        steps={
            "kind": Step(_ask_kind, _kinds, _chose_kind, columns=1),
            "medium": Step(_ask_medium, _mediums, _chose_subkind),
            "details": Step(
                _ask_details, on_choice=_skipped_details, on_text=_sent_details, skippable=True
            ),
            "signal_kind": Step(_ask_signal_kind, _signal_kinds, _chose_subkind),
            "description": Step(_ask_description, on_text=_sent_description),
            "contact": Step(
                _ask_contact, on_choice=_skipped_details, on_text=_sent_contact, skippable=True
            ),
        },
    )
)


@router.command("report")
async def report(ctx: Context) -> None:
    """Start a report (in private: reports can carry personal details)."""
    if not ctx.move_to_private():
        return
    conversation = await flows.current(ctx)
    if conversation is not None and conversation.flow == REPORT.name:
        ctx.reply_private(ctx._("You have a report in progress: continue below, or send /cancel."))
        flows.ask(ctx, REPORT, conversation)
        return
    await flows.begin(ctx, REPORT, "kind", {})
