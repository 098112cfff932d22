"""/campaigns: scheduled, running and past campaigns with their delivery progress, and
buttons — Results for each, Edit and Cancel for a coordinator while one is scheduled.

Referents see the campaigns that addressed their categories (read only), so they can
follow their category's results. Buttons: ``cmp:e:<id>`` (edit) and ``cmp:x:<id>``
(cancel), for active coordinators (declared where the button is registered).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from bot.animation import addressed, campaigns
from bot.animation.addressed import Call
from bot.animation.calls import Subject
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.payloads import Payload
from bot.core.port import Button
from bot.delivery import queue
from bot.models import Campaign, CampaignStatus, Repeat, Role
from handlers import campaigns as campaign_flow
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


@router.command("campaigns")
async def list_campaigns(ctx: Context) -> None:
    """The newest campaigns first, each with its state, progress and buttons."""
    # Who sees the Edit and Cancel buttons; pressing them is checked by the gate.
    coordinator = ctx.role is Role.COORDINATOR
    rows = list(await ctx.session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(50)))
    shown = []
    for campaign in rows:
        if coordinator or await visible_categories(ctx, list(campaign.categories)):
            shown.append(campaign)
        if len(shown) == SHOWN:
            break
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
        written = campaigns.draft_of(campaign).text
        excerpt = written.pick(ctx.language, ctx.settings.network.default_language)[0]
        excerpt = excerpt.splitlines()[0][:60] if excerpt else ""
        lines.append(
            f"#{campaign.id} “{excerpt}” — {targets}{repeat} — {await _state(ctx, campaign)}"
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
    ctx.reply("\n".join(lines), buttons)


@router.button(CampaignPress, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def manage(ctx: Context, press: CampaignPress) -> None:
    """Edit or cancel a scheduled campaign (coordinators)."""
    assert ctx.member is not None
    campaign = await ctx.session.get(Campaign, press.campaign_id, with_for_update=True)
    if campaign is None or campaign.status is not CampaignStatus.SCHEDULED:
        ctx.reply(ctx._("This campaign can no longer be changed."))
        return
    if press.action == "e":
        if not ctx.move_to_private():
            return
        await campaign_flow.edit(ctx, campaign)
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
    ctx.reply(text)
