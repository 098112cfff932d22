"""Points by hand: ``/award #12 20 stand held at the fair`` (``/attribuer``); collective
goals: ``/goal all 200 mentions month`` (``/objectif``), alone to list the running ones.

The gate lets referents and coordinators in; the domain
(:mod:`bot.recognition.awards`) refuses a referent outside their categories or above
their cap. Each award is audited and told to the member in their language.
"""

from __future__ import annotations

from bot.conversation import arguments
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.config import LANGUAGES
from bot.core.i18n import N_, NP_
from bot.core.text import fold
from bot.models import CollectiveGoal
from bot.recognition import awards, goals
from bot.recognition.awards import Refusal
from handlers._labels import category_name
from handlers._people import category_word, named_member, tell

router = Router("recognition")

AWARDED = N_("Points received: {points}. Reason: {reason}")


@router.command("award")
async def award(ctx: Context) -> None:
    """Credit a member with points for an offline act, with a reason."""
    assert ctx.member is not None
    args = ctx.event.args
    points = int(args[1]) if len(args) >= 2 and args[1].isascii() and args[1].isdigit() else None
    reason = " ".join(args[2:])
    if points is None or not reason.strip():
        ctx.reply(ctx._("Usage: /award #12 <points> <reason>, e.g. /award #12 20 stand held."))
        return
    target = await named_member(ctx, args[0])
    if target is None:
        return
    outcome = await awards.award(
        ctx.session, ctx.settings, actor=ctx.member, target=target, points=points,
        reason=reason, now=ctx.clock.now(),
    )  # fmt: skip
    if outcome.award is None:
        ctx.reply(_refusal(ctx, outcome.refusal, outcome.cap, target.category))
        return
    entry = audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="points.award",
        target_member_id=target.id, points=points,
    )  # fmt: skip
    await tell(ctx, target.id, entry, AWARDED, points=points, reason=outcome.award.reason)
    ctx.reply(
        ctx.ngettext(
            "{n} point awarded to {name}.", "{n} points awarded to {name}.", points,
            name=target.display_name,
        )
    )  # fmt: skip


def _refusal(ctx: Context, refusal: Refusal | None, cap: int, category: str) -> str:
    if refusal is Refusal.NOT_ACTIVE:
        return ctx._("This member is not active: points go to active members only.")
    if refusal is Refusal.OUTSIDE:
        return ctx._(
            "You can award points only to members of your categories (this member: {category}).",
            category=category_name(ctx, category),
        )
    if refusal is Refusal.OVER_CAP:
        return ctx.ngettext(
            "You can award 1 to {n} point at once.", "You can award 1 to {n} points at once.", cap
        )
    return ctx._("Say why you award these points, e.g. /award #12 20 stand held.")


QUARTER = NP_("command argument", "quarter")
GOAL_USAGE = N_(
    "Usage: /goal <all|category> <target> <measure> <month|quarter>, e.g. /goal all 200 "
    "mentions month. Measures: {measures}."
)


def _measure(ctx: Context, word: str) -> str | None:
    folded = fold(word)
    for key in goals.MEASURES:
        names = [
            ctx.translator.pgettext(language, goals.MEASURE_CONTEXT, key) for language in LANGUAGES
        ]
        if folded in {fold(key), *(fold(name) for name in names)}:
            return key
    return None


@router.command("goal")
async def goal(ctx: Context) -> None:
    """Set a collective goal for this month or quarter; alone, list the running ones."""
    assert ctx.member is not None
    args = ctx.event.args
    now = ctx.clock.now()
    if not args:
        running = []
        for key in [goals.ALL, *(category.key for category in ctx.settings.categories)]:
            running += await goals.lines(
                ctx.session, ctx.settings, ctx.translator, ctx.language, key, now
            )
        ctx.reply("\n".join(running) if running else ctx._("No collective goal is running."))
        return
    chosen: str | None = None
    if len(args) == 4:
        everyone = arguments.choice(ctx.translator, args[0], (goals.ALL,))
        chosen = everyone or category_word(ctx, args[0])
    target = int(args[1]) if len(args) == 4 and args[1].isascii() and args[1].isdigit() else 0
    measure = _measure(ctx, args[2]) if len(args) == 4 else None
    period = arguments.choice(ctx.translator, args[3], goals.PERIODS) if len(args) == 4 else None
    if chosen is None or not 1 <= target <= 1_000_000 or measure is None or period is None:
        measures = ", ".join(
            ctx.translator.pgettext(ctx.language, goals.MEASURE_CONTEXT, key)
            for key in goals.MEASURES
        )
        ctx.reply(ctx._(GOAL_USAGE, measures=measures))
        return
    scope = chosen
    starts, ends = goals.period_bounds(period, now, ctx.settings.network.timezone)
    row = CollectiveGoal(
        scope=scope, measure=measure, target=target, starts_at=starts, ends_at=ends,
        created_by=ctx.member.id, created_at=now,
    )  # fmt: skip
    ctx.session.add(row)
    await ctx.session.flush()
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="goal.set", goal=row.id,
        scope=scope, measure=measure, target=target,
    )  # fmt: skip
    shown = await goals.lines(ctx.session, ctx.settings, ctx.translator, ctx.language, scope, now)
    ctx.reply(
        ctx._("Goal set. The weekly leaderboard shows its progress.") + "\n" + "\n".join(shown)
    )
