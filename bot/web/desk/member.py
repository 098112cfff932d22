"""``/desk/members/{id}``: one member — profile, accounts on each platform, points,
reports, nudges and their answers; for coordinators also the contact details, the audit
entries about them (approval, moves, roles) and coordinators' notes, which they add here.

A referent sees the members of their own categories only (others: 404, as if absent);
the text of opportunity signals stays with coordinators, as in the chat.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.standings import level_progress, totals
from bot.core import audit
from bot.models import (
    AuditEntry,
    CoordinatorNote,
    Identity,
    Member,
    MemberStatus,
    Nudge,
    Report,
    Role,
)
from bot.web.desk import labels
from bot.web.desk.access import Desk, not_found, page

SHOWN = 30
NOTE_LENGTH = 4000


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/members/{id:[0-9]+}", member_page)
    router.add_post("/desk/members/{id:[0-9]+}/notes", add_note)


async def _visible(desk: Desk, member_id: int) -> Member | None:
    async with desk.context.sessions() as session:
        member = await session.get(Member, member_id)
    if member is None or member.status is MemberStatus.FORGOTTEN:
        return None
    if not desk.is_coordinator and member.category not in desk.categories:
        return None
    return member


@page(Role.REFERENT)
async def member_page(desk: Desk) -> web.StreamResponse:
    member = await _visible(desk, int(desk.request.match_info["id"]))
    if member is None:
        return not_found(desk)
    settings = desk.context.settings
    coordinator = desk.is_coordinator
    async with desk.context.sessions() as session:
        accounts = list(await session.scalars(
            select(Identity).where(Identity.member_id == member.id).order_by(Identity.platform)
        ))  # fmt: skip
        points = await totals(session, settings, member.id, desk.context.clock.now())
        reports = list(await session.scalars(
            select(Report).where(Report.member_id == member.id)
            .order_by(Report.created_at.desc(), Report.id.desc()).limit(SHOWN)
        ))  # fmt: skip
        nudges = list(await session.scalars(
            select(Nudge).where(Nudge.member_id == member.id)
            .order_by(Nudge.sent_at.desc()).limit(SHOWN)
        ))  # fmt: skip
        entries: list[AuditEntry] = []
        notes: list[CoordinatorNote] = []
        if coordinator:
            entries = list(await session.scalars(
                select(AuditEntry).where(AuditEntry.target_member_id == member.id)
                .order_by(AuditEntry.id.desc()).limit(SHOWN)
            ))  # fmt: skip
            notes = list(await session.scalars(
                select(CoordinatorNote).where(CoordinatorNote.member_id == member.id)
                .order_by(CoordinatorNote.id.desc())
            ))  # fmt: skip
        people = {m.id: m.display_name for m in await _names(session, entries, notes, member)}
    return desk.render(
        "member.html",
        title=member.display_name,
        member=member,
        accounts=accounts,
        points=points,
        level=level_progress(settings, points.all_time).level.name.get(desk.language),
        reports=reports,
        nudges=nudges,
        entries=entries,
        notes=notes,
        people=people,
        kinds=labels.KIND,
        status_name=labels.STATUS[member.status],
        role_name=labels.ROLE[member.role],
    )


async def _names(
    session: AsyncSession, entries: list[AuditEntry], notes: list[CoordinatorNote], member: Member
) -> list[Member]:
    """The people the page names: who acted, who wrote a note, the sponsor."""
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    ids |= {note.author_id for note in notes if note.author_id is not None}
    if member.sponsor_id:
        ids.add(member.sponsor_id)
    if not ids:
        return []
    return list(await session.scalars(select(Member).where(Member.id.in_(ids))))


@page(Role.COORDINATOR)
async def add_note(desk: Desk) -> web.StreamResponse:
    member_id = int(desk.request.match_info["id"])
    member = await _visible(desk, member_id)
    if member is None:
        return not_found(desk)
    form = await desk.request.post()
    text = str(form.get("text", "")).strip()[:NOTE_LENGTH]
    if text:
        async with desk.context.sessions.begin() as session:
            session.add(
                CoordinatorNote(
                    member_id=member.id,
                    author_id=desk.member.id,
                    text=text,
                    created_at=desk.context.clock.now(),
                )
            )
            audit.record(
                session, desk.context.clock, actor_id=desk.member.id, action="member.note",
                target_member_id=member.id,
            )  # fmt: skip
    return web.Response(status=303, headers={"Location": f"/desk/members/{member.id}#notes"})
