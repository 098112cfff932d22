"""``/desk/campaigns``: campaigns newest first with their state, delivery progress and
the latest run's results; cancelling one asks for a confirmation first.

As ``/campaigns`` in the chat: referents see the campaigns that addressed their
categories (their categories' figures only, read only); coordinators see every campaign
and may cancel a scheduled one (:func:`bot.animation.campaigns.cancel`, audited as
``campaign.cancel``, the messages not sent yet dropped), and edit one that has not started
sending (:func:`fixed` says why another cannot be; the composer edits it). Results are
those of :func:`bot.animation.results.compute`, the chat's Results button's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation import campaigns, results
from bot.animation.addressed import Call
from bot.animation.calls import LABELS, Choice, campaign_subject
from bot.core import audit
from bot.core.i18n import N_
from bot.delivery import queue
from bot.models import Campaign, CampaignStatus, DeliveryStatus, Repeat, Role
from bot.web.desk.access import Desk, not_found, page

SHOWN = 30
CANCELLED = N_("This campaign was cancelled: it can no longer be changed.")
FINISHED = N_("This campaign is finished: it can no longer be changed.")
STARTED = N_(
    "This campaign has started sending: it can no longer be changed. Cancel it and "
    "compose a new one if needed."
)
REPEAT = {
    Repeat.NONE: N_("once"),
    Repeat.WEEKLY: N_("every week"),
    Repeat.MONTHLY: N_("every month"),
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/campaigns", listing)
    router.add_post("/desk/campaigns/{id:[0-9]+}/cancel", ask_cancel)
    router.add_post("/desk/campaigns/{id:[0-9]+}/cancel/confirm", cancel)


@dataclass(frozen=True, slots=True)
class Row:
    campaign: Campaign
    excerpt: str
    targets: str
    state: str
    progress: dict[DeliveryStatus, int] | None
    results: results.Results | None
    #: It has not started sending: a coordinator may still edit it.
    editable: bool


async def fixed(session: AsyncSession, campaign: Campaign, now: datetime) -> str | None:
    """Why the desk may no longer edit this campaign (a message), or None: it is scheduled
    in the future, has never run and has nothing queued. A campaign whose last run is
    still running (as the list says) has started; it is finished after that."""
    if campaign.status is CampaignStatus.CANCELLED:
        return CANCELLED
    if campaign.status is CampaignStatus.DONE:
        latest = await campaigns.latest_run(session, campaign.id)
        return STARTED if latest is not None and latest.ends_at > now else FINISHED
    due = campaign.next_run_at is None or campaign.next_run_at <= now
    if campaign.runs or due:
        return STARTED
    queued = await queue.progress(session, f"campaign:{campaign.id}")
    return STARTED if any(queued.values()) else None


def _visible(desk: Desk, campaign: Campaign) -> list[str]:
    """The addressed categories this person may see (all for a coordinator)."""
    everything = list(campaign.categories) or [c.key for c in desk.context.settings.categories]
    return [key for key in everything if desk.is_coordinator or key in desk.categories]


async def _state(desk: Desk, session: AsyncSession, campaign: Campaign) -> str:
    settings, now = desk.context.settings, desk.context.clock.now()
    if campaign.status is CampaignStatus.CANCELLED:
        return desk._(N_("cancelled"))
    latest = await campaigns.latest_run(session, campaign.id)
    parts = []
    if latest is not None and latest.ends_at > now:
        parts.append(desk._(N_("running")))
    elif latest is not None and campaign.next_run_at is None:
        parts.append(desk._(N_("finished")))
    if campaign.next_run_at is not None:
        when = campaigns.local(settings, campaign.next_run_at)
        template = N_("next run {when}") if latest is not None else N_("scheduled for {when}")
        parts.append(desk._(template, when=when))
    return ", ".join(parts)


async def _row(desk: Desk, session: AsyncSession, campaign: Campaign) -> Row | None:
    visible = _visible(desk, campaign)
    if not visible:
        return None
    settings = desk.context.settings
    text = campaigns.draft_of(campaign).text.pick(desk.language, settings.network.default_language)
    excerpt = text[0].splitlines()[0][:80] if text[0] else ""
    targets = ", ".join(desk.category_name(key) for key in campaign.categories)
    found = progress = None
    run = await campaigns.latest_run(session, campaign.id)
    if run is not None:
        progress = await queue.progress(session, f"campaign:{campaign.id}")
        call = Call(categories=tuple(run.categories), author_id=campaign.author_id)
        found = await results.compute(
            session, subject=campaign_subject(campaign.id, run.occurrence), call=call,
            categories=_visible(desk, campaign), start=run.started_at, end=run.ends_at,
        )  # fmt: skip
    state = await _state(desk, session, campaign)
    now = desk.context.clock.now()
    editable = desk.is_coordinator and await fixed(session, campaign, now) is None
    return Row(
        campaign, excerpt, targets or desk._(N_("All categories")), state, progress, found,
        editable=editable,
    )  # fmt: skip


@page(Role.REFERENT)
async def listing(desk: Desk) -> web.StreamResponse:
    rows: list[Row] = []
    async with desk.context.sessions() as session:
        newest = await session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(200))
        for campaign in newest:
            row = await _row(desk, session, campaign)
            if row is not None:
                rows.append(row)
            if len(rows) == SHOWN:
                break
    return desk.render(
        "campaigns.html",
        title=desk._(N_("Campaigns")),
        rows=rows,
        repeat=REPEAT,
        choices=[(choice, LABELS[choice]) for choice in Choice],
        statuses=DeliveryStatus,
        local=lambda moment: campaigns.local(desk.context.settings, moment),
    )


@page(Role.COORDINATOR)
async def ask_cancel(desk: Desk) -> web.StreamResponse:
    """The confirmation: nothing is cancelled until it is confirmed."""
    async with desk.context.sessions() as session:
        campaign = await session.get(Campaign, int(desk.request.match_info["id"]))
        if campaign is None:
            return not_found(desk)
        pending = (await queue.progress(session, f"campaign:{campaign.id}"))[DeliveryStatus.PENDING]
    return desk.render(
        "campaign_cancel.html",
        title=desk._(N_("Cancel campaign #{number}?"), number=campaign.id),
        campaign=campaign,
        pending=pending,
        scheduled=campaign.status is CampaignStatus.SCHEDULED,
    )


@page(Role.COORDINATOR)
async def cancel(desk: Desk) -> web.StreamResponse:
    context = desk.context
    async with context.sessions.begin() as session:
        campaign = await session.get(
            Campaign, int(desk.request.match_info["id"]), with_for_update=True
        )
        if campaign is None:
            return not_found(desk)
        if campaign.status is CampaignStatus.SCHEDULED:
            dropped = await campaigns.cancel(session, campaign, context.clock.now())
            audit.record(
                session, context.clock, actor_id=desk.member.id, action="campaign.cancel",
                campaign_id=campaign.id, undelivered=dropped,
            )  # fmt: skip
    return web.Response(status=303, headers={"Location": "/desk/campaigns"})
