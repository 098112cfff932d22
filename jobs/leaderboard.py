"""Monday: each category channel gets its weekly leaderboard, the general channel the
overall one, both with a chart of the last weeks.

A category's post: its top 10 for the past week, its newcomers welcomed by name, its
most improved member. The general post: the overall top 10 and each category's share of
members who acted. Each category's chart shows that category, the general one every
category; both draw complete weeks only (the week in progress is left out, and the
title says so). Members who chose to be anonymous appear as such; hidden ones do not
appear. Channels are shared, so posts speak the network's default language.

Delivery keys name the week and the channel's scope, so a second run for the same week
(a restart, a catch-up, another process) posts nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.activity import charts, weekly
from bot.activity.standings import Standing, board
from bot.core.i18n import N_
from bot.core.port import Message
from bot.delivery import audience, channels, queue
from bot.models import Member, Visibility
from bot.recognition import goals
from bot.scheduling.runner import occurrence
from jobs._words import Words, week_dates

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import Relais

ID = "leaderboard"
log = logging.getLogger(__name__)
CHART_WEEKS = 8
ANONYMOUS = N_("Anonymous ambassador")


def _line(_: Words, standing: Standing) -> str:
    name = _(ANONYMOUS) if standing.visibility is Visibility.ANONYMOUS else standing.display_name
    return f"{standing.rank}. {name} — {standing.points}"


def _public_name(_: Words, name: str, visibility: Visibility) -> str:
    return _(ANONYMOUS) if visibility is Visibility.ANONYMOUS else name


def _welcome(_: Words, members: list[Member]) -> str | None:
    named = [m.display_name for m in members if m.visibility is Visibility.NAME]
    others = len(members) - len(named)
    if not members:
        return None
    if not named:
        return _.ngettext("Welcome to our {n} newcomer!", "Welcome to our {n} newcomers!", others)
    names = ", ".join(named)
    if others:
        return _.ngettext(
            "Welcome to our newcomers: {names} and {n} more!",
            "Welcome to our newcomers: {names} and {n} more!",
            others,
            names=names,
        )
    return _("Welcome to our newcomers: {names}!", names=names)


async def _category_post(
    session: AsyncSession,
    _: Words,
    key: str,
    week: weekly.Week,
    before: weekly.Week,
    trend: list[int],
    dates: tuple[str, str],
) -> str:
    top, _own = await board(session, week.start, key, until=week.end)
    lines = [
        _(
            "Leaderboard of the week — {category} — {first} to {last}",
            category=_.category(key),
            first=dates[0],
            last=dates[1],
        )
    ]
    lines.extend(_line(_, standing) for standing in top)
    if not top:
        lines.append(_("Nobody earned points this week. The first report leads the board: /report"))
    welcome = _welcome(_, await weekly.newcomers(session, week, key))
    if welcome:
        lines.append(welcome)
    improved = await weekly.most_improved(session, week, before, key)
    if improved is not None:
        shown = _public_name(_, improved.display_name, improved.visibility)
        lines.append(
            _.ngettext(
                "Most improved: {name}, {n} point more than the week before.",
                "Most improved: {name}, {n} points more than the week before.",
                improved.gain,
                name=shown,
            )
        )
    lines += await goals.lines(session, _.app.settings, _.app.translator, _.language, key, week.end)
    lines.append(
        _(
            "Chart: actions per week in {category} over the last {weeks} weeks, oldest "
            "first: {counts}.",
            category=_.category(key),
            weeks=len(trend),
            counts=", ".join(str(n) for n in trend),
        )
    )
    return "\n".join(lines)


async def _general_post(
    session: AsyncSession,
    _: Words,
    week: weekly.Week,
    totals: list[int],
    dates: tuple[str, str],
) -> str:
    top, _own = await board(session, week.start, None, until=week.end)
    lines = [
        _(
            "Leaderboard of the week — all categories — {first} to {last}",
            first=dates[0],
            last=dates[1],
        )
    ]
    lines.extend(_line(_, standing) for standing in top)
    if not top:
        lines.append(_("Nobody earned points this week. The first report leads the board: /report"))
    shares = await weekly.active_share(session, week)
    lines.append(_("Members who acted this week:"))
    for category in _.app.settings.categories:
        acted, total = shares.get(category.key, (0, 0))
        if total:
            lines.append(
                _(
                    "{category}: {acted} of {total} ({share}%)",
                    category=_.category(category.key),
                    acted=acted,
                    total=total,
                    share=round(100 * acted / total),
                )
            )
    lines += await goals.lines(
        session, _.app.settings, _.app.translator, _.language, goals.ALL, week.end
    )
    lines.append(
        _(
            "Chart: actions per week in all categories over the last {weeks} weeks, oldest "
            "first: {counts}.",
            weeks=len(totals),
            counts=", ".join(str(n) for n in totals),
        )
    )
    return "\n".join(lines)


def _chart(
    _: Words,
    weeks: list[weekly.Week],
    trend: dict[str, list[int]],
    app: Relais,
    category: str | None,
) -> bytes:
    """The chart of one category's post (``category``), or of the general post (None):
    actions per complete week, the week in progress left out."""
    zone = ZoneInfo(app.settings.network.timezone)
    labels = [week.start.astimezone(zone).strftime("%d/%m") for week in weeks]
    keys = [c.key for c in app.settings.categories] if category is None else [category]
    series = {_.category(key): trend.get(key, [0] * len(weeks)) for key in keys}
    if category is None:
        title = _("Actions per category, last {weeks} complete weeks", weeks=len(weeks))
    else:
        title = _(
            "Actions in {category}, last {weeks} complete weeks",
            category=_.category(category),
            weeks=len(weeks),
        )
    return charts.weekly(title, labels, series, _("actions"))


async def run(app: Relais) -> None:
    settings = app.settings
    zone = settings.network.timezone
    week = weekly.last_week(occurrence(app), zone)
    weeks = weekly.weeks_before(week, CHART_WEEKS, zone)
    _ = Words(app, settings.network.default_language)
    dates = week_dates(app, week)
    platforms = app.served
    planned: list[queue.Planned] = []
    async with app.sessions.begin() as session:
        trend = await weekly.actions_per_week(session, weeks)
        shares = await weekly.active_share(session, week)
        posts: list[tuple[str, str, bytes]] = []
        for category in settings.categories:
            if not shares.get(category.key, (0, 0))[1]:
                continue  # nobody in this category yet
            counts = trend.get(category.key, [0] * len(weeks))
            try:  # one category's failure leaves the others' posts (and a rerun) intact
                async with session.begin_nested():
                    text = await _category_post(
                        session, _, category.key, week, weeks[-2], counts, dates
                    )
            except Exception:
                log.exception("leaderboard for %s failed; the other posts go on", category.key)
                continue
            image = _chart(_, weeks, trend, app, category.key)
            posts.append((channels.category_scope(category.key), text, image))
        if any(total for _acted, total in shares.values()):
            totals = [sum(column) for column in zip(*trend.values(), strict=True)] or [0] * len(
                weeks
            )
            text = await _general_post(session, _, week, totals, dates)
            posts.append((channels.GENERAL, text, _chart(_, weeks, trend, app, None)))
        for scope, text, image in posts:
            addresses = await channels.addresses_for(session, settings, scope, platforms)
            key = channels.scope_category(scope)
            named = await audience.nameable(session, [key] if key else [])
            for address in addresses:
                planned.append(
                    queue.Planned(
                        key=f"leaderboard:{week.key}:{scope}:{address.platform}",
                        address=address,
                        message=Message(text=text, image_png=image),
                        subjects=tuple(named),
                    )
                )
        await queue.enqueue(session, app.clock.now(), f"leaderboard:{week.key}", planned)
    app.sender.wake()
