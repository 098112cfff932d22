"""Bulk actions on a selection of members, always through a confirmation that states
how many members the action will touch (coordinators only).

``POST /desk/members/bulk`` takes the checked rows (``id``) or "all that match" (the
members table's filters, ``selection``) and an action; it changes nothing and answers the
confirmation page. ``POST /desk/members/bulk/confirm`` acts:

* **approve / reject**: each waiting application through
  :func:`bot.members.approvals.decide`, the applicant told in their language exactly as
  by the chat's buttons (:func:`bot.members.notices.tell_outcome`); applications decided
  meanwhile are counted apart, never decided twice;
* **move**: each member to the chosen category (:func:`bot.members.membership.move`),
  told as by ``/move``;
* **remind**: an e-mail reminder of the invitation to the imported members who have not
  claimed their account yet (:func:`bot.mailing.invitations.remindable`: within the
  network's number of reminders, not invited in the last day), when e-mail is set up;
* **export**: the selection as CSV, cells made safe for spreadsheets
  (:mod:`bot.core.csvsafe`), the export audited.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from urllib.parse import parse_qsl

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import directory
from bot.core import audit, csvsafe
from bot.mailing import invitations
from bot.members import approvals, membership, notices
from bot.models import Member, MemberStatus, Role
from bot.web.desk.access import Desk, page
from bot.web.desk.members import filters_from

ACTIONS = ("approve", "reject", "move", "remind", "export")


def _n(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for the catalogs' extraction; translated with ``ngettext``."""
    return singular, plural


#: What the confirmation page asks, per action.
QUESTIONS = {
    "approve": _n("Approve {n} application?", "Approve {n} applications?"),
    "reject": _n("Reject {n} application?", "Reject {n} applications?"),
    "move": _n("Move {n} member to {category}?", "Move {n} members to {category}?"),
    "remind": _n(
        "Send {n} member a reminder of their invitation by e-mail?",
        "Send {n} members a reminder of their invitation by e-mail?",
    ),
    "export": _n("Export {n} member as CSV?", "Export {n} members as CSV?"),
}
COLUMNS = (
    "number", "name", "category", "status", "role", "language", "email", "phone",
    "joined", "last_action", "points",
)  # fmt: skip


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/desk/members/bulk", ask)
    router.add_post("/desk/members/bulk/confirm", confirm)


async def _selected(desk: Desk, session: AsyncSession) -> list[int]:
    """The member numbers the form names: the checked rows, or every match of the
    selection's filters (erased members never)."""
    form = await desk.request.post()
    if form.get("scope") == "all":
        params = dict(parse_qsl(str(form.get("selection", ""))))
        filters = filters_from(desk, params)
        settings = desk.context.settings
        return await directory.matching_ids(
            session, settings, desk.context.clock.now(), filters,
            days=settings.nudges.dormant_days,
        )  # fmt: skip
    raw = form.getall("id", []) if form.get("ids") is None else str(form["ids"]).split(",")
    wanted = sorted({int(str(value)) for value in raw if str(value).isdigit()})[:100_000]
    if not wanted:
        return []
    return sorted(
        member.id for member in await _members(session, wanted)
        if member.status is not MemberStatus.FORGOTTEN
    )  # fmt: skip


#: Member numbers per ``IN (...)``: PostgreSQL's driver takes at most 32,767 parameters.
CHUNK = 5000


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


async def _pending(session: AsyncSession, ids: Sequence[int]) -> list[int]:
    found: list[int] = []
    for chunk in _chunks(ids):
        found += await session.scalars(
            select(Member.id).where(Member.id.in_(chunk), Member.status == MemberStatus.PENDING)
        )
    return sorted(found)


async def _members(session: AsyncSession, ids: Sequence[int]) -> list[Member]:
    found: list[Member] = []
    for chunk in _chunks(ids):
        found += await session.scalars(
            select(Member).where(Member.id.in_(chunk)).order_by(Member.id)
        )
    return found


async def _concerned(
    desk: Desk, session: AsyncSession, action: str, ids: Sequence[int]
) -> list[int]:
    """Of the selection, the members the action applies to."""
    if action in ("approve", "reject"):
        return await _pending(session, ids)
    if action == "remind":
        now, settings = desk.context.clock.now(), desk.context.settings
        found: list[int] = []
        for chunk in _chunks(ids):
            found += [m.id for m in await invitations.remindable(session, settings, chunk, now)]
        return found
    return list(ids)


def usable(desk: Desk, action: str, target: str) -> bool:
    """A known action; a move names a category; a reminder needs e-mail set up."""
    settings = desk.context.settings
    if action == "move":
        return settings.category(target) is not None
    if action == "remind":
        return settings.email.host is not None
    return action in ACTIONS


@page(Role.COORDINATOR)
async def ask(desk: Desk) -> web.StreamResponse:
    """The confirmation page: what will happen, to how many (nothing changes yet)."""
    form = await desk.request.post()
    action = str(form.get("action", ""))
    target = str(form.get("target", ""))
    if not usable(desk, action, target):
        return desk.render("bulk_done.html", title=desk._("Nothing to do"), lines=[
            desk._("Choose an action (and, to move members, a category)."),
        ], status=400)  # fmt: skip
    async with desk.context.sessions() as session:
        ids = await _selected(desk, session)
        acting = await _concerned(desk, session, action, ids)
    singular, plural = QUESTIONS[action]
    question = desk.context.translator.ngettext(
        desk.language, singular, plural, len(acting), category=desk.category_name(target)
    )  # the pair is marked in QUESTIONS
    skipped = len(ids) - len(acting)
    return desk.render(
        "bulk_confirm.html",
        title=question,
        question=question,
        count=len(acting),
        skipped=skipped,
        action=action,
        target=target,
        scope=str(form.get("scope", "checked")),
        selection=str(form.get("selection", "")),
        ids=",".join(map(str, ids)) if form.get("scope") != "all" else "",
    )


@page(Role.COORDINATOR)
async def confirm(desk: Desk) -> web.StreamResponse:
    form = await desk.request.post()
    action = str(form.get("action", ""))
    target = str(form.get("target", ""))
    if not usable(desk, action, target):
        return desk.render("bulk_done.html", title=desk._("Nothing to do"), lines=[
            desk._("Choose an action (and, to move members, a category)."),
        ], status=400)  # fmt: skip
    if action == "export":
        return await _export(desk)
    context = desk.context
    async with context.sessions.begin() as session:
        ids = await _selected(desk, session)
        by = await session.get(Member, desk.member.id)
        assert by is not None
        if action in ("approve", "reject"):
            lines = await _decide(desk, session, ids, by, approve=action == "approve")
        elif action == "remind":
            lines = await _remind(desk, session, ids, by)
        else:
            lines = await _move(desk, session, ids, by, target)
    await context.after_commit(session)
    return desk.render("bulk_done.html", title=desk._("Done"), lines=lines)


async def _decide(
    desk: Desk, session: AsyncSession, ids: Sequence[int], by: Member, *, approve: bool
) -> list[str]:
    context = desk.context
    done = earlier = 0
    for member_id in await _pending(session, ids):
        decision = await approvals.decide(
            session, context.settings, context.clock, member_id=member_id, approve=approve, by=by
        )
        if not decision.decided or decision.member is None:
            earlier += 1
            continue
        done += 1
        await notices.tell_outcome(
            session, context.settings, context.translator, now=context.clock.now(),
            platforms=context.platforms(), applicant=decision.member, approved=approve,
        )  # fmt: skip
    lines = [
        desk.ngettext("{n} application approved; the applicant is told.",
                      "{n} applications approved; the applicants are told.", done)
        if approve
        else desk.ngettext("{n} application rejected; the applicant is told.",
                           "{n} applications rejected; the applicants are told.", done)
    ]  # fmt: skip
    if earlier:
        lines.append(
            desk.ngettext("{n} was decided by someone else meanwhile.",
                          "{n} were decided by someone else meanwhile.", earlier)
        )  # fmt: skip
    return lines


async def _move(
    desk: Desk, session: AsyncSession, ids: Sequence[int], by: Member, target: str
) -> list[str]:
    context = desk.context
    moved = 0
    for member in await _members(session, ids):
        entry = await membership.move(session, context.clock, member, target, by=by.id)
        if entry is None:
            continue
        moved += 1
        await notices.tell(
            session, context.settings, context.translator, now=context.clock.now(),
            platforms=context.platforms(), member_id=member.id, key=f"audit:{entry.id}",
            message=notices.MOVED, category_key=target,
        )  # fmt: skip
    return [
        desk.ngettext(
            "{n} member moved to {category}; they are told.",
            "{n} members moved to {category}; they are told.",
            moved,
            category=desk.category_name(target),
        )
    ]


async def _remind(desk: Desk, session: AsyncSession, ids: Sequence[int], by: Member) -> list[str]:
    context = desk.context
    now = context.clock.now()
    queued = 0
    for chunk in _chunks(ids):
        members = await invitations.remindable(session, context.settings, chunk, now)
        queued += await invitations.enqueue(
            session, members, now=now, settings=context.settings,
            translator=context.translator, links=invitations.Links.of(context.start_links()),
        )  # fmt: skip
    audit.record(
        session, context.clock, actor_id=by.id, action="invitation.remind", count=queued,
        via="desk",
    )  # fmt: skip
    return [
        desk.ngettext(
            "{n} invitation reminder queued by e-mail.",
            "{n} invitation reminders queued by e-mail.",
            queued,
        )
    ]


async def _export(desk: Desk) -> web.StreamResponse:
    context = desk.context
    async with context.sessions.begin() as session:
        ids = await _selected(desk, session)
        members = await _members(session, ids)
        points: dict[int, int] = {}
        for chunk in _chunks(ids):
            points.update(await directory.points_of(session, chunk))
        audit.record(
            session, context.clock, actor_id=desk.member.id, action="export.members",
            rows=len(members), via="desk",
        )  # fmt: skip
    out = io.StringIO()
    csvsafe.write_rows(
        out,
        COLUMNS,
        (
            {
                "number": member.id,
                "name": member.display_name,
                "category": member.category,
                "status": member.status.value,
                "role": member.role.value,
                "language": member.language,
                "email": member.email,
                "phone": member.phone,
                "joined": member.joined_at.isoformat(),
                "last_action": member.last_action_at.isoformat() if member.last_action_at else "",
                "points": points.get(member.id, 0),
            }
            for member in members
        ),
    )
    return web.Response(
        body=out.getvalue().encode("utf-8-sig"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="members.csv"'},
    )
