"""The coordinators' signal desk: every new signal reaches them with triage buttons;
/signals lists and opens signals; the reporter hears, in their language, how it moves.

Buttons: ``sig:<move>:<report id>`` (see :class:`bot.activity.signals.Move`) and
``sig:n:<report id>`` for a note, ``pg:sg:<page>:<filters>`` to page through
/signals, for active coordinators: the app's gate checks each press against what the
registration declares, as it checks /signals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bot.activity import signal_desk, signal_values, signals
from bot.activity.signals import CLOSED, OPEN, Move, MoveRefused, SignalView, Stage
from bot.conversation import arguments, flows, paging
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.flows import Flow, Step
from bot.conversation.routing import Router
from bot.core import ids, web_links
from bot.core.config import SIGNAL_KINDS
from bot.core.i18n import N_
from bot.core.payloads import Payload
from bot.core.port import Button, Message, Outgoing
from bot.delivery import channels
from bot.delivery.recipients import coordinator_recipients
from bot.models import Conversation, Report, Role
from handlers import _notify
from handlers._desk import with_desk
from handlers._labels import SIGNAL_KIND, STAGE, category_name, short

router = Router("signals")


@dataclass(frozen=True)
class TriagePress(Payload, prefix="sig"):
    move: Move
    report_id: int


@dataclass(frozen=True)
class NotePress(Payload, prefix="sig:n"):
    report_id: int


MOVE_LABELS = {
    Move.QUALIFY: N_("Qualify"),
    Move.ASSIGN: N_("Assign to me"),
    Move.WON: N_("Won"),
    Move.LOST: N_("Lost"),
    Move.NOT_RELEVANT: N_("Not relevant"),
}
#: What the reporter is told (one definition, shared with the web desk).
TO_REPORTER = signal_desk.TO_REPORTER


def card(ctx: Context, signal: SignalView) -> Message:
    """A signal as a coordinator reads it, with the moves open to this coordinator."""
    report = signal.report
    stage = Stage(report.stage or Stage.NEW)
    lines = [
        ctx._(
            "Opportunity signal #{id} — {kind}",
            id=report.id,
            kind=ctx._(SIGNAL_KIND.get(report.subkind or "other", SIGNAL_KIND["other"])),
        ),
        ctx._(
            "From {name} ({category})",
            name=signal.reporter or ctx._("a forgotten member"),
            category=category_name(ctx, signal.category),
        ),
    ]
    if report.text:
        lines.append(f"“{report.text}”")
    if report.contact:
        lines.append(ctx._("Contact: {contact}", contact=report.contact))
    status = ctx._("Stage: {stage}", stage=ctx._(STAGE[stage]))
    if signal.assignee:
        status += " — " + ctx._("followed by {name}", name=signal.assignee)
    lines.append(status)
    actor_id = ctx.member.id if ctx.member else 0
    moves = signals.moves_from(stage, assignee_id=report.assignee_id, actor_id=actor_id)
    buttons = [Button(ctx._(MOVE_LABELS[m]), TriagePress(m, report.id).pack()) for m in moves]
    rows = [buttons[:2], buttons[2:]]
    if stage not in CLOSED:
        rows.append([Button(ctx._("Add a note"), NotePress(report.id).pack())])
    return Message.with_rows("\n".join(lines), rows)


async def announce(ctx: Context, report: Report) -> None:
    """Send a new signal to every coordinator (each in their language) and to the
    coordinators' channel, with the triage buttons. Never to a category channel."""
    signal = await signals.view(ctx.session, report.id)
    assert signal is not None
    key = f"signal:{report.id}:new"

    def render(words: Context) -> Message:
        return card(words, signal)

    coordinators = await coordinator_recipients(ctx.session, ctx.platforms)
    reporter = (report.member_id,)
    await _notify.to_recipients(ctx, key, key, coordinators, render, reporter)
    await _notify.to_channel(ctx, key, key, channels.COORDINATORS, render, reporter)


async def _tell_reporter(ctx: Context, report: Report, moved: signals.Moved) -> None:
    """The reporter hears the move in their language (same words and key as the desk's)."""
    if await signal_desk.tell_reporter(
        ctx.session, ctx.translator, now=ctx.clock.now(), platforms=ctx.platforms,
        report=report, moved=moved,
    ):  # fmt: skip
        ctx.queued = True


@router.button(NotePress, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def note(ctx: Context, press: NotePress) -> None:
    """A coordinator's "Add a note" under a signal: ask for the note."""
    report = await signals.load(ctx.session, press.report_id)
    if report is None:
        ctx.reply(ctx._("This button is no longer active."))
        return
    await flows.begin(ctx, NOTE, "text", {"report_id": report.id})


@router.button(TriagePress, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def triage(ctx: Context, press: TriagePress) -> None:
    """A coordinator's triage button: move the signal along."""
    report = await signals.load(ctx.session, press.report_id, lock=True)
    if report is None:
        ctx.reply(ctx._("This button is no longer active."))
        return
    assert ctx.member is not None
    try:
        moved = await signals.move(
            ctx.session, ctx.settings, ctx.clock, report, ctx.member, press.move
        )
    except MoveRefused as refused:
        stage = ctx._(STAGE[Stage(report.stage or Stage.NEW)])
        if refused.reason == "closed":
            ctx.reply(ctx._("Signal #{id} is already closed: {stage}.", id=report.id, stage=stage))
        else:
            ctx.reply(ctx._("Signal #{id} is already {stage}.", id=report.id, stage=stage))
        return
    signal = await signals.view(ctx.session, report.id)
    assert signal is not None
    if ctx.event.message_id is not None:
        ctx.outbox.add(
            Outgoing(ctx.event.chat, card(ctx, signal), edit_message_id=ctx.event.message_id)
        )
    else:
        ctx.send(ctx.private_chat, card(ctx, signal))
    await _tell_reporter(ctx, report, moved)


def _ask_note(ctx: Context, conversation: Conversation) -> str:
    return ctx._("Write your note on signal #{id}.", id=conversation.data["report_id"])


async def _sent_note(ctx: Context, conversation: Conversation, text: str) -> None:
    report = await signals.load(ctx.session, int(conversation.data["report_id"]))
    await flows.end(ctx, conversation)
    if report is None:
        ctx.reply(ctx._("There is no signal #{id}.", id=conversation.data["report_id"]))
        return
    assert ctx.member is not None
    signals.add_note(ctx.session, ctx.clock, report, ctx.member, " ".join(text.split())[:1000])
    ctx.reply(ctx._("Note added to signal #{id}.", id=report.id))


NOTE = router.flow(
    Flow(
        "signal_note",
        steps={"text": Step(_ask_note, on_text=_sent_note)},
        min_role=Role.COORDINATOR,
    )
)


@dataclass(frozen=True)
class SignalsPage(paging.PagePress, prefix="pg:sg"):
    """A page of /signals; ``filters`` holds the canonical stage, category and kind."""


@dataclass(frozen=True, slots=True)
class _Asked:
    report_id: int | None = None
    stages: tuple[Stage, ...] = OPEN
    category: str | None = None
    kind: str | None = None
    #: The filters in canonical words, for the page buttons.
    words: tuple[str, ...] = ()


STAGE_WORDS = ("all", "open", *(stage.value for stage in Stage))
#: Filter words as page buttons carry them: a stage or a kind by a short upper-case code
#: (category keys are lower case), so that the longest filters fit in 64 bytes.
_CODES = {
    **{word: f"S{index}" for index, word in enumerate(STAGE_WORDS)},
    **{kind: f"K{index}" for index, kind in enumerate(SIGNAL_KINDS)},
}
_WORDS = {code: word for word, code in _CODES.items()}


def _parse(ctx: Context, args: tuple[str, ...]) -> _Asked | None:
    """``/signals [id] | [stage|open|all] [category] [kind]``; None when an argument is
    not understood."""
    asked = _Asked()
    stage_words = STAGE_WORDS
    for arg in args:
        named = ctx.settings.category_named(arg)
        if (number := ids.row_id(arg)) is not None:
            asked = replace(asked, report_id=number)
        elif (stage := arguments.choice(ctx.translator, arg, stage_words)) is not None:
            stages = (
                tuple(Stage) if stage == "all" else OPEN if stage == "open" else (Stage(stage),)
            )
            asked = replace(asked, stages=stages, words=(*asked.words, stage))
        elif named is not None:
            asked = replace(asked, category=named.key, words=(*asked.words, named.key))
        elif (found := arguments.choice(ctx.translator, arg, SIGNAL_KINDS)) is not None:
            asked = replace(asked, kind=found, words=(*asked.words, found))
        else:
            return None
    return asked


@router.command("signals")
async def list_signals(ctx: Context) -> None:
    """List signals (open ones by default) or open one with its history and buttons.
    Signals are confidential: the answer always goes to the coordinator's private chat."""
    if not ctx.move_to_private():
        return
    asked = _parse(ctx, ctx.event.args)
    if asked is None:
        ctx.reply_private(
            ctx._(
                "Usage: /signals [stage] [category] [kind], or /signals NUMBER. "
                "Stages: {stages}, open, all. Categories: {categories}. Kinds: {kinds}.",
                stages=", ".join(arguments.word(ctx.translator, ctx.language, s) for s in Stage),
                categories=", ".join(c.key for c in ctx.settings.categories),
                kinds=", ".join(
                    arguments.word(ctx.translator, ctx.language, k) for k in SIGNAL_KINDS
                ),
            )
        )
        return
    if asked.report_id is not None:
        await _show_one(ctx, asked.report_id)
        return
    await _show_page(ctx, asked, 0)


@router.button(SignalsPage, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def signals_page(ctx: Context, press: SignalsPage) -> None:
    """Previous / Next under /signals."""
    asked = _parse(ctx, tuple(_WORDS.get(word, word) for word in press.words()))
    if asked is None or asked.report_id is not None:
        ctx.reply(ctx._("This button is no longer active."))
        return
    await _show_page(ctx, asked, press.page)


async def _show_page(ctx: Context, asked: _Asked, page: int) -> None:
    async def fetch(offset: int) -> tuple[list[SignalView], int]:
        return await signals.listing(
            ctx.session,
            stages=asked.stages,
            category=asked.category,
            kind=asked.kind,
            offset=offset,
        )

    window, views = await paging.read_page(page, signals.LISTING_LIMIT, fetch)
    if not views:
        ctx.reply_private(ctx._("No signal matches."))
        return
    zone = ZoneInfo(ctx.settings.network.timezone)
    lines = [ctx.ngettext("{n} signal", "{n} signals", window.total)]
    for view in views:
        report = view.report
        line = (
            f"#{report.id} {report.created_at.astimezone(zone):%d/%m} "
            f"[{ctx._(STAGE[Stage(report.stage or Stage.NEW)])}] "
            f"{ctx._(SIGNAL_KIND.get(report.subkind or 'other', SIGNAL_KIND['other']))} — "
            f"{category_name(ctx, view.category)} — {view.reporter or '—'}: {short(report.text)}"
        )
        if view.assignee:
            line += f" → {view.assignee}"
        lines.append(line)
    footer = paging.footer(ctx, window)
    lines += [footer] if footer else []
    lines.append(ctx._("Send /signals NUMBER to open one."))
    lines = with_desk(ctx, lines, web_links.SIGNALS)

    def press(number: int) -> SignalsPage:
        return SignalsPage(number, paging.pack_filters([_CODES.get(w, w) for w in asked.words]))

    buttons = paging.buttons(ctx, window, press)
    if ctx.event.payload is not None:
        paging.show(ctx, "\n".join(lines), [buttons])
    else:
        ctx.reply_private("\n".join(lines), [buttons] if buttons else None)


async def _show_one(ctx: Context, report_id: int) -> None:
    view = await signals.view(ctx.session, report_id)
    if view is None:
        ctx.reply_private(ctx._("There is no signal #{id}.", id=report_id))
        return
    message = card(ctx, view)
    zone = ZoneInfo(ctx.settings.network.timezone)
    figures = (await signal_values.of(ctx.session, [report_id])).get(report_id, {})
    lines = [message.text, *signal_values.lines(ctx.settings, figures, ctx.language)]
    lines.append(ctx._("History:"))
    lines.append(
        f"• {view.report.created_at.astimezone(zone):%d/%m %H:%M} {view.reporter or '—'}: "
        + ctx._("reported")
    )
    for event in await signals.history(ctx.session, report_id):
        if event.action == signals.NOTE:
            action = ctx._("note")
        elif event.action == signal_desk.FOLLOW_UP:
            action = ctx._("follow-up date")
        else:
            action = ctx._(STAGE[Stage(event.action)])
        line = f"• {event.at.astimezone(zone):%d/%m %H:%M} {event.actor or '—'}: {action}"
        if event.note:
            line += f" — {event.note}"
        lines.append(line)
    ctx.reply_private("\n".join(lines), [list(row) for row in message.buttons])
