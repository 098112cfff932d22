"""Hourly: add the nudge ladder's rungs that are due (see :mod:`bot.animation.nudging`).

A gentle or personal nudge is a private message with one-tap answers, queued for the
member's reachable private chat; the referent step only records the rung, for the next
weekly digest. A rung is a ``nudges`` row, unique per member, spell and ordinal, written
with its delivery in one transaction: running the job twice for the same hour adds
nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

from bot.activity.standings import AllTimeRanks
from bot.animation import nudging
from bot.animation.nudge_buttons import NudgePress
from bot.core.i18n import N_
from bot.core.port import Button, Message
from bot.delivery import queue
from bot.models import Nudge, NudgeStep
from bot.scheduling.runner import occurrence

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import Relais

ID = "nudges"
log = logging.getLogger(__name__)


def buttons(app: Relais, language: str, nudge_id: int) -> list[list[Button]]:
    """The five one-tap answers (:class:`NudgePress`)."""
    _ = app.translator.gettext
    return [
        [Button(_(language, label), NudgePress(answer, nudge_id).pack())]
        for answer, label in nudging.ANSWERS.items()
    ]


async def _message(
    app: Relais, session: AsyncSession, due: nudging.Due, nudge: Nudge, ranks: AllTimeRanks
) -> Message:
    member = due.member
    language = app.translator.resolve(member.language, None)  # shipped, else the network's
    category = nudging.category_label(app.settings, member.category, language)
    values = {
        "name": member.display_name,
        "network": app.settings.network.name,
        "territory": nudging.territory(app.translator, app.settings, language),
        "category": category,
    }
    lines = [
        nudging.text(
            app.translator, app.settings.nudges, nudge.variant or "", due.step, language, **values
        )
    ]
    if due.step is NudgeStep.PERSONAL:
        call = await nudging.current_call(
            session,
            member.category,
            nudge.sent_at,
            language=language,
            default=app.settings.network.default_language,
        )
        if call:
            lines.append(
                app.translator.gettext(
                    language, N_("What your category does now: {call}"), call=call
                )
            )
        rank = await ranks.rank(session, member.id, member.category)
        lines.append(
            app.translator.gettext(
                language,
                N_("You are #{rank} among the {category} ambassadors, all time."),
                rank=rank,
                category=category,
            )
            if rank is not None
            else app.translator.gettext(
                language,
                N_(
                    "You are not ranked yet among the {category} ambassadors: "
                    "one action puts you on the board."
                ),
                category=category,
            )
        )
    message = Message.with_rows("\n".join(lines), buttons(app, language, nudge.id))
    return replace(message, language=language)


async def _add(
    app: Relais, session: AsyncSession, rung: nudging.Due, at: datetime, ranks: AllTimeRanks
) -> int:
    """Write one rung and queue its message; returns the deliveries queued."""
    nudge = Nudge(
        member_id=rung.member.id,
        spell_start=rung.start,
        ordinal=rung.ordinal,
        step=rung.step,
        variant=(
            nudging.variant_for(app.settings.nudges, rung.member.id)
            if rung.step in nudging.MESSAGE_STEPS
            else None
        ),
        sent_at=at,
    )
    session.add(nudge)
    await session.flush()
    if rung.address is None or rung.step not in nudging.MESSAGE_STEPS:
        return 0
    planned = queue.Planned(
        key=f"nudge:{nudge.id}",
        address=rung.address,
        message=await _message(app, session, rung, nudge, ranks),
        private=True,
        member_id=rung.member.id,
    )
    return await queue.enqueue(session, app.clock.now(), f"nudges:{at:%Y%m%dT%H%M}", [planned])


async def run(app: Relais) -> None:
    """Page by page (one transaction each, so memory and lock time stay bounded); each
    member's rung in a savepoint, so an error for one member is logged and the others
    are still nudged. A rung left out by an error is due again at the next run."""
    if not app.settings.nudges.enabled:
        return
    at = occurrence(app)
    queued = failed = 0
    ranks = AllTimeRanks()  # the ledger summed once per run, for personal nudges
    cursor: int | None = 0
    while cursor is not None:
        async with app.sessions.begin() as session:
            rungs, cursor = await nudging.due_page(
                session, app.settings, at, app.served, after=cursor
            )
            for rung in rungs:
                try:
                    async with session.begin_nested():
                        queued += await _add(app, session, rung, at, ranks)
                except DBAPIError as error:
                    if error.connection_invalidated:
                        raise  # the database is gone, not this member's row
                    failed += 1
                    log.exception("nudge for member %s failed; the others go on", rung.member.id)
                except Exception:
                    failed += 1
                    log.exception("nudge for member %s failed; the others go on", rung.member.id)
    if failed:
        log.warning("nudges at %s: %d member(s) failed, retried at the next run", at, failed)
    if queued:
        app.sender.wake()
