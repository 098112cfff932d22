"""Coordinators' campaigns ("1 ambassador – 1 action"): stored, then run by a job.

A campaign targets some categories (or all), says something, asks for one action with
the answer buttons, and goes out now or at a local date and time, optionally every week
or month at the same local time (daylight saving does not move it). A run posts to the
targeted categories' channels — for "all categories", the general channel where one is
bound on that platform, else each category's — and, if asked, privately to every
targeted member.

Running is idempotent: a run is a ``campaign_runs`` row (unique per occurrence) written
in the same transaction as its deliveries, whose keys name the campaign, the occurrence
and the chat or member; and ``next_run_at`` moves past the present in that transaction.
A job called twice, or by two processes, enqueues nothing new. Runs missed while Relais
was stopped are not made up: the latest one goes out once, and the next is scheduled.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation import segments
from bot.animation.calls import Subject
from bot.animation.campaign_drafts import Draft as Draft
from bot.animation.campaign_drafts import draft_of as draft_of
from bot.animation.campaign_drafts import render as render
from bot.animation.campaign_drafts import render_email as render_email
from bot.animation.kit import items as kit_items
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.core.port import Address, Message
from bot.delivery import audience, channels, queue
from bot.mailing import newsletter
from bot.models import (
    Campaign,
    CampaignRun,
    CampaignStatus,
    KitItem,
    Member,
    MemberStatus,
    Repeat,
)

MAX_TEXT = 1500
MAX_CALL = 300
#: Members per page when a campaign queues its private messages.
AUDIENCE_PAGE = 5_000
_WHEN = re.compile(
    r"^(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})[/.](?P<m2>\d{1,2})(?:[/.](?P<y2>\d{4}))?)"
    r"\s+(?:at\s+|à\s+)?(?P<h>\d{1,2})(?:[:h](?P<min>\d{2})?)?$",
    re.IGNORECASE,
)


def parse_when(text: str, settings: Settings, now: datetime) -> datetime | None:
    """A local date and time (``09/03/2026 09:00``, ``09/03 9h``, ``2026-03-09 09:00``)
    in the network's zone, as UTC; None if unreadable or not in the future."""
    match = _WHEN.match(text.strip())
    if match is None:
        return None
    zone = ZoneInfo(settings.network.timezone)
    today = now.astimezone(zone).date()
    try:
        if match["y1"]:
            day = date(int(match["y1"]), int(match["m1"]), int(match["d1"]))
        else:
            year = int(match["y2"]) if match["y2"] else today.year
            day = date(year, int(match["m2"]), int(match["d2"]))
            if not match["y2"] and day < today:
                day = day.replace(year=today.year + 1)
        moment = datetime.combine(day, time(int(match["h"]), int(match["min"] or 0)))
    except ValueError:
        return None
    found = moment.replace(tzinfo=zone).astimezone(UTC)
    return found if found > now else None


def local(settings: Settings, moment: datetime) -> str:
    zone = ZoneInfo(settings.network.timezone)
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def occurrence_time(settings: Settings, starts_at: datetime, repeat: Repeat, k: int) -> datetime:
    """The ``k``-th run (0 = the first) at the first run's local wall-clock time."""
    zone = ZoneInfo(settings.network.timezone)
    first = starts_at.astimezone(zone).replace(tzinfo=None)
    if repeat is Repeat.WEEKLY:
        wall = first + timedelta(weeks=k)
    elif repeat is Repeat.MONTHLY:
        months = first.month - 1 + k
        year, month = first.year + months // 12, months % 12 + 1
        day = min(first.day, calendar.monthrange(year, month)[1])
        wall = first.replace(year=year, month=month, day=day)
    else:
        wall = first
    return wall.replace(tzinfo=zone).astimezone(UTC)


def next_after(
    settings: Settings, campaign: Campaign, moment: datetime, *, done: int = 0
) -> datetime | None:
    """The first scheduled run strictly after ``moment``; None for a one-off, and once
    the campaign's end date is passed or, ``done`` runs made, its number of runs reached."""
    if campaign.repeat is Repeat.NONE:
        return None
    if campaign.max_runs is not None and done >= campaign.max_runs:
        return None
    k = 1
    while (found := occurrence_time(settings, campaign.starts_at, campaign.repeat, k)) <= moment:
        k += 1
    if campaign.ends_at is not None and found > campaign.ends_at:
        return None
    return found


def save(campaign: Campaign | None, draft: Draft, *, author_id: int, now: datetime) -> Campaign:
    """A new campaign from the draft, or the scheduled one updated (its runs so far are
    kept; the schedule restarts from the draft's start)."""
    starts_at = draft.starts_at or now
    if campaign is None:
        campaign = Campaign(author_id=author_id, runs=0, created_at=now)
    campaign.categories = list(draft.categories)
    campaign.text_fr, campaign.text_en = draft.text.fr, draft.text.en
    campaign.call_fr, campaign.call_en = draft.call_to_action.fr, draft.call_to_action.en
    campaign.starts_at = starts_at
    campaign.repeat = draft.repeat
    campaign.direct = draft.direct
    campaign.email = draft.email
    campaign.segments = draft.segments.to_json()
    campaign.kit_item_id = draft.kit_item[0] if draft.kit_item else None
    repeating = draft.repeat is not Repeat.NONE
    campaign.ends_at = draft.ends_at if repeating else None
    campaign.max_runs = draft.max_runs if repeating else None
    campaign.status = CampaignStatus.SCHEDULED
    campaign.next_run_at = starts_at
    campaign.updated_at = now
    return campaign


async def kit_title(session: AsyncSession, campaign: Campaign, now: datetime) -> str | None:
    """The title of the campaign's kit item while it is in the kit (a retired or expired
    item is no longer offered: a repeat run goes out without it)."""
    if campaign.kit_item_id is None:
        return None
    item = await session.get(KitItem, campaign.kit_item_id)
    return item.title if item is not None and kit_items.live(item, now) else None


async def _channel_addresses(
    session: AsyncSession, settings: Settings, categories: Sequence[str], platforms: Sequence[str]
) -> list[Address]:
    scopes = [channels.category_scope(key) for key in categories]
    if categories:
        found = []
        for scope in scopes:
            found += await channels.addresses_for(session, settings, scope, platforms)
        return found
    general = await channels.addresses_for(session, settings, channels.GENERAL, platforms)
    found = list(general)
    elsewhere = [p for p in platforms if p not in {a.platform for a in general}]
    for key in settings.categories:
        scope = channels.category_scope(key.key)
        found += await channels.addresses_for(session, settings, scope, elsewhere)
    return found


async def _audience_pages(
    session: AsyncSession, categories: Sequence[str], narrower: Sequence[ColumnElement[bool]] = ()
) -> AsyncIterator[list[int]]:
    """The active members of these categories (all when empty) within the segments'
    conditions, by pages of ids (keyset on the primary key): a campaign to 100,000
    members holds one page of recipients and their deliveries at a time, not all."""
    after = 0
    while True:
        query = (
            select(Member.id)
            .where(Member.status == MemberStatus.ACTIVE, Member.id > after, *narrower)
            .order_by(Member.id)
            .limit(AUDIENCE_PAGE)
        )
        if categories:
            query = query.where(Member.category.in_(categories))
        ids = list(await session.scalars(query))
        if not ids:
            return
        yield ids
        after = ids[-1]


async def run(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    campaign: Campaign,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Run the campaign's due occurrence: record it, enqueue its posts and private
    messages, and schedule the next one. Returns how many deliveries were new."""
    assert campaign.next_run_at is not None
    occurrence = campaign.runs + 1
    scheduled = campaign.next_run_at
    following = next_after(settings, campaign, max(now, scheduled), done=occurrence)
    window = timedelta(days=settings.animation.results_window_days)
    try:
        async with session.begin_nested():
            session.add(
                CampaignRun(
                    campaign_id=campaign.id,
                    occurrence=occurrence,
                    categories=list(campaign.categories),
                    started_at=scheduled,
                    ends_at=following or max(now, scheduled) + window,
                )
            )
    except IntegrityError:  # another process ran it: just catch up with the schedule
        pass
    subject = Subject(campaign_id=campaign.id, occurrence=occurrence)
    draft = draft_of(campaign, await kit_title(session, campaign, now))
    key = f"campaign:{campaign.id}:{occurrence}"
    batch = f"campaign:{campaign.id}"
    default = settings.network.default_language
    post = render(translator, default, draft, subject, private=False)
    addresses = await _channel_addresses(session, settings, campaign.categories, platforms)
    queued = await queue.enqueue(
        session, now, batch, [audience.to_channel(key, address, post) for address in addresses]
    )
    if campaign.direct or campaign.email:
        queued += await _personal(
            session, settings, translator, draft, subject, platforms=platforms, now=now
        )
    campaign.runs = occurrence
    campaign.next_run_at = following
    campaign.updated_at = now
    if following is None:
        campaign.status = CampaignStatus.DONE
    return queued


async def _personal(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    draft: Draft,
    subject: Subject,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Queue the run's private messages and e-mails to its targeted members, each in
    their language (rendered once per language, not once per member)."""
    assert subject.campaign_id is not None
    key = f"campaign:{subject.campaign_id}:{subject.occurrence}"
    batch = f"campaign:{subject.campaign_id}"
    default = settings.network.default_language
    chats: dict[str, Message] = {}
    mails: dict[str, Message] = {}

    def private_message(language: str) -> Message:
        """A language the deployment does not ship (an imported row) gets the network's."""
        if language not in chats:
            spoken = translator.resolve(language, None)
            chats[language] = render(
                translator, spoken, draft, subject, private=True, default=default
            )
        return chats[language]

    def email_message(language: str) -> Message:
        if language not in mails:
            spoken = translator.resolve(language, None)
            mails[language] = render_email(translator, settings, spoken, draft, subject)
        return mails[language]

    narrower = segments.conditions(draft.segments, settings, now)
    queued = 0
    async for member_ids in _audience_pages(session, draft.categories, narrower):
        routes = await newsletter.campaign_routes(
            session, member_ids, platforms, direct=draft.direct, newsletter=draft.email
        )
        planned = [
            *(
                audience.private(r, f"{key}:m{r.member_id}", private_message, broadcast=True)
                for r in routes.chat
            ),
            *(audience.private(r, f"{key}:e{r.member_id}", email_message) for r in routes.email),
        ]
        queued += await queue.enqueue(session, now, batch, planned)
    return queued


async def run_due(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Run every campaign whose time has come (rows locked, so two processes on
    PostgreSQL never run the same one)."""
    due = await session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.SCHEDULED, Campaign.next_run_at <= now)
        .order_by(Campaign.next_run_at, Campaign.id)
        .with_for_update(skip_locked=True)
    )
    queued = 0
    for campaign in list(due):
        queued += await run(session, settings, translator, campaign, platforms=platforms, now=now)
    return queued


async def cancel(session: AsyncSession, campaign: Campaign, now: datetime) -> int:
    """Stop a campaign: no further run, and what was not sent yet is not sent."""
    campaign.status = CampaignStatus.CANCELLED
    campaign.next_run_at = None
    campaign.updated_at = now
    return await queue.cancel_pending(session, f"campaign:{campaign.id}")


async def latest_run(session: AsyncSession, campaign_id: int) -> CampaignRun | None:
    return await session.scalar(
        select(CampaignRun)
        .where(CampaignRun.campaign_id == campaign_id)
        .order_by(CampaignRun.occurrence.desc())
        .limit(1)
    )


async def find_run(session: AsyncSession, campaign_id: int, occurrence: int) -> CampaignRun | None:
    return await session.scalar(
        select(CampaignRun).where(
            CampaignRun.campaign_id == campaign_id, CampaignRun.occurrence == occurrence
        )
    )
