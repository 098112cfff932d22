"""Members answer plans and campaigns with one tap: "Done", "I'm on it", "Not for me".

The press may come from a category channel or a private message, by an active member (the
gate checks it) whom the plan or the campaign run addressed (:mod:`bot.animation.addressed`:
anyone else is told so, privately, and nothing is stored); the answer is acknowledged
privately (a channel is not the place for it). "Done" earns points once (another answer
withdraws them) and then asks, privately, for an optional link or a few words
that make it a report linked to the plan or campaign — unless the member is in the middle
of another flow, which is left alone. A preview's buttons only say that they are one.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.activity import engagement, reports
from bot.animation import addressed, calls
from bot.animation.addressed import Refusal
from bot.animation.calls import LABELS, AnswerPress, Choice, PreviewPress, Subject
from bot.conversation import flows
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.conversation.routing import Router
from bot.models import Conversation, Report, ReportKind
from handlers._labels import invalid_input

router = Router("answers")


def _refusal(ctx: Context, refusal: Refusal) -> str:
    """A refusal in the presser's words: what happened, and that nothing was counted."""
    if refusal is Refusal.CANCELLED:
        return ctx._("This campaign was cancelled.")
    if refusal is Refusal.NOT_ADDRESSED:
        return ctx._(
            "This call is for other members: only the members it was addressed to can answer it."
        )
    return ctx._("This button is no longer active.")


@router.command("answer")
async def answer_code(ctx: Context) -> None:
    """The answer buttons of the call an e-mail's code names (``/answer c5-2``): e-mails
    cannot carry buttons, so a campaign's e-mail gives its code instead."""
    assert ctx.member is not None
    code = ctx.event.args[0].strip().lower() if ctx.event.args else ""
    subject = Subject.from_part(code) if code else None
    if subject is None:
        ctx.reply(ctx._("Send the code from the e-mail, like /answer c5-2."))
        return
    refusal = await addressed.may_answer(ctx.session, ctx.member, subject)
    if refusal is not None:
        ctx.reply(_refusal(ctx, refusal))
        return
    ctx.reply(
        ctx._("Your answer to {code}?", code=subject.key),
        calls.buttons(ctx.translator, ctx.language, subject),
    )


@router.button(PreviewPress, access=Access.MEMBER)
async def preview(ctx: Context, _press: PreviewPress) -> None:
    """The buttons of a preview, seen by its author: they count nothing."""
    ctx.reply(ctx._("This is a preview: members' answers will be counted, not this one."))


@router.button(AnswerPress, access=Access.ACTIVE)
async def answer(ctx: Context, press: AnswerPress) -> None:
    """Record (or change) the presser's answer, privately acknowledged."""
    assert ctx.member is not None
    subject, choice = press.subject, press.choice
    refusal = await addressed.may_answer(ctx.session, ctx.member, subject)
    if refusal is not None:
        ctx.reply_private(_refusal(ctx, refusal))
        return
    answered = await calls.record(
        ctx.session,
        ctx.settings,
        member=ctx.member,
        subject=subject,
        choice=choice,
        now=ctx.clock.now(),
    )
    label = ctx._(LABELS[choice])
    if answered.previous is choice:
        ctx.reply_private(ctx._("You had already answered: {answer}.", answer=label))
        return
    lines = [ctx._("Your answer: {answer}. Thank you!", answer=label)]
    if answered.points > 0:
        lines.append(ctx.ngettext("+{n} point", "+{n} points", answered.points))
    elif answered.points < 0:
        lines.append(
            ctx.ngettext(
                "The {n} point of “Done” is withdrawn.",
                "The {n} points of “Done” are withdrawn.",
                -answered.points,
            )
        )
    if choice is Choice.DONE and await _may_follow_up(ctx, subject):
        # One message: the answer, then the invitation to report it, with its buttons.
        opening = "\n".join(lines)
        await flows.begin(ctx, FOLLOW_UP, "details", {"subject": subject.key}, opening=opening)
        return
    ctx.reply_private("\n".join(lines))


async def _may_follow_up(ctx: Context, subject: Subject) -> bool:
    assert ctx.member is not None
    if await flows.current(ctx) is not None:
        return False
    reported = await ctx.session.scalar(
        select(Report.id).where(Report.subject == subject.key, Report.member_id == ctx.member.id)
    )
    return reported is None


def _ask_details(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Well done! To count it as a report, send a link or a few words about what you did. "
        "Or tap Skip."
    )


async def _skipped(ctx: Context, conversation: Conversation, value: str) -> None:
    assert value == SKIP
    await flows.end(ctx, conversation)
    ctx.reply(ctx._("Noted. Thank you!"))


async def _sent_details(ctx: Context, conversation: Conversation, text: str) -> None:
    assert ctx.member is not None
    url = words = None
    try:
        if reports.looks_like_link(text):
            url = reports.parse_link(text)
        else:
            words = reports.clean_text(text)
    except reports.InvalidInput as error:
        ctx.reply(invalid_input(ctx, error.reason))
        return
    now = ctx.clock.now()
    ctx.session.add(
        Report(
            member_id=ctx.member.id,
            kind=ReportKind.MENTION,
            text=words,
            url=url,
            subject=str(conversation.data["subject"]),
            created_at=now,
        )
    )
    engagement.sign_of_life(ctx.member, now)
    await flows.end(ctx, conversation)
    ctx.reply(ctx._("Thank you! It is recorded with your answer."))


FOLLOW_UP = router.flow(
    Flow(
        "done",
        steps={
            "details": Step(
                _ask_details, on_choice=_skipped, on_text=_sent_details, skippable=True
            ),
        },
    )
)
