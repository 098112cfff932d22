"""Results of a plan or a campaign run (button ``res:<subject>`` from /plans and
/campaigns): how many were targeted, answered what and acted, by category, and who; the
members it addressed but cannot reach yet, and the coordinators and author, apart.

Active referents and coordinators may press it (declared where the button is
registered); coordinators see every category addressed, a referent their own categories
among them, and nothing of a plan or campaign that addressed none of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.animation import campaigns, plans, results
from bot.animation.addressed import Call
from bot.animation.calls import LABELS, Choice, Subject
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.payloads import Payload
from bot.core.port import Button
from bot.delivery import queue
from bot.members import roles
from bot.models import ActionPlan, Campaign, DeliveryStatus, MemberStatus, Role
from handlers._labels import category_name

router = Router("results")

NAMES_SHOWN = 30


@dataclass(frozen=True)
class ResultsPress(Payload, prefix="res"):
    subject: Subject


def button(ctx: Context, subject: Subject, label: str) -> Button:
    return Button(label, ResultsPress(subject).pack())


def progress_line(ctx: Context, counts: dict[DeliveryStatus, int]) -> str:
    """Where a broadcast's messages are, each count with its own plural form."""
    pending = counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING]
    parts = [
        ctx.ngettext("{n} sent", "{n} sent", counts[DeliveryStatus.SENT]),
        ctx.ngettext("{n} waiting", "{n} waiting", pending),
        ctx.ngettext("{n} failed", "{n} failed", counts[DeliveryStatus.FAILED]),
        ctx.ngettext("{n} unreachable", "{n} unreachable", counts[DeliveryStatus.UNREACHABLE]),
        ctx.ngettext("{n} unknown", "{n} unknown", counts[DeliveryStatus.UNKNOWN]),
    ]
    return ctx._("Delivery: {counts}", counts=", ".join(parts))


def apart_lines(ctx: Context, *, unclaimed: int, staff: int) -> list[str]:
    """Who a call's "targeted" leaves out, said rather than silently included."""
    lines = []
    if unclaimed:
        lines.append(
            ctx.ngettext(
                "+ {n} not reachable yet: imported, never joined",
                "+ {n} not reachable yet: imported, never joined",
                unclaimed,
            )
        )
    if staff:
        lines.append(
            ctx.ngettext(
                "+ {n} coordinator or author, not counted",
                "+ {n} coordinators or author, not counted",
                staff,
            )
        )
    return lines


async def visible_categories(ctx: Context, addressed: list[str]) -> list[str]:
    """The addressed categories this viewer may see (all of them for a coordinator)."""
    member = ctx.member
    if member is None or member.status is not MemberStatus.ACTIVE:
        return []
    everything = addressed or [category.key for category in ctx.settings.categories]
    if member.role is Role.COORDINATOR:
        return everything
    mine = set(await roles.categories_of(ctx.session, ctx.settings, member))
    return [key for key in everything if key in mine]


def _labelled(ctx: Context, label: str, value: str) -> str:
    """``Done: 3`` (French puts a space before the colon)."""
    return ctx._("{label}: {value}", label=label, value=value)


@router.button(ResultsPress, access=Access.ACTIVE, min_role=Role.REFERENT)
async def show(ctx: Context, press: ResultsPress) -> None:
    """Show the results the presser may see."""
    subject = press.subject
    if subject.plan_id is not None:
        plan = await ctx.session.get(ActionPlan, subject.plan_id)
        if plan is None:
            ctx.reply(ctx._("This button is no longer active."))
            return
        title = ctx._(
            "Results of the plan “{title}” (#{number})",
            title=plans.title_for(plan, ctx.language, ctx.settings.network.default_language),
            number=plan.id,
        )
        call = plans.call(plan)
        await _show(ctx, subject.key, title, call, plan.posted_at, plan.window_ends_at)
        return
    assert subject.campaign_id is not None
    run = await campaigns.find_run(ctx.session, subject.campaign_id, subject.occurrence)
    campaign = await ctx.session.get(Campaign, subject.campaign_id)
    if run is None or campaign is None:
        ctx.reply(ctx._("This campaign has not gone out yet."))
        return
    title = ctx._(
        "Results of campaign #{number}, run {run} ({when})",
        number=campaign.id,
        run=run.occurrence,
        when=campaigns.local(ctx.settings, run.started_at),
    )
    progress = await queue.progress(ctx.session, f"campaign:{campaign.id}")
    call = Call(categories=tuple(run.categories), author_id=campaign.author_id)
    await _show(ctx, subject.key, title, call, run.started_at, run.ends_at, progress)


async def _show(
    ctx: Context,
    subject: str,
    title: str,
    call: Call,
    start: datetime,
    end: datetime,
    progress: dict[DeliveryStatus, int] | None = None,
) -> None:
    categories = await visible_categories(ctx, list(call.categories))
    if not categories:
        ctx.reply(ctx._("You are not a referent of this category."))
        return
    found = await results.compute(
        ctx.session, subject=subject, call=call, categories=categories, start=start, end=end
    )
    lines = [
        title,
        ctx.ngettext(
            "Targeted: {n} member; acted (reported by {end}): {acted}",
            "Targeted: {n} members; acted (reported by {end}): {acted}",
            found.targeted,
            end=campaigns.local(ctx.settings, end),
            acted=found.acted,
        ),
    ]
    lines += apart_lines(ctx, unclaimed=found.unclaimed, staff=found.staff)
    lines.append(" · ".join(_labelled(ctx, ctx._(LABELS[c]), str(found.count(c))) for c in Choice))
    if progress is not None:
        lines.append(progress_line(ctx, progress))
    lines.append(ctx._("By category:"))
    for row in found.categories:
        answers = ", ".join(f"{ctx._(LABELS[c])} {row.answers[c]}" for c in Choice)
        lines.append(
            "• "
            + ctx._(
                "{category}: {targeted} targeted, {acted} acted — {answers}",
                category=category_name(ctx, row.category),
                targeted=row.targeted,
                acted=row.acted,
                answers=answers,
            )
        )
    grouped = results.by_choice(found)
    if grouped:
        lines.append(ctx._("Who answered:"))
    for choice in Choice:
        people = grouped.get(choice, [])
        if people:
            names = ", ".join(f"{p.display_name} #{p.member_id}" for p in people[:NAMES_SHOWN])
            more = len(people) - NAMES_SHOWN
            names += f" (+{more})" if more > 0 else ""
            lines.append(_labelled(ctx, ctx._(LABELS[choice]), names))
    ctx.reply("\n".join(lines))
