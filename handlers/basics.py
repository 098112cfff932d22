"""/help (only what the caller's role and status let them do) and /cancel."""

from __future__ import annotations

from bot.conversation import flows
from bot.conversation.commands import CommandPress, visible_to
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.port import Button
from bot.models import MemberStatus

router = Router("basics")

#: Commands offered as one-tap buttons under /help, when the caller may use them.
QUICK = ("report", "me", "leaderboard")


def _active(ctx: Context) -> bool:
    return ctx.member is not None and ctx.member.status is MemberStatus.ACTIVE


def help_buttons(ctx: Context) -> list[list[Button]]:
    allowed = {command.name for command in visible_to(ctx.role, active=_active(ctx))}
    labels = {
        "report": ctx._("Report"),
        "me": ctx._("My points"),
        "leaderboard": ctx._("Leaderboard"),
    }
    return [[Button(labels[name], CommandPress(name).pack()) for name in QUICK if name in allowed]]


@router.command("help")
async def help_(ctx: Context) -> None:
    """List the commands this person may use, with buttons for the common ones."""
    lines = [ctx._("What you can do:")]
    for command in visible_to(ctx.role, active=_active(ctx)):
        if command.name == "start" and ctx.member is not None:
            continue  # joining is done; listing it would only confuse
        lines.append(f"/{command.name} — {ctx._(command.description)}")
    if ctx.member is None:
        lines.append(ctx._("Send /start to join the network."))
    elif ctx.member.status is MemberStatus.PENDING:
        # An applicant can do little until approved: say why the list is short.
        lines.append(ctx._("Your application is waiting for a coordinator's approval."))
    ctx.reply("\n".join(lines), help_buttons(ctx) if ctx.member else None)


@router.command("cancel")
async def cancel(ctx: Context) -> None:
    """Drop the flow in progress; nothing of it is saved."""
    await flows.cancel(ctx, await flows.current(ctx))
