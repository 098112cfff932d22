"""Points by hand: ``/award #12 20 stand held at the fair`` (``/attribuer``).

The gate lets referents and coordinators in; the domain
(:mod:`bot.recognition.awards`) refuses a referent outside their categories or above
their cap. Each award is audited and told to the member in their language.
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.i18n import N_
from bot.recognition import awards
from bot.recognition.awards import Refusal
from handlers._labels import category_name
from handlers._people import named_member, tell

router = Router("recognition")

AWARDED = N_("Points received: {points}. Reason: {reason}")


@router.command("award")
async def award(ctx: Context) -> None:
    """Credit a member with points for an offline act, with a reason."""
    assert ctx.member is not None
    args = ctx.event.args
    points = int(args[1]) if len(args) >= 2 and args[1].isdigit() else None
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
