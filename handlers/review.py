"""/review: referents (their category) and coordinators check members' mentions.

Each unreviewed mention comes with Verify / Reject buttons (``rev:v:<id>``,
``rev:r:<id>``), five at a time: the last message says how many remain, with Previous /
Next (``pg:rv:<page>``). Rejecting asks for a reason, which the member reads with the news that
the mention's points were withdrawn. The gate lets active referents and coordinators
press them; each press then checks the presser's scope (a referent reviews their own
categories only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from bot.activity import links, review
from bot.activity.review import Pending, ReviewRefused
from bot.conversation import flows, paging
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.flows import Flow, Step
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.payloads import Payload
from bot.core.port import Button, Message
from bot.models import Conversation, ReportKind, Role
from handlers import _notify
from handlers._labels import category_name, short, subkind_name

router = Router("review")
TO_AUTHOR = N_(
    "Your mention “{summary}” was not accepted by the network's reviewers. Reason: {reason}"
)


@dataclass(frozen=True)
class ReviewPress(Payload, prefix="rev"):
    """Verify (``v``) or reject (``r``) a mention."""

    verdict: Literal["v", "r"]
    report_id: int


def _describe(ctx: Context, pending: Pending) -> str:
    report = pending.report
    zone = ZoneInfo(ctx.settings.network.timezone)
    return (
        ctx._(
            "Mention #{id} — {medium} — {name} ({category}), {date}: {what}",
            id=report.id,
            medium=subkind_name(ctx, ReportKind.MENTION, report.subkind),
            name=pending.author,
            category=category_name(ctx, pending.category),
            date=f"{report.created_at.astimezone(zone):%d/%m}",
            what=_link(ctx, report.url) if report.url else short(report.text) or "—",
        )
        + " "
        + ctx.ngettext("(+{n} point)", "(+{n} points)", pending.points)
    )


def _link(ctx: Context, url: str) -> str:
    """The link, and where it really goes when the link hides it (user information
    before an ``@``, a host in another script)."""
    host = links.hidden_host(url)
    if host is None:
        return url
    return ctx._("{url} (⚠ this link really goes to {host})", url=url, host=host)


@dataclass(frozen=True)
class ReviewPage(paging.PagePress, prefix="pg:rv"):
    """A page of /review."""


@router.command("review")
async def review_queue(ctx: Context) -> None:
    """Send the newest unreviewed mentions in the caller's scope, each with buttons."""
    if not ctx.move_to_private():
        return
    await _show_page(ctx, 0)


@router.button(ReviewPage, access=Access.ACTIVE, min_role=Role.REFERENT)
async def review_page(ctx: Context, press: ReviewPage) -> None:
    """Previous / Next under /review: the mentions of that page, then the pager again."""
    await _show_page(ctx, press.page)


async def _show_page(ctx: Context, page: int) -> None:
    assert ctx.member is not None
    reviewer = ctx.member

    async def fetch(offset: int) -> tuple[list[Pending], int]:
        return await review.queue(ctx.session, reviewer, offset=offset)

    window, pending = await paging.read_page(page, review.QUEUE_SIZE, fetch)
    if not pending:
        ctx.reply_private(ctx._("No mention is waiting for review."))
        return
    for item in pending:
        ctx.reply_private(
            _describe(ctx, item),
            [
                [
                    Button(ctx._("Verify"), ReviewPress("v", item.report.id).pack()),
                    Button(ctx._("Reject"), ReviewPress("r", item.report.id).pack()),
                ]
            ],
        )
    footer = paging.footer(ctx, window)
    if footer is not None:
        ctx.reply_private(footer, [paging.buttons(ctx, window, ReviewPage)])


async def _loaded(ctx: Context, report_id: int) -> Pending | None:
    pending = await review.load(ctx.session, report_id)
    assert ctx.member is not None
    if pending is None:
        ctx.reply(ctx._("This button is no longer active."))
        return None
    if not await review.may_review(ctx.session, ctx.member, pending.category):
        ctx.reply(ctx._("Only a coordinator or this category's referent can review it."))
        return None
    if pending.report.review == review.REJECTED:
        ctx.reply(ctx._("Mention #{id} was already rejected.", id=report_id))
        return None
    return pending


@router.button(ReviewPress, access=Access.ACTIVE, min_role=Role.REFERENT)
async def pressed(ctx: Context, press: ReviewPress) -> None:
    """Verify at once; Reject asks for the reason first."""
    pending = await _loaded(ctx, press.report_id)
    if pending is None:
        return
    if press.verdict == "r":
        await flows.begin(ctx, REJECT, "reason", {"report_id": pending.report.id})
        return
    assert ctx.member is not None
    try:
        await review.decide(ctx.session, ctx.clock, pending, ctx.member, review.VERIFIED)
    except ReviewRefused:
        ctx.reply(ctx._("Mention #{id} was already verified.", id=pending.report.id))
        return
    ctx.edit_pressed(_describe(ctx, pending) + "\n→ " + ctx._("Verified"))


def _ask_reason(ctx: Context, conversation: Conversation) -> str:
    return ctx._(
        "Why is mention #{id} rejected? The member will read your answer.",
        id=conversation.data["report_id"],
    )


async def _sent_reason(ctx: Context, conversation: Conversation, text: str) -> None:
    report_id = int(conversation.data["report_id"])
    await flows.end(ctx, conversation)
    pending = await _loaded(ctx, report_id)
    if pending is None:
        return
    reason = " ".join(text.split())[:500]
    assert ctx.member is not None
    withdrawn = await review.decide(
        ctx.session, ctx.clock, pending, ctx.member, review.REJECTED, reason
    )
    ctx.reply(
        ctx._("Mention #{id} rejected.", id=report_id)
        + " "
        + ctx.ngettext("{n} point withdrawn.", "{n} points withdrawn.", withdrawn)
    )
    report = pending.report

    def render(words: Context) -> Message:
        summary = report.url or short(report.text, 40) or words._("your mention")
        message = words._(TO_AUTHOR, summary=summary, reason=reason)
        if withdrawn:
            message += "\n" + words.ngettext(
                "{n} point was withdrawn.", "{n} points were withdrawn.", withdrawn
            )
        return Message(text=message)

    key = f"mention:{report.id}:rejected"
    await _notify.to_members(ctx, key, key, [report.member_id], render)


REJECT = router.flow(
    Flow(
        "reject_mention",
        steps={"reason": Step(_ask_reason, on_text=_sent_reason)},
        min_role=Role.REFERENT,
    )
)
