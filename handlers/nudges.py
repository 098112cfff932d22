"""Answers to nudges, the referent's digest buttons, and /nudges for coordinators.

Each nudge answer does what it says at once and says so in one line: report, signal,
remind me next week, pause for a month, stop. Buttons carry the nudge's id and only
its member may press them; a digest button, only an active referent (the gate) who
speaks for the dormant member's category (checked here).
"""

from __future__ import annotations

from datetime import timedelta

from bot.activity import engagement
from bot.animation import nudging
from bot.animation.nudge_buttons import DigestPress, NudgePress
from bot.conversation import flows
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.flows import Flow, Step
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.port import Message
from bot.delivery import queue, recipients
from bot.members.roles import speaks_for
from bot.models import Conversation, Member, MemberStatus, Nudge, NudgeStep, Role
from handlers.report import REPORT

router = Router("nudges")
#: How far back /nudges looks.
STATS_WEEKS = 12


@router.button(NudgePress, access=Access.MEMBER)
async def answer(ctx: Context, press: NudgePress) -> None:
    """One of the five one-tap answers under a nudge. Reminders may be paused or stopped
    by any member; reporting needs an active one."""
    assert ctx.member is not None
    nudge = await ctx.session.get(Nudge, press.nudge_id)
    if nudge is None or nudge.member_id != ctx.member.id:
        ctx.reply(ctx._("This button is no longer active."))
        return
    choice, now = press.answer, ctx.clock.now()
    nudge.answer, nudge.answered_at = choice, now
    if choice in ("did", "lead"):
        if ctx.member.status is not MemberStatus.ACTIVE:
            ctx.reply(ctx._("Your membership is not active. Contact a coordinator."))
            return
        if choice == "did":
            ctx.reply(ctx._("Great! Tell me what you did:"))
            await flows.begin(ctx, REPORT, "kind", {})
        else:
            ctx.reply(ctx._("Great! Tell me about this opportunity:"))
            await flows.begin(ctx, REPORT, "signal_kind", {"kind": "signal"})
        return
    if choice == "later":
        ctx.reply(ctx._("Noted: I will remind you next week."))
        return
    preference = await nudging.preference(ctx.session, ctx.member.id, now)
    preference.updated_at = now
    if choice == "pause":
        until = now + timedelta(days=ctx.settings.nudges.pause_days)
        preference.paused_until = until
        ctx.reply(ctx._("Noted: no reminders until {date}.", date=until.strftime("%d/%m/%Y")))
        return
    preference.stopped_at = now
    ctx.reply(
        ctx._(
            "Noted: no more reminders. You can still report anytime with /report; "
            "/reminders turns them back on."
        )
    )


@router.command("nudges")
async def nudge_stats(ctx: Context) -> None:
    """Per wording: how many nudges went out and what share was followed by an action."""
    now = ctx.clock.now()
    since = now - timedelta(weeks=STATS_WEEKS)
    variants, answers = await nudging.stats(ctx.session, since, now)
    lines = [ctx._("Nudges in the last {weeks} weeks, by wording:", weeks=STATS_WEEKS)]
    if not variants:
        lines.append(ctx._("No nudge was sent yet."))
    for item in variants:
        share = round(100 * item.acted / item.matured) if item.matured else 0
        lines.append(
            ctx._(
                "• {variant}: {nudges}, {members}; acted within 7 days: {acted} of {matured} "
                "({share}%)",
                variant=nudging.variant_label(
                    ctx.translator, ctx.settings.nudges, item.variant, ctx.language
                ),
                nudges=ctx.ngettext("{n} nudge", "{n} nudges", item.nudges),
                members=ctx.ngettext("{n} member nudged", "{n} members nudged", item.members),
                acted=item.acted,
                matured=item.matured,
                share=share,
            )
        )
    if answers:
        pressed = " · ".join(
            f"{ctx._(label)} {answers.get(key, 0)}" for key, label in nudging.ANSWERS.items()
        )
        lines.append(ctx._("Answers: {answers}", answers=pressed))
    lines.append(
        ctx._(
            "Only nudges sent at least 7 days ago count in the share; acting is any sign "
            "of life: a report, an answer to a plan or campaign, a referent's own work."
        )
    )
    ctx.reply("\n".join(lines))


# -- the referent's digest ------------------------------------------------------------


async def _listed(ctx: Context, nudge_id: int) -> tuple[Nudge, Member] | None:
    """The referent-step nudge a digest button names, if this person may act on it."""
    assert ctx.member is not None
    nudge = await ctx.session.get(Nudge, nudge_id)
    if nudge is None or nudge.step is not NudgeStep.REFERENT:
        return None
    member = await ctx.session.get(Member, nudge.member_id)
    if member is None or member.id == ctx.member.id:
        return None  # nobody writes to themselves from their own digest
    allowed = await speaks_for(ctx.session, ctx.member, member.category)
    return (nudge, member) if allowed else None


@router.button(DigestPress, access=Access.ACTIVE, min_role=Role.REFERENT)
async def digest_button(ctx: Context, press: DigestPress) -> None:
    """Write to a dormant member through the bot, or mark them contacted."""
    listed = await _listed(ctx, press.nudge_id)
    if listed is None:
        ctx.reply(ctx._("This button is no longer active."))
        return
    nudge, member = listed
    if press.action == "done":
        _contacted(ctx, nudge)
        ctx.reply(ctx._("{name} is marked as contacted.", name=member.display_name))
        return
    await flows.begin(ctx, WRITE, "text", {"nudge": nudge.id, "name": member.display_name})


def _contacted(ctx: Context, nudge: Nudge) -> None:
    """Mark the member contacted; reaching out is a sign of life of the referent's."""
    assert ctx.member is not None
    nudge.contacted_at = ctx.clock.now()
    nudge.contacted_by = ctx.member.id
    engagement.sign_of_life(ctx.member, nudge.contacted_at)


def _ask_text(ctx: Context, conversation: Conversation) -> str:
    return ctx._(
        "Write your message to {name}; I will send it from you.",
        name=conversation.data.get("name", ""),
    )


async def _sent_text(ctx: Context, conversation: Conversation, text: str) -> None:
    assert ctx.member is not None
    nudge = await ctx.session.get(Nudge, int(conversation.data["nudge"]))
    member = await ctx.session.get(Member, nudge.member_id) if nudge else None
    await flows.end(ctx, conversation)
    if nudge is None or member is None:
        ctx.reply(ctx._("This member is no longer in the network."))
        return
    if not await speaks_for(ctx.session, ctx.member, member.category):
        # No longer a referent of that category since the flow began: nothing is sent.
        ctx.reply(ctx._("You no longer speak for this member's category; nothing was sent."))
        return
    found = await recipients.private_addresses(ctx.session, [member.id], ctx.platforms)
    address = found.get(member.id)
    if address is None:
        ctx.reply(
            ctx._(
                "I cannot reach {name} in private; contact them another way.",
                name=member.display_name,
            )
        )
        return
    body = " ".join(text.split())[:1500]
    header = ctx.translator.gettext(
        member.language,
        N_("{referent}, referent of the {category} ambassadors, writes to you:"),
        referent=ctx.member.display_name,
        category=nudging.category_label(ctx.settings, member.category, member.language),
    )
    await queue.enqueue(
        ctx.session,
        ctx.clock.now(),
        f"referent-note:{nudge.id}",
        [
            queue.Planned(
                key=f"referent-note:{nudge.id}:{ctx.member.id}:{ctx.clock.now().timestamp()}",
                address=address,
                message=Message(text=f"{header}\n{body}", language=member.language),
                private=True,
                member_id=member.id,
                subjects=(ctx.member.id,),
            )
        ],
    )
    ctx.queued = True
    _contacted(ctx, nudge)
    ctx.reply(ctx._("Sent to {name}.", name=member.display_name))


WRITE = router.flow(
    Flow(
        "referent_note",
        steps={"text": Step(_ask_text, on_text=_sent_text)},
        min_role=Role.REFERENT,
    )
)
