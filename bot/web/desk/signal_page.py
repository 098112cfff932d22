"""``/desk/signals/{id}``: one opportunity signal — its text, contact, reporter, stage,
assignee, follow-up date and history — and what a coordinator does with it.

Each form posts to its own route and comes back here (303):

* **move** (``/move``): the chat's triage moves (:func:`bot.activity.signals.move`, the
  moves :func:`~bot.activity.signals.moves_from` offers), with an optional note recorded
  in the same transaction; the reporter is told in their language with the chat's words
  and delivery key (:func:`bot.activity.signal_desk.tell_reporter`), so a move already
  made in the chat, or a double click, tells nobody twice and answers "already";
* **assign** (``/assign``) to any active coordinator;
* **values** (``/values``): the figures of ``[signals] value_fields``
  (:mod:`bot.web.desk.signal_figures`);
* **note** (``/note``), **follow-up date** (``/follow-up``; empty clears it): on that day
  the assignee is reminded (:mod:`jobs.signal_follow_ups`).

Coordinators only, as in the chat.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.activity import signal_desk, signal_values, signals
from bot.activity.signals import CLOSED, Move, MoveRefused, Stage
from bot.core.config import SignalValueField
from bot.core.i18n import N_
from bot.models import Member, MemberStatus, Role
from bot.web.desk import labels
from bot.web.desk.access import Desk, not_found, page
from bot.web.desk.signal_board import kind_label

NOTE_LENGTH = 1000

MOVE_LABELS = {
    Move.QUALIFY: N_("Qualify"),
    Move.ASSIGN: N_("Assign to me"),
    Move.WON: N_("Won"),
    Move.LOST: N_("Lost"),
    Move.NOT_RELEVANT: N_("Not relevant"),
}
REFUSED = {
    "closed": N_("This signal is already closed: nothing changed."),
    "already": N_("This signal had already made that move: nothing changed."),
    "date": N_("The follow-up date was not understood: use the date picker (YYYY-MM-DD)."),
    "value": N_("A figure was not understood: write a number from 0, e.g. 1200 or 1200.5."),
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/signals/{id:[0-9]+}", signal_page)
    router.add_post("/desk/signals/{id:[0-9]+}/move", move)
    router.add_post("/desk/signals/{id:[0-9]+}/assign", assign)
    router.add_post("/desk/signals/{id:[0-9]+}/note", note)
    router.add_post("/desk/signals/{id:[0-9]+}/follow-up", follow_up)


def _id(desk: Desk) -> int:
    return int(desk.request.match_info["id"])


def _back(report_id: int, refused: str | None = None) -> web.Response:
    suffix = f"?refused={refused}" if refused else ""
    return web.Response(status=303, headers={"Location": f"/desk/signals/{report_id}{suffix}"})


@page(Role.COORDINATOR)
async def signal_page(desk: Desk) -> web.StreamResponse:
    report_id = _id(desk)
    async with desk.context.sessions() as session:
        view = await signals.view(session, report_id)
        if view is None:
            return not_found(desk)
        history = await signals.history(session, report_id)
        days = await signal_desk.follow_ups(session, [report_id])
        coordinators = await signal_desk.coordinators(session)
        values = (await signal_values.of(session, [report_id])).get(report_id, {})
    report = view.report
    stage = Stage(report.stage or Stage.NEW)
    moves = signals.moves_from(stage, assignee_id=report.assignee_id, actor_id=desk.member.id)
    zone = ZoneInfo(desk.context.settings.network.timezone)
    refused = REFUSED.get(desk.request.query.get("refused", ""))
    return desk.render(
        "signal.html",
        title=desk._(N_("Opportunity signal #{id}"), id=report.id),
        view=view,
        report=report,
        stage=stage,
        stage_label=labels.STAGE[stage],
        closed=stage in CLOSED,
        kind=kind_label(report.subkind),
        moves=[(m.value, MOVE_LABELS[m]) for m in moves if m is not Move.ASSIGN],
        may_take=Move.ASSIGN in moves,
        coordinators=[c for c in coordinators if c.id != report.assignee_id],
        follow_up=days.get(report_id),
        history=[(line.at.astimezone(zone), line) for line in history],
        reported_at=report.created_at.astimezone(zone),
        action_label=lambda action: _action_label(desk, action),
        refused=refused,
        value_fields=_figures(desk, values),
    )


def _figures(desk: Desk, values: dict[str, float]) -> list[tuple[SignalValueField, str, str]]:
    """(field, label, the figure as typed back) for each configured value field."""
    return [
        (
            field,
            field.label.get(desk.language),
            signal_values.number(values[field.key], "en").replace(",", "")
            if field.key in values
            else "",
        )
        for field in desk.context.settings.signals.value_fields
    ]


def _action_label(desk: Desk, action: str) -> str:
    if action == signals.NOTE:
        return desk._(N_("note"))
    if action == signal_desk.FOLLOW_UP:
        return desk._(N_("follow-up date"))
    try:
        return desk._(labels.STAGE[Stage(action)])
    except ValueError:
        return action


async def _form(desk: Desk) -> dict[str, str]:
    form = await desk.request.post()
    return {key: str(value) for key, value in form.items()}


@page(Role.COORDINATOR)
async def move(desk: Desk) -> web.StreamResponse:
    form = await _form(desk)
    try:
        requested = Move(form.get("move", ""))
    except ValueError:
        return _back(_id(desk))
    text = " ".join(form.get("note", "").split())[:NOTE_LENGTH]
    context = desk.context
    async with context.sessions.begin() as session:
        report = await signals.load(session, _id(desk), lock=True)
        if report is None:
            return not_found(desk)
        actor = await session.get(Member, desk.member.id)
        assert actor is not None
        try:
            moved = await signals.move(
                session, context.settings, context.clock, report, actor, requested
            )
        except MoveRefused as refused:
            return _back(report.id, refused.reason)
        if text:
            signals.add_note(session, context.clock, report, actor, text)
        await signal_desk.tell_reporter(
            session, context.translator, now=context.clock.now(),
            platforms=context.platforms(), report=report, moved=moved,
        )  # fmt: skip
        report_id = report.id
    await context.after_commit(session)
    return _back(report_id)


@page(Role.COORDINATOR)
async def assign(desk: Desk) -> web.StreamResponse:
    form = await _form(desk)
    wanted = int(form["assignee"]) if form.get("assignee", "").isdigit() else 0
    context = desk.context
    async with context.sessions.begin() as session:
        report = await signals.load(session, _id(desk), lock=True)
        if report is None:
            return not_found(desk)
        assignee = await session.get(Member, wanted)
        if (
            assignee is None
            or assignee.role is not Role.COORDINATOR
            or assignee.status is not MemberStatus.ACTIVE
        ):
            return _back(report.id)
        actor = await session.get(Member, desk.member.id)
        assert actor is not None
        try:
            moved = await signal_desk.assign(session, context.clock, report, actor, assignee)
        except MoveRefused as refused:
            return _back(report.id, refused.reason)
        await signal_desk.tell_reporter(
            session, context.translator, now=context.clock.now(),
            platforms=context.platforms(), report=report, moved=moved,
        )  # fmt: skip
        report_id = report.id
    await context.after_commit(session)
    return _back(report_id)


@page(Role.COORDINATOR)
async def note(desk: Desk) -> web.StreamResponse:
    form = await _form(desk)
    text = " ".join(form.get("text", "").split())[:NOTE_LENGTH]
    context = desk.context
    async with context.sessions.begin() as session:
        report = await signals.load(session, _id(desk))
        if report is None:
            return not_found(desk)
        actor = await session.get(Member, desk.member.id)
        assert actor is not None
        if text:
            signals.add_note(session, context.clock, report, actor, text)
        report_id = report.id
    return _back(report_id)


@page(Role.COORDINATOR)
async def follow_up(desk: Desk) -> web.StreamResponse:
    form = await _form(desk)
    raw = form.get("date", "").strip()
    day: date | None = None
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return _back(_id(desk), "date")
    context = desk.context
    async with context.sessions.begin() as session:
        report = await signals.load(session, _id(desk))
        if report is None:
            return not_found(desk)
        actor = await session.get(Member, desk.member.id)
        assert actor is not None
        signal_desk.set_follow_up(session, context.clock, report, actor, day)
        report_id = report.id
    return _back(report_id)
