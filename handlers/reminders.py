"""/reminders: a member sees and changes what they asked of nudges, and how campaigns
reach them.

The buttons under a nudge pause reminders for a while or stop them; without this command
"Stop these messages" could never be undone, and a member who paused could not see until
when. Buttons: ``remind:on``, ``remind:pause``, ``remind:stop``. Below, "how to reach me"
for campaigns (:mod:`bot.mailing.newsletter`): by chat, by e-mail or both (e-mail only
offered to members with an address), or no campaign private messages and e-mails at all
— channel posts stay — and back on: ``creach:chat``, ``creach:email``, ``creach:both``,
``creach:off``, ``creach:on``. Every button acts on the presser's own preference only, so
an old or forwarded prompt changes nothing for anyone else.
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
from bot.models import CampaignReach, NudgePreference

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


@dataclass(frozen=True)
class CampaignReachPress(Payload, prefix="creach"):
    choice: Literal["chat", "email", "both", "off", "on"]


def _reach_state(ctx: Context, preference: NudgePreference | None) -> str:
    if preference is not None and preference.campaigns_off_at is not None:
        return ctx._(
            "Campaigns: channel posts only, no private message or e-mail (since {date}).",
            date=format_date(ctx.settings, preference.campaigns_off_at),
        )
    chosen = (preference.campaign_reach if preference else None) or CampaignReach.CHAT
    how = {
        CampaignReach.CHAT: ctx._("by private message"),
        CampaignReach.EMAIL: ctx._("by e-mail"),
        CampaignReach.BOTH: ctx._("by private message and by e-mail"),
    }[chosen]
    return ctx._("Campaigns reach you {how}.", how=how)


def _reach_buttons(
    ctx: Context, preference: NudgePreference | None, *, has_email: bool
) -> list[list[Button]]:
    if preference is not None and preference.campaigns_off_at is not None:
        return [[Button(ctx._("Campaign messages on"), CampaignReachPress("on").pack())]]
    chosen = (preference.campaign_reach if preference else None) or CampaignReach.CHAT
    row: list[Button] = []
    if has_email:
        labels = {
            CampaignReach.CHAT: ctx._("By chat"),
            CampaignReach.EMAIL: ctx._("By e-mail"),
            CampaignReach.BOTH: ctx._("Both"),
        }
        row = [
            Button(label, CampaignReachPress(reach.value).pack())
            for reach, label in labels.items()
            if reach is not chosen
        ]
    off = Button(ctx._("Channel posts only"), CampaignReachPress("off").pack())
    return [row, [off]]


def _both(ctx: Context, preference: NudgePreference | None) -> str:
    return _state(ctx, preference) + "\n" + _reach_state(ctx, preference)


@router.command("reminders")
async def show(ctx: Context) -> None:
    """Where the member's reminders stand, with the buttons that change it."""
    assert ctx.member is not None
    preference = await ctx.session.get(NudgePreference, ctx.member.id)
    has_email = ctx.member.email is not None
    ctx.reply(
        _both(ctx, preference),
        [*_buttons(ctx, preference), *_reach_buttons(ctx, preference, has_email=has_email)],
    )


@router.button(CampaignReachPress, access=Access.MEMBER)
async def change_reach(ctx: Context, press: CampaignReachPress) -> None:
    """Apply the presser's choice of how campaigns reach them (their own only)."""
    assert ctx.member is not None
    now = ctx.clock.now()
    preference = await nudging.preference(ctx.session, ctx.member.id, now)
    preference.updated_at = now
    if press.choice == "off":
        if preference.campaigns_off_at is None:
            preference.campaigns_off_at = now
    elif press.choice == "on":
        preference.campaigns_off_at = None
    elif ctx.member.email is None and press.choice != "chat":
        ctx.reply(ctx._("There is no e-mail address in your membership."))
        return
    else:
        preference.campaigns_off_at = None
        preference.campaign_reach = CampaignReach(press.choice)
    ctx.edit_pressed(_both(ctx, preference))
    ctx.reply(ctx._("Saved."))


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
    ctx.edit_pressed(_both(ctx, preference))
    ctx.reply(ctx._("Saved."))
