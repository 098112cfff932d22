"""/campaigns: scheduled, running and past campaigns with their delivery progress, and
buttons — Results for each, Edit and Cancel for a coordinator while one is scheduled.

Referents see the campaigns that addressed their categories (read only), so they can
follow their category's results. Buttons: ``cmp:e:<id>`` (edit) and ``cmp:x:<id>``
(cancel, which asks first: ``cmpx:<y|n>:<id>``), for active coordinators (declared where
the button is registered); ``pg:cp:<page>`` pages through the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from bot.animation import addressed, campaigns
from bot.animation.addressed import Call
from bot.animation.calls import Subject
from bot.conversation import paging
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit, web_links
from bot.core.payloads import Payload
from bot.core.port import Button
from bot.delivery import queue
from bot.models import Campaign, CampaignStatus, Repeat, Role
from handlers import campaigns as campaign_flow
from handlers._desk import with_desk
from handlers._labels import category_name
from handlers.results import apart_lines, button, progress_line, visible_categories

router = Router("campaign_list")

SHOWN = 8


@dataclass(frozen=True)
class CampaignPress(Payload, prefix="cmp"):
    """Edit (``e``) or cancel (``x``) a scheduled campaign."""

    action: Literal["e", "x"]
    campaign_id: int


async def _state(ctx: Context, campaign: Campaign) -> str:
    now = ctx.clock.now()
    if campaign.status is CampaignStatus.CANCELLED:
        return ctx._("cancelled")
    latest = await campaigns.latest_run(ctx.session, campaign.id)
    if latest is not None and latest.ends_at > now and campaign.next_run_at is not None:
        state = ctx._("running")
    elif latest is not None and latest.ends_at > now:
        state = ctx._("running until {when}", when=campaigns.local(ctx.settings, latest.ends_at))
    elif latest is not None and campaign.next_run_at is None:
        state = ctx._("finished")
    else:
        state = ""
    if campaign.next_run_at is not None:
        when = campaigns.local(ctx.settings, campaign.next_run_at)
        if latest is not None:
            scheduled = ctx._("next run {when}", when=when)
        else:
            scheduled = ctx._("scheduled for {when}", when=when)
        state = f"{state}, {scheduled}" if state else scheduled
    return state


async def _targeted(ctx: Context, campaign: Campaign) -> list[str]:
    """Whom the latest run addressed (the categories this viewer may see), by the rule
    its results use, and who is counted apart."""
    run = await campaigns.latest_run(ctx.session, campaign.id)
    if run is None:
        return []
    call = Call(categories=tuple(run.categories), author_id=campaign.author_id)
    categories = await visible_categories(ctx, list(call.categories))
    reach = await addressed.reach(ctx.session, call, categories)
    return [
        ctx.ngettext("Targeted: {n} member", "Targeted: {n} members", reach.total),
        *apart_lines(ctx, unclaimed=reach.unclaimed, staff=reach.staff),
    ]


@dataclass(frozen=True)
class CampaignsPage(paging.PagePress, prefix="pg:cp"):
    """A page of /campaigns."""


@dataclass(frozen=True)
class CancelAnswer(Payload, prefix="cmpx"):
    """The answer to "Cancel campaign #5?": ``y`` cancels, ``n`` keeps it."""

    verdict: Literal["y", "n"]
    campaign_id: int


async def _visible_ids(ctx: Context) -> list[int]:
    """The campaigns this viewer may list, newest first: all of them for a coordinator,
    those that addressed one of their categories for a referent."""
    rows = (
        await ctx.session.execute(
            select(Campaign.id, Campaign.categories).order_by(Campaign.id.desc())
        )
    ).all()
    if ctx.role is Role.COORDINATOR:
        return [row[0] for row in rows]
    return [row[0] for row in rows if await visible_categories(ctx, list(row[1]))]


@router.command("campaigns")
async def list_campaigns(ctx: Context) -> None:
    """The newest campaigns first, each with its state, progress and buttons."""
    await _show_page(ctx, 0)


@router.button(CampaignsPage, access=Access.ACTIVE, min_role=Role.REFERENT)
async def campaigns_page(ctx: Context, press: CampaignsPage) -> None:
    """Previous / Next under /campaigns."""
    await _show_page(ctx, press.page)


async def _show_page(ctx: Context, page: int) -> None:
    # Who sees the Edit and Cancel buttons; pressing them is checked by the gate.
    coordinator = ctx.role is Role.COORDINATOR
    visible = await _visible_ids(ctx)
    window = paging.Window.of(page, SHOWN, len(visible))
    wanted = visible[window.offset : window.offset + SHOWN]
    shown = list(
        await ctx.session.scalars(
            select(Campaign).where(Campaign.id.in_(wanted)).order_by(Campaign.id.desc())
        )
    )
    if not shown:
        text = ctx._("No campaign yet.")
        ctx.reply(text + (" " + ctx._("Send /campaign to prepare one.") if coordinator else ""))
        return
    lines = [ctx._("Campaigns:")]
    buttons: list[list[Button]] = []
    for campaign in shown:
        targets = ", ".join(category_name(ctx, key) for key in campaign.categories) or ctx._(
            "All categories"
        )
        repeat = {
            Repeat.NONE: "",
            Repeat.WEEKLY: " · " + ctx._("every week"),
            Repeat.MONTHLY: " · " + ctx._("every month"),
        }[campaign.repeat]
        lines.append(
            f"#{campaign.id} “{_excerpt(ctx, campaign)}” — {targets}{repeat} — "
            f"{await _state(ctx, campaign)}"
        )
        row: list[Button] = []
        if campaign.runs:
            progress = await queue.progress(ctx.session, f"campaign:{campaign.id}")
            lines.append("   " + progress_line(ctx, progress))
            lines += ["   " + line for line in await _targeted(ctx, campaign)]
            subject = Subject(campaign_id=campaign.id, occurrence=campaign.runs)
            row.append(button(ctx, subject, ctx._("Results #{number}", number=campaign.id)))
        if coordinator and campaign.status is CampaignStatus.SCHEDULED:
            edit = CampaignPress("e", campaign.id).pack()
            cancel = CampaignPress("x", campaign.id).pack()
            row.append(Button(ctx._("Edit #{number}", number=campaign.id), edit))
            row.append(Button(ctx._("Cancel #{number}", number=campaign.id), cancel))
        buttons.append(row)
    footer = paging.footer(ctx, window)
    lines += [footer] if footer else []
    lines = with_desk(ctx, lines, web_links.CAMPAIGNS)
    buttons.append(paging.buttons(ctx, window, CampaignsPage))
    paging.show(ctx, "\n".join(lines), buttons)


def _excerpt(ctx: Context, campaign: Campaign) -> str:
    written = campaigns.draft_of(campaign).text
    excerpt = written.pick(ctx.language, ctx.settings.network.default_language)[0]
    return excerpt.splitlines()[0][:60] if excerpt else ""


@router.button(CampaignPress, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def manage(ctx: Context, press: CampaignPress) -> None:
    """Edit a scheduled campaign, or ask whether to cancel it (coordinators)."""
    campaign = await ctx.session.get(Campaign, press.campaign_id)
    if campaign is None or campaign.status is not CampaignStatus.SCHEDULED:
        ctx.reply(ctx._("This campaign can no longer be changed."))
        return
    if press.action == "e":
        if not ctx.move_to_private():
            return
        await campaign_flow.edit(ctx, campaign)
        return
    ctx.reply(
        ctx._(
            "Cancel campaign #{number} “{excerpt}”? Messages not sent yet will not be sent.",
            number=campaign.id,
            excerpt=_excerpt(ctx, campaign),
        ),
        [
            [
                Button(ctx._("Yes, cancel it"), CancelAnswer("y", campaign.id).pack()),
                Button(ctx._("No, keep it"), CancelAnswer("n", campaign.id).pack()),
            ]
        ],
    )


@router.button(CancelAnswer, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def cancel(ctx: Context, press: CancelAnswer) -> None:
    """The answer to the cancel question: Yes cancels (once, however many presses)."""
    assert ctx.member is not None
    if press.verdict == "n":
        ctx.edit_pressed(ctx._("Campaign #{number} is kept.", number=press.campaign_id))
        return
    campaign = await ctx.session.get(Campaign, press.campaign_id, with_for_update=True)
    if campaign is None or campaign.status is not CampaignStatus.SCHEDULED:
        ctx.edit_pressed(ctx._("This campaign can no longer be changed."))
        return
    dropped = await campaigns.cancel(ctx.session, campaign, ctx.clock.now())
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="campaign.cancel",
        campaign_id=campaign.id, undelivered=dropped,
    )  # fmt: skip
    text = ctx._("Campaign #{number} is cancelled.", number=campaign.id)
    if dropped:
        text += " " + ctx.ngettext(
            "{n} message not sent yet will not be sent.",
            "{n} messages not sent yet will not be sent.",
            dropped,
        )
    if ctx.event.message_id is not None:
        ctx.edit_pressed(text)
    else:
        ctx.reply(text)
