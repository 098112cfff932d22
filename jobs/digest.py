"""Monday: each referent gets a private digest of their category's week.

What the category did (actions by kind, as :mod:`bot.activity.engagement` counts them),
who joined, and the dormant members who
reached the referent step of the nudge ladder, each with two buttons: write to them
through the bot, or mark them contacted; and the answers to the category's open action
plans. A referent is never listed in their own digest. A referent of several categories
gets one section per category; a referent appointed for none (an old row) gets their own
category.

The delivery key names the week and the referent: one digest per referent per week.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.activity import weekly
from bot.animation import nudging
from bot.animation.calls import LABELS, plan_subject
from bot.animation.nudge_buttons import DigestPress
from bot.animation.plans import answer_counts, title_for
from bot.core.port import Button, Message
from bot.delivery import audience, queue, recipients
from bot.members.roles import referent_categories
from bot.models import ActionPlan, Member, MemberStatus, ReportKind, Role
from bot.scheduling.runner import occurrence
from jobs._words import Words, week_dates

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import Relais

ID = "digest"
#: Dormant members listed with buttons; more are counted.
LISTED = 8


def _kind_count(_: Words, kind: ReportKind, n: int) -> str:
    if kind is ReportKind.MENTION:
        return _.ngettext("{n} mention", "{n} mentions", n)
    if kind is ReportKind.SIGNAL:
        return _.ngettext("{n} opportunity signal", "{n} opportunity signals", n)
    return _.ngettext("{n} settlement", "{n} settlements", n)


async def _open_plans(session: AsyncSession, _: Words, category: str, at: datetime) -> list[str]:
    """One line per action plan of the category still open at ``at``, with its answers."""
    plans = list(
        await session.scalars(
            select(ActionPlan)
            .where(
                ActionPlan.category == category,
                ActionPlan.posted_at <= at,
                ActionPlan.window_ends_at > at,
            )
            .order_by(ActionPlan.posted_at, ActionPlan.id)
        )
    )
    counts = await answer_counts(session, [plan_subject(plan.id) for plan in plans])
    lines = []
    for plan in plans:
        answers = counts.get(plan_subject(plan.id), {})
        tally = ", ".join(
            f"{_(label)} {answers.get(choice.value, 0)}" for choice, label in LABELS.items()
        )
        title = title_for(plan, _.language, _.app.settings.network.default_language)
        lines.append(f"• {title}: {tally}")
    return lines


async def _section(
    session: AsyncSession,
    _: Words,
    reader: int,
    category: str,
    week: weekly.Week,
    at: datetime,
    rows: list[list[Button]],
) -> list[str]:
    """What one category did this week, and who in it waits for a word."""
    lines = [f"— {_.category(category)} —"]
    kinds = await weekly.actions_by_kind(session, week, category)
    counts = ", ".join(_kind_count(_, kind, kinds.get(kind, 0)) for kind in ReportKind)
    lines.append(_("Actions: {counts}.", counts=counts))
    newcomers = await weekly.newcomers(session, week, category)
    if newcomers:
        lines.append(_("New members: {names}.", names=", ".join(m.display_name for m in newcomers)))
    else:
        lines.append(_("No new members this week."))
    plans = await _open_plans(session, _, category, at)
    if plans:
        lines.append(_("Open action plans and their answers:"))
        lines.extend(plans)
    dormant = await nudging.referent_list(session, category, at, reader=reader)
    if not dormant:
        lines.append(_("No dormant member waits for you this week."))
        return lines
    lines.append(
        _.ngettext(
            "{n} dormant member did not answer two nudges; a word from you can help:",
            "{n} dormant members did not answer two nudges; a word from you can help:",
            len(dormant),
        )
    )
    for nudge, member in dormant:
        days = (at - nudge.spell_start).days
        lines.append(
            "• "
            + _.ngettext(
                "{name}: no action for {n} day",
                "{name}: no action for {n} days",
                days,
                name=member.display_name,
            )
        )
        if len(rows) < LISTED:
            rows.append(
                [
                    Button(
                        _("Write to {name}", name=member.display_name)[:60],
                        DigestPress("write", nudge.id).pack(),
                    ),
                    Button(
                        _("{name} contacted", name=member.display_name)[:60],
                        DigestPress("done", nudge.id).pack(),
                    ),
                ]
            )
    return lines


async def compose(
    app: Relais,
    session: AsyncSession,
    referent: Member,
    categories: list[str],
    week: weekly.Week,
    at: datetime,
) -> Message:
    """The digest for one referent, in their language: a section per category."""
    _ = Words(app, referent.language)
    first, last = week_dates(app, week)
    lines = [_("Your weekly digest — {first} to {last}", first=first, last=last)]
    rows: list[list[Button]] = []
    for category in categories:
        lines.extend(await _section(session, _, referent.id, category, week, at, rows))
    if len(rows) == LISTED:
        lines.append(
            _.ngettext(
                "Buttons are shown for the first member.",
                "Buttons are shown for the first {n} members.",
                LISTED,
            )
        )
    return Message.with_rows("\n".join(lines), rows)


async def run(app: Relais) -> None:
    at = occurrence(app)
    week = weekly.last_week(at, app.settings.network.timezone)
    queued = 0
    async with app.sessions.begin() as session:
        referents = list(
            await session.scalars(
                select(Member)
                .where(Member.role == Role.REFERENT, Member.status == MemberStatus.ACTIVE)
                .order_by(Member.id)
            )
        )
        addresses = await recipients.private_addresses(
            session, [m.id for m in referents], app.served
        )
        planned = []
        for referent in referents:
            if referent.id not in addresses:
                continue
            categories = await referent_categories(session, referent.id) or [referent.category]
            planned.append(
                queue.Planned(
                    key=f"digest:{week.key}:{referent.id}",
                    address=addresses[referent.id],
                    message=replace(
                        await compose(app, session, referent, categories, week, at),
                        language=referent.language,
                    ),
                    private=True,
                    member_id=referent.id,
                    subjects=tuple(await audience.nameable(session, categories, hidden=True)),
                )
            )
        queued = await queue.enqueue(session, app.clock.now(), f"digest:{week.key}", planned)
    if queued:
        app.sender.wake()
