"""``/desk/applications``: waiting applications, oldest first, checked and approved or
rejected together through the bulk actions' confirmation (coordinators, as in chat)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.members import approvals
from bot.models import Member, Role
from bot.web.desk.access import Desk, page

SHOWN = 200


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/applications", applications)


@page(Role.COORDINATOR)
async def applications(desk: Desk) -> web.StreamResponse:
    async with desk.context.sessions() as session:
        waiting, total = await approvals.pending(session, SHOWN)
        sponsor_ids = {member.sponsor_id for member in waiting if member.sponsor_id}
        sponsors = {
            sponsor.id: sponsor
            for sponsor in await session.scalars(select(Member).where(Member.id.in_(sponsor_ids)))
        } if sponsor_ids else {}  # fmt: skip
        namesakes = {
            member.id: found
            for member in waiting
            if (found := await approvals.coordinator_namesake(session, member)) is not None
        }
    now = desk.context.clock.now()
    return desk.render(
        "applications.html",
        title=desk._("Applications"),
        waiting=waiting,
        total=total,
        sponsors=sponsors,
        namesakes=namesakes,
        waited={member.id: (now - member.joined_at).days for member in waiting},
    )
