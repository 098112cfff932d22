"""``/desk/me``: a member's own space — points, level, latest reports; their own data
only, whatever their role (the Mini App opens here for a plain member)."""

from __future__ import annotations

from aiohttp import web

from bot.activity.recent import recent_actions
from bot.activity.standings import level_progress, totals
from bot.models import Role
from bot.web.desk import labels
from bot.web.desk.access import Desk, page

RECENT = 20


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/me", me)


@page(Role.MEMBER)
async def me(desk: Desk) -> web.StreamResponse:
    member = desk.member
    settings = desk.context.settings
    async with desk.context.sessions() as session:
        points = await totals(session, settings, member.id, desk.context.clock.now())
        actions = await recent_actions(session, member.id, RECENT)
    progress = level_progress(settings, points.all_time)
    return desk.render(
        "me.html",
        title=desk._("My space"),
        member=member,
        category=desk.category_name(member.category),
        points=points,
        level=progress.level.name.get(desk.language),
        next_level=progress.next_level.name.get(desk.language) if progress.next_level else None,
        to_next=progress.points_to_next,
        actions=actions,
        kinds=labels.KIND,
        member_status=labels.STATUS[member.status],
    )
