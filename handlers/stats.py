"""/stats [category]: the network's health, as text first and then a chart.

Coordinators see the whole network or one category; a referent sees the categories they
are referent of (see :mod:`bot.members.roles`), one at a time. The answer goes to the caller's
private chat: it is for the people who run the network, not for the category channel.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.activity import charts, engagement
from bot.activity.stats import Stats, compute
from bot.animation.events import native_sync
from bot.animation.kit import sharing
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.port import Message
from bot.delivery import channels
from bot.mailing import tracking
from bot.members import role_sync, roles
from bot.models import MemberStatus, Role
from handlers._labels import KIND, MEDIUM, STAGE, category_name

router = Router("stats")
STATUS_COUNTS = {
    MemberStatus.ACTIVE: N_("{n} active"),
    MemberStatus.PENDING: N_("{n} pending"),
    MemberStatus.REJECTED: N_("{n} not accepted"),
}


async def _scope(ctx: Context) -> tuple[bool, str | None, list[str]]:
    """Whether the caller may see what they asked, the category (None: the whole
    network), and a referent's own categories: a referent sees only those, one at a time
    (without an argument, their only one)."""
    assert ctx.member is not None
    named = [ctx.settings.category_named(arg) for arg in ctx.event.args]
    if len(named) > 1 or (named and named[0] is None):
        return False, None, []
    asked = [category.key for category in named if category is not None]
    if ctx.member.role is Role.REFERENT:
        own = await roles.referent_categories(ctx.session, ctx.member.id)
        wanted = asked[0] if asked else (own[0] if len(own) == 1 else None)
        return wanted in own, wanted, own
    return True, asked[0] if asked else None, []


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _statuses(ctx: Context, counts: dict[MemberStatus, int]) -> str:
    return ", ".join(
        ctx._(label, n=counts[status])
        for status, label in STATUS_COUNTS.items()
        if counts.get(status)
    ) or ctx._(STATUS_COUNTS[MemberStatus.ACTIVE], n=0)


def text(ctx: Context, stats: Stats) -> str:
    scope = category_name(ctx, stats.category) if stats.category else ctx._("All categories")
    total = {status: stats.count(status) for status in STATUS_COUNTS}
    lines = [ctx._("Network health — {scope}", scope=scope)]
    lines.append(ctx._("Members: {statuses}", statuses=_statuses(ctx, total)))
    for key in sorted(stats.by_category):
        lines.append(f"  {category_name(ctx, key)}: {_statuses(ctx, stats.by_category[key])}")
    lines.append(
        ctx._(
            "Active: {active} of {members} ({percent}%); dormant (no sign of life for {days} "
            "days): {dormant}; never activated (imported, not claimed): {never}",
            active=stats.active,
            members=stats.members,
            percent=_percent(stats.active, stats.members),
            days=stats.days,
            dormant=stats.dormant,
            never=stats.never_activated,
        )
    )
    funnel = stats.funnel
    lines.append(
        ctx._(
            "Engagement: joined {joined} → acted once {once} → acts monthly {monthly} → "
            "referents {referents}",
            joined=funnel.joined,
            once=funnel.acted_once,
            monthly=funnel.acts_monthly,
            referents=funnel.referents,
        )
    )
    kinds = ", ".join(
        f"{ctx._(label)} {stats.actions_by_kind.get(kind, 0)}" for kind, label in KIND.items()
    )
    lines.append(ctx._("Actions in the last 12 weeks: {kinds}", kinds=kinds))
    if stats.mentions_by_medium:
        mediums = ", ".join(
            f"{ctx._(label)} {stats.mentions_by_medium[medium]}"
            for medium, label in MEDIUM.items()
            if stats.mentions_by_medium.get(medium)
        )
        lines.append(ctx._("Mentions by medium: {mediums}", mediums=mediums))
    stages = ", ".join(
        f"{ctx._(STAGE[stage])} {count}" for stage, count in stats.signals_by_stage.items()
    )
    lines.append(ctx._("Signals by stage: {stages}", stages=stages))
    lines.append(ctx._("Weekly actions (members who acted):"))
    zone = ZoneInfo(ctx.settings.network.timezone)
    so_far = ctx._("so far")
    lines.append(
        "  "
        + " · ".join(
            f"{week.start.astimezone(zone):%d/%m} {week.actions} ({week.actors})"
            + ("" if week.complete else f" {so_far}")
            for week in stats.trend
        )
    )
    lines += _events(ctx, stats)
    return "\n".join(lines)


def _events(ctx: Context, stats: Stats) -> list[str]:
    """Events held in the twelve weeks, the attendance rate and presences per week;
    nothing for a network that holds no events."""
    events = stats.events
    if not events.held and not any(week.attended for week in stats.trend):
        return []
    zone = ZoneInfo(ctx.settings.network.timezone)
    return [
        ctx._(
            "Events in the last 12 weeks: {held} held, {attended} present; of those who "
            "said they would come, {came} of {going} did ({percent}%)",
            held=events.held,
            attended=events.attended,
            came=events.came,
            going=events.going,
            percent=_percent(events.came, events.going),
        ),
        ctx._("Presences at events per week:"),
        "  "
        + " · ".join(
            f"{week.start.astimezone(zone):%d/%m} {week.attended}" for week in stats.trend
        ),
    ]


async def dormant_leads(ctx: Context, days: int) -> list[str]:
    """For coordinators: the referents and coordinators gone quiet (no digest lists them)."""
    leads = await engagement.dormant_leads(ctx.session, ctx.clock.now(), days)
    if not leads:
        return []
    names = ", ".join(f"#{lead.id} {lead.display_name}" for lead in leads)
    return [
        ctx._(
            "Referents and coordinators with no sign of life for {days} days: {names}",
            days=days,
            names=names,
        )
    ]


async def invitation_lines(ctx: Context) -> list[str]:
    """For coordinators, once a spreadsheet was imported: how its members' invitations
    went (details per member: ``relais export invitations``)."""
    found = await tracking.summary(ctx.session)
    if not found.imported:
        return []
    return [
        ctx._(
            "Imported members: {claimed} of {imported} claimed their account; invited by "
            "e-mail: {invited} ({bounced} bounced, {unsubscribed} unsubscribed); without an "
            "e-mail address: {without}",
            claimed=found.claimed,
            imported=found.imported,
            invited=found.invited,
            bounced=found.bounced,
            unsubscribed=found.unsubscribed,
            without=found.without_email,
        )
    ]


ROLE_PROBLEMS = {
    "permission": N_(
        "Server roles ({platform}) could not be changed: the bot needs the Manage Roles "
        "permission, and its own role above the roles it manages."
    ),
    "unknown_role": N_(
        "Server roles ({platform}) could not be changed: a role in the configuration does "
        "not exist in the server."
    ),
    "refused": N_("Server roles ({platform}) could not be changed; the log says why."),
}
CHANNEL_PROBLEMS = {
    "permission": N_(
        "The network's channels ({platform}) could not be set up: the bot needs the Manage "
        "Channels and Manage Roles permissions."
    ),
    "unknown_category": N_(
        "The network's channels ({platform}) could not be set up: the channel category in "
        "the configuration does not exist in the server."
    ),
    "refused": N_("The network's channels ({platform}) could not be set up; the log says why."),
}
NATIVE_EVENTS_PROBLEMS = {
    "permission": N_(
        "Events could not be added to the server's Events tab ({platform}): the bot needs "
        "the Manage Events permission; the log says more."
    ),
    "refused": N_(
        "Events could not be added to the server's Events tab ({platform}); the log says why."
    ),
}


async def role_problems(ctx: Context) -> list[str]:
    """One line per platform whose last role change was refused (none went through since),
    one per platform whose last setup of the network's channels was refused, and one per
    platform that last refused to mirror events in its own events tab."""
    lines = []
    for platform in role_sync.PLATFORMS:
        problem = await role_sync.last_problem(ctx.session, platform)
        if problem is not None:
            label = ROLE_PROBLEMS.get(problem, ROLE_PROBLEMS["refused"])
            lines.append("⚠ " + ctx._(label, platform=platform.capitalize()))
        problem = await channels.setup_problem(ctx.session, platform)
        if problem is not None:
            label = CHANNEL_PROBLEMS.get(problem, CHANNEL_PROBLEMS["refused"])
            lines.append("⚠ " + ctx._(label, platform=platform.capitalize()))
        problem = await native_sync.last_problem(ctx.session, platform)
        if problem is not None:
            label = NATIVE_EVENTS_PROBLEMS.get(problem, NATIVE_EVENTS_PROBLEMS["refused"])
            lines.append("⚠ " + ctx._(label, platform=platform.capitalize()))
    return lines


def chart(ctx: Context, stats: Stats) -> bytes:
    scope = category_name(ctx, stats.category) if stats.category else ctx._("All categories")
    labels = charts.ChartLabels(
        title=ctx._("Network health — {scope}", scope=scope),
        trend=ctx._("Last 12 weeks"),
        actions=ctx._("Actions"),
        actors=ctx._("Members who acted"),
        members=ctx._("Members by category"),
        active=ctx._("Active"),
        dormant=ctx._("Dormant"),
        never_activated=ctx._("Never activated"),
        partial=ctx._("this week, so far"),
        funnel=ctx._("Engagement"),
        funnel_steps=(
            ctx._("Joined"),
            ctx._("Acted once"),
            ctx._("Acts monthly"),
            ctx._("Referents"),
        ),
        categories={c.key: category_name(ctx, c.key) for c in ctx.settings.categories},
        clicks=ctx._("Clicks on shared kit links"),
    )
    return charts.render(stats, labels, ctx.settings.network.timezone)


async def reach_lines(ctx: Context) -> list[str]:
    """The kit's reach over the last 30 days: shares, clicks, the top items."""
    reach = await sharing.network_reach(ctx.session, ctx.clock.now())
    if not reach.shares and not reach.clicks:
        return []
    lines = [
        ctx._(
            "Kit reach, last 30 days: {shares} shares, {clicks} clicks",
            shares=reach.shares, clicks=reach.clicks,
        )
    ]  # fmt: skip
    lines += [f"  {title}: {shares} / {clicks}" for title, shares, clicks in reach.top]
    return lines


@router.command("stats")
async def stats(ctx: Context) -> None:
    """Compute the health of the network (or a category) and send it with a chart
    (in private: the command table marks it so, and the app moves it there)."""
    allowed, category, own = await _scope(ctx)
    if not allowed:
        assert ctx.member is not None
        if ctx.member.role is Role.REFERENT:
            ctx.reply_private(
                ctx._(
                    "You can see the statistics of your category: /stats {key}",
                    key=" | ".join(own),
                )
            )
        else:
            keys = ", ".join(category.key for category in ctx.settings.categories)
            ctx.reply_private(ctx._("Usage: /stats [category]. Categories: {keys}", keys=keys))
        return
    days = ctx.settings.nudges.dormant_days
    now = ctx.clock.now()
    result = await compute(ctx.session, now, ctx.settings.network.timezone, category, days=days)
    lines = [text(ctx, result)]
    if category is None:
        lines += await reach_lines(ctx)
    if ctx.role is Role.COORDINATOR and category is None:
        lines += await dormant_leads(ctx, days)
        lines += await invitation_lines(ctx)
        lines += await role_problems(ctx)
    ctx.reply_private("\n".join(lines))
    ctx.send(
        ctx.private_chat,
        Message(text=ctx._("Network health chart"), image_png=chart(ctx, result)),
    )
