"""Monday: each referent gets a private digest of their category's week.

What the category did (actions by kind), who joined, and the dormant members who
reached the referent step of the nudge ladder, each with two buttons: write to them
through the bot, or mark them contacted. Referent categories are not modelled yet: a
referent's category is their own (``Member.category``).

The delivery key names the week and the referent: one digest per referent per week.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot import delivery, nudging, weekly
from bot.jobs.runner import occurrence
from bot.jobs.words import Words, week_dates
from bot.models import Member, MemberStatus, ReportKind, Role
from bot.platforms.port import Button, Message

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


async def compose(
    app: Relais, session: AsyncSession, referent: Member, week: weekly.Week, at: datetime
) -> Message:
    """The digest for one referent, in their language."""
    _ = Words(app, referent.language)
    category = referent.category
    first, last = week_dates(app, week)
    lines = [
        _(
            "Your weekly digest — {category} — {first} to {last}",
            category=_.category(category),
            first=first,
            last=last,
        )
    ]
    kinds = await weekly.actions_by_kind(session, week, category)
    counts = ", ".join(_kind_count(_, kind, kinds.get(kind, 0)) for kind in ReportKind)
    lines.append(_("Actions: {counts}.", counts=counts))
    newcomers = await weekly.newcomers(session, week, category)
    if newcomers:
        lines.append(_("New members: {names}.", names=", ".join(m.display_name for m in newcomers)))
    else:
        lines.append(_("No new members this week."))
    dormant = await nudging.referent_list(session, category, at)
    rows: list[list[Button]] = []
    if dormant:
        lines.append(
            _.ngettext(
                "{n} dormant member did not answer two nudges; a word from you can help:",
                "{n} dormant members did not answer two nudges; a word from you can help:",
                len(dormant),
            )
        )
        for nudge, member in dormant[:LISTED]:
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
            rows.append(
                [
                    Button(
                        _("Write to {name}", name=member.display_name)[:60],
                        f"digest:write:{nudge.id}",
                    ),
                    Button(
                        _("{name} contacted", name=member.display_name)[:60],
                        f"digest:done:{nudge.id}",
                    ),
                ]
            )
        if len(dormant) > LISTED:
            lines.append(_.ngettext("…and {n} more.", "…and {n} more.", len(dormant) - LISTED))
    else:
        lines.append(_("No dormant member waits for you this week."))
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
        addresses = await nudging.private_addresses(session, [m.id for m in referents])
        planned = [
            delivery.Planned(
                key=f"digest:{week.key}:{referent.id}",
                address=addresses[referent.id],
                message=await compose(app, session, referent, week, at),
                private=True,
                member_id=referent.id,
            )
            for referent in referents
            if referent.id in addresses
        ]
        queued = await delivery.enqueue(session, app.clock.now(), f"digest:{week.key}", planned)
    if queued:
        app.sender.wake()
