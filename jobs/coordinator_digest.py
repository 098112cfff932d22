"""Monday: each coordinator gets a private digest of the network's week.

What waits for them — applications (and how long the oldest has waited), signals nobody
triaged, signals taken up but not moved for :data:`bot.activity.signals.FOLLOW_UP_DAYS`
days (signals carry no follow-up date: their last move stands for it) — the referents
and coordinators gone dormant (they are never listed in a referent's digest), and the
week's numbers, read from the functions ``/stats`` reads (:func:`bot.activity.stats.compute`,
:mod:`bot.activity.weekly`), so that the two never disagree. Each section links to its
desk page when the web is configured.

The delivery key names the week and the coordinator: one digest per coordinator per
week, however often the job runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.activity import engagement, signals, stats, weekly
from bot.core import web_links
from bot.core.port import Message
from bot.delivery import audience
from bot.members import approvals
from bot.scheduling.runner import occurrence
from jobs._words import Words, week_dates

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import Relais

#: Its schedule is ``[jobs] coordinator_digest``, else the referents' ``digest``'s.
ID = "coordinator_digest"


@dataclass(frozen=True, slots=True)
class Numbers:
    """What one week's digest says, the same for every coordinator."""

    week: weekly.Week
    applications: int
    oldest_days: int
    untriaged: int
    follow_up: int
    dormant_leads: list[str]
    #: The members the digest names (the dormant leads): erasing one deletes its copies.
    named: list[int]
    network: stats.Stats
    actions: int
    actors: int
    joined: int


async def gather(app: Relais, session: AsyncSession, at: datetime) -> Numbers:
    """The week's digest numbers at ``at`` (the week before ``at``'s)."""
    settings = app.settings
    zone, days = settings.network.timezone, settings.nudges.dormant_days
    week = weekly.last_week(at, zone)
    applications, oldest = await approvals.waiting_since(session, at)
    network = await stats.compute(session, at, zone, days=days)
    trend = next((w for w in network.trend if w.start == week.start), None)
    leads = await engagement.dormant_leads(session, at, days)
    return Numbers(
        week=week,
        applications=applications,
        oldest_days=(at - oldest.joined_at).days if oldest else 0,
        untriaged=(await signals.counts_by_stage(session)).get(signals.Stage.NEW, 0),
        follow_up=await signals.awaiting_follow_up(session, at),
        dormant_leads=[f"#{m.id} {m.display_name}" for m in leads],
        named=[m.id for m in leads],
        network=network,
        actions=trend.actions if trend else 0,
        actors=trend.actors if trend else 0,
        joined=len(await weekly.newcomers(session, week, None)),
    )


def compose(app: Relais, numbers: Numbers, language: str) -> Message:
    """The digest in ``language``."""
    _ = Words(app, language)

    def desk(path: str) -> list[str]:
        url = web_links.desk_url(app.settings, path)
        return ["  " + _("On the desk: {url}", url=url)] if url else []

    first, last = week_dates(app, numbers.week)
    lines = [_("Coordinators' weekly digest — {first} to {last}", first=first, last=last)]
    if numbers.applications:
        lines.append(
            _.ngettext(
                "Applications waiting: {n} (the oldest for {days} days). Send /pending.",
                "Applications waiting: {n} (the oldest for {days} days). Send /pending.",
                numbers.applications,
                days=numbers.oldest_days,
            )
        )
        lines += desk(web_links.APPLICATIONS)
    else:
        lines.append(_("No application is waiting."))
    lines.append(_("Signals not triaged yet: {n}.", n=numbers.untriaged))
    lines.append(
        _(
            "Signals taken up with no move for {days} days: {n}.",
            days=signals.FOLLOW_UP_DAYS,
            n=numbers.follow_up,
        )
    )
    if numbers.untriaged or numbers.follow_up:
        lines.append("  " + _("Send /signals to see them."))
        lines += desk(web_links.SIGNALS)
    if numbers.dormant_leads:
        lines.append(
            _(
                "Dormant referents and coordinators: {names}.",
                names=", ".join(numbers.dormant_leads),
            )
        )
    else:
        lines.append(_("No referent or coordinator is dormant."))
    network = numbers.network
    lines.append(
        _(
            "The week: {actions} actions by {actors} members; {joined} new members.",
            actions=numbers.actions,
            actors=numbers.actors,
            joined=numbers.joined,
        )
    )
    lines.append(
        _(
            "Members: {members} active members — {active} active, {dormant} dormant, "
            "{never} never activated.",
            members=network.members,
            active=network.active,
            dormant=network.dormant,
            never=network.never_activated,
        )
    )
    lines += desk(web_links.MEMBERS)
    lines.append(_("Send /stats for the charts."))
    return Message(text="\n".join(lines), language=language)


async def run(app: Relais) -> None:
    at = occurrence(app)
    async with app.sessions.begin() as session:
        numbers = await gather(app, session, at)
        queued = await audience.tell_members(
            session,
            now=app.clock.now(),
            platforms=sorted(app.platforms),
            member_ids=await audience.coordinators(session),
            key_prefix=f"coordinator_digest:{numbers.week.key}",
            batch=f"coordinator_digest:{numbers.week.key}",
            render=lambda language: compose(app, numbers, language),
            subjects=numbers.named,
        )
    if queued:
        app.sender.wake()
