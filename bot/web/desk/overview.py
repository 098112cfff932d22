"""``/desk``: the network's health — the same numbers as ``/stats``, from the same
function (:func:`bot.activity.stats.compute`), with the definitions of activity stated.

A coordinator sees the whole network or one category (``?category=``); a referent one
of their own categories at a time (their first by default).
"""

from __future__ import annotations

from aiohttp import web

from bot.activity.stats import compute
from bot.models import MemberStatus, Role
from bot.web.desk import labels
from bot.web.desk.access import Desk, not_found, page


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk", overview)


@page(Role.REFERENT)
async def overview(desk: Desk) -> web.StreamResponse:
    asked = desk.request.query.get("category") or None
    if (asked is not None and asked not in desk.categories) or not desk.categories:
        return not_found(desk)
    category = asked if desk.is_coordinator else (asked or desk.categories[0])
    settings = desk.context.settings
    async with desk.context.sessions() as session:
        stats = await compute(
            session,
            desk.context.clock.now(),
            settings.network.timezone,
            category,
            days=settings.nudges.dormant_days,
        )
    busiest = max((week.actions for week in stats.trend), default=0) or 1
    return desk.render(
        "overview.html",
        title=desk._("Overview"),
        stats=stats,
        category=category,
        choices=[(key, desk.category_name(key)) for key in desk.categories],
        by_category=sorted(stats.by_category),
        busiest=busiest,
        kinds=[(labels.KIND[kind], count) for kind, count in stats.actions_by_kind.items()],
        stages=[(labels.STAGE[stage], count) for stage, count in stats.signals_by_stage.items()],
        MemberStatus=MemberStatus,
        timezone=settings.network.timezone,
    )
