"""/member #12 (or a name): one member's page in short, for a coordinator (any member)
or a referent (members of their categories): who they are, their role and status, level
and points, last sign of life and activity state (by the one definition,
:mod:`bot.activity.engagement`), reports and nudges received; and the link to their full
page on the desk when the web is configured. Answered in private: it is about a person.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.activity import engagement
from bot.activity.standings import level_progress, totals
from bot.animation.plans import format_date
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import web_links
from bot.core.i18n import N_
from bot.members import roles
from bot.models import Member, MemberStatus, Nudge, Report, ReportKind, Role
from handlers._desk import with_desk
from handlers._labels import category_name

router = Router("member_page")

STATUS = {
    MemberStatus.ACTIVE: N_("active"),
    MemberStatus.PENDING: N_("waiting for approval"),
    MemberStatus.REJECTED: N_("not accepted"),
    MemberStatus.FORGOTTEN: N_("erased"),
}
ROLE = {
    Role.MEMBER: N_("member"),
    Role.REFERENT: N_("referent"),
    Role.COORDINATOR: N_("coordinator"),
}
STATE = {
    engagement.State.ACTIVE: N_("active"),
    engagement.State.DORMANT: N_("dormant"),
    engagement.State.NEVER_ACTIVATED: N_("never activated"),
}


@router.command("member")
async def member_page(ctx: Context) -> None:
    """One member's page in short."""
    assert ctx.member is not None
    if not ctx.event.args:
        ctx.reply(ctx._("Usage: /member #12, or /member followed by a name."))
        return
    found = await roles.find_member(ctx.session, " ".join(ctx.event.args))
    target = found.member
    if target is None or target.status is MemberStatus.FORGOTTEN:
        if found.candidates:
            names = ", ".join(f"#{m.id} {m.display_name}" for m in found.candidates)
            ctx.reply(
                ctx._("Several members have this name; use their number: {names}", names=names)
            )
        else:
            ctx.reply(
                ctx._("No such member. Name members by their number (#12), shown in /members.")
            )
        return
    if not await roles.speaks_for(ctx.session, ctx.member, target.category):
        ctx.reply(ctx._("Only a coordinator or this member's referent can see their page."))
        return
    ctx.reply(
        "\n".join(with_desk(ctx, await _lines(ctx, target), web_links.member_path(target.id)))
    )


async def _lines(ctx: Context, target: Member) -> list[str]:
    now = ctx.clock.now()
    points = await totals(ctx.session, ctx.settings, target.id, now)
    level = level_progress(ctx.settings, points.all_time).level
    lines = [
        f"#{target.id} {target.display_name} — {category_name(ctx, target.category)}",
        ctx._(
            "Role: {role}; status: {status}",
            role=ctx._(ROLE[target.role]),
            status=ctx._(STATUS[target.status]),
        ),
        ctx._(
            "Level: {level}; points: {all} in all, {month} this month",
            level=level.name.get(ctx.language),
            all=points.all_time,
            month=points.month,
        ),
    ]
    if target.last_action_at is not None:
        lines.append(
            ctx._("Last action: {date}", date=format_date(ctx.settings, target.last_action_at))
        )
    else:
        lines.append(ctx._("Last action: none yet"))
    state = await ctx.session.scalar(
        select(engagement.state(now, ctx.settings.nudges.dormant_days)).where(
            Member.id == target.id
        )
    )
    if state is not None:
        lines.append(ctx._("Activity: {state}", state=ctx._(STATE[engagement.State(state)])))
    kinds = dict(
        (
            await ctx.session.execute(
                select(Report.kind, func.count())
                .where(Report.member_id == target.id)
                .group_by(Report.kind)
            )
        ).all()
    )
    lines.append(
        ctx._(
            "Reports: {mentions} mentions, {signals} opportunity signals, {settlements} "
            "settlements",
            mentions=int(kinds.get(ReportKind.MENTION, 0)),
            signals=int(kinds.get(ReportKind.SIGNAL, 0)),
            settlements=int(kinds.get(ReportKind.SETTLEMENT, 0)),
        )
    )
    nudged, answered = (
        await ctx.session.execute(
            select(func.count(), func.count(Nudge.answer)).where(Nudge.member_id == target.id)
        )
    ).one()
    lines.append(
        ctx._("Nudges received: {n}, answered: {answered}", n=int(nudged), answered=int(answered))
    )
    return lines
