"""/leaderboard [category] [week|month|all]: the top ten, ties sharing a rank.

The default period is the current week, so newcomers can reach the top; the caller's
own line is added when they are outside the top ten.
"""

from __future__ import annotations

from bot.activity.standings import Standing, board
from bot.conversation import arguments
from bot.conversation.commands import PERIODS
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.periods import period_start
from bot.delivery import channels
from bot.models import Visibility
from handlers._labels import category_name

router = Router("leaderboard")

PERIOD_TITLES = {"week": N_("this week"), "month": N_("this month"), "all": N_("all time")}


def _parse(ctx: Context) -> tuple[str | None, str] | None:
    category = channels.scope_category(ctx.channel_scope)
    period = "week"
    for arg in ctx.event.args:
        named = ctx.settings.category_named(arg)
        if (found := arguments.choice(ctx.translator, arg, PERIODS)) is not None:
            period = found
        elif named is not None:
            category = named.key
        else:
            return None
    return category, period


def _line(ctx: Context, standing: Standing) -> str:
    name = (
        ctx._("Anonymous ambassador")
        if standing.visibility is Visibility.ANONYMOUS
        else standing.display_name
    )
    return f"{standing.rank}. {name} — {standing.points}"


@router.command("leaderboard")
async def leaderboard(ctx: Context) -> None:
    """Show a board; bad arguments get the list of valid ones."""
    parsed = _parse(ctx)
    if parsed is None:
        keys = ", ".join(category.key for category in ctx.settings.categories)
        ctx.refuse(
            ctx._(
                "Usage: /leaderboard [category] [week|month|all]. Categories: {keys}",
                keys=keys,
            )
        )
        return
    category, period = parsed
    assert ctx.member is not None
    since = period_start(period, ctx.clock.now(), ctx.settings.network.timezone)
    top, own = await board(ctx.session, since, category, around=ctx.member.id)
    scope = category_name(ctx, category) if category else ctx._("All categories")
    lines = [
        ctx._("Leaderboard — {scope} — {period}", scope=scope, period=ctx._(PERIOD_TITLES[period]))
    ]
    if not top:
        lines.append(ctx._("No points yet in this period. Be the first: /report"))
    lines.extend(_line(ctx, standing) for standing in top)
    if own is not None:
        lines.append(ctx._("You: #{rank} — {points}", rank=own.rank, points=own.points))
    elif ctx.member.visibility is Visibility.HIDDEN:
        lines.append(ctx._("You are hidden from leaderboards (/privacy)."))
    ctx.reply("\n".join(lines))
