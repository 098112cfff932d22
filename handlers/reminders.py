"""/reminders: a member sees and changes what they asked of nudges.

The buttons under a nudge pause reminders for a while or stop them; without this command
"Stop these messages" could never be undone, and a member who paused could not see until
when. Buttons: ``remind:on``, ``remind:pause``, ``remind:stop``; they act on the presser's
own preference only, so an old or forwarded prompt changes nothing for anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bot.animation import nudging
from bot.animation.plans import format_date
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.payloads import Payload
from bot.core.port import Button
from bot.models import NudgePreference

router = Router("reminders")


@dataclass(frozen=True)
class ReminderPress(Payload, prefix="remind"):
    choice: Literal["on", "pause", "stop"]


def _state(ctx: Context, preference: NudgePreference | None) -> str:
    now = ctx.clock.now()
    if preference is not None and preference.stopped_at is not None:
        return ctx._(
            "Reminders are off (since {date}).",
            date=format_date(ctx.settings, preference.stopped_at),
        )
    if preference is not None and preference.paused_until and preference.paused_until > now:
        return ctx._(
            "Reminders are paused until {date}.",
            date=format_date(ctx.settings, preference.paused_until),
        )
    return ctx._("Reminders are on: when you have been quiet for a while, I send a short note.")


def _buttons(ctx: Context, preference: NudgePreference | None) -> list[list[Button]]:
    now = ctx.clock.now()
    stopped = preference is not None and preference.stopped_at is not None
    paused = (
        preference is not None
        and preference.paused_until is not None
        and preference.paused_until > now
    )
    row: list[Button] = []
    if stopped or paused:
        row.append(Button(ctx._("Turn reminders on"), ReminderPress("on").pack()))
    if not stopped and not paused:
        row.append(Button(ctx._("Pause for a month"), ReminderPress("pause").pack()))
    if not stopped:
        row.append(Button(ctx._("Stop these messages"), ReminderPress("stop").pack()))
    return [row]


@router.command("reminders")
async def show(ctx: Context) -> None:
    """Where the member's reminders stand, with the buttons that change it."""
    assert ctx.member is not None
    preference = await ctx.session.get(NudgePreference, ctx.member.id)
    ctx.reply(_state(ctx, preference), _buttons(ctx, preference))


@router.button(ReminderPress, access=Access.MEMBER)
async def change(ctx: Context, press: ReminderPress) -> None:
    """Apply the choice to the presser's own preference and say what it is now."""
    assert ctx.member is not None
    now = ctx.clock.now()
    preference = await nudging.preference(ctx.session, ctx.member.id, now)
    preference.updated_at = now
    if press.choice == "on":
        preference.stopped_at = None
        preference.paused_until = None
    elif press.choice == "pause":
        preference.stopped_at = None
        preference.paused_until = now + timedelta(days=ctx.settings.nudges.pause_days)
    elif preference.stopped_at is None:
        preference.stopped_at = now
    ctx.edit_pressed(_state(ctx, preference))
    ctx.reply(ctx._("Saved."))
