"""Applications reach the coordinators with Approve / Reject buttons; ``/pending`` lists
them; ``/invite`` gives a member their sponsor code and, where the platform has one, a
link that opens the bot with it.

Buttons: ``apv:<y|n>:<member id>`` on a card, with ``:l`` at the end in a /pending list;
``pg:ap:<page>`` pages through /pending; ``apa:<a|y|n>:<page>:<seal>`` approves every
application a page shows, after a confirmation that states the count. Active
coordinators only (declared where each button is registered).

The card goes to the coordinators' channel where it is bound (in the network's language),
else to every coordinator privately (each in their own). The applicant hears the outcome
in their own language through the delivery queue, keyed by the application, so two
presses can never tell them twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from bot.conversation import paging
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import web_links
from bot.core.payloads import Payload
from bot.core.port import Button
from bot.members import application_card, approvals, notices
from bot.members.application_card import NO_SPONSOR, ApprovalPress
from bot.models import Member, MemberStatus, Role
from handlers._desk import with_desk
from handlers._labels import category_name

router = Router("approvals")


@dataclass(frozen=True)
class PendingPage(paging.PagePress, prefix="pg:ap"):
    """A page of /pending."""


@dataclass(frozen=True)
class ApproveShown(Payload, prefix="apa"):
    """ "Approve all shown" under a /pending page: ``a`` asks, ``y`` confirms, ``n`` takes
    it back. ``page`` and ``seal`` (a digest of the numbers shown) name the page as seen."""

    step: Literal["a", "y", "n"]
    page: int
    seal: str


PENDING_SHOWN = 10


def _card(ctx: Context, language: str, member: Member, sponsor: Member | None) -> str:
    return application_card.card_text(ctx.settings, ctx.translator, language, member, sponsor)


async def announce(ctx: Context, member: Member) -> None:
    """Send a new application to the coordinators (called by the join flow)."""
    queued = await application_card.announce(
        ctx.session, ctx.settings, ctx.translator,
        now=ctx.clock.now(), platforms=ctx.platforms, member=member,
    )  # fmt: skip
    ctx.queued = ctx.queued or queued > 0


@router.button(ApprovalPress, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def decide(ctx: Context, press: ApprovalPress) -> None:
    """Approve or reject; a second press (or a second coordinator) gets the outcome."""
    assert ctx.member is not None
    approve = press.verdict == "y"
    card = press.listed is None and ctx.event.message_id is not None
    decision = await approvals.decide(
        ctx.session,
        ctx.settings,
        ctx.clock,
        member_id=press.member_id,
        approve=approve,
        by=ctx.member,
    )
    applicant = decision.member
    if applicant is None:
        ctx.reply(ctx._("This button is no longer active."))
        return
    title = _card(ctx, ctx.language, applicant, None).split("\n")[0]
    if not decision.decided:
        if card:
            ctx.edit_pressed(title)
        ctx.reply(_earlier(ctx, applicant, decision.earlier_by))
        return
    name = applicant.display_name
    if approve:
        outcome = ctx._("{name} approved by {by}.", name=name, by=ctx.member.display_name)
        if decision.sponsor_points:
            outcome += "\n" + ctx.ngettext(
                "Their sponsor earns {n} point.", "Their sponsor earns {n} points.",
                decision.sponsor_points,
            )  # fmt: skip
    else:
        outcome = ctx._("{name} rejected by {by}.", name=name, by=ctx.member.display_name)
    if card:
        ctx.edit_pressed(f"{title}\n→ {outcome}")
    else:
        ctx.reply(outcome)

    await _tell_outcome(ctx, applicant, approve=approve)


async def _tell_outcome(ctx: Context, applicant: Member, *, approve: bool) -> None:
    """Tell the applicant the outcome in their language, as the desk does: however many
    presses, they hear it once."""
    queued = await notices.tell_outcome(
        ctx.session,
        ctx.settings,
        ctx.translator,
        now=ctx.clock.now(),
        platforms=ctx.platforms,
        applicant=applicant,
        approved=approve,
    )
    ctx.queued = ctx.queued or queued > 0


def _earlier(ctx: Context, applicant: Member, by: Member | None) -> str:
    who = by.display_name if by is not None else "?"
    name = applicant.display_name
    if applicant.status is MemberStatus.ACTIVE:
        return ctx._("{name} was already approved by {by}.", name=name, by=who)
    if applicant.status is MemberStatus.REJECTED:
        return ctx._("{name} was already rejected by {by}.", name=name, by=who)
    return ctx._("This button is no longer active.")


@router.command("pending")
async def pending(ctx: Context) -> None:
    """The applications waiting for a decision, oldest first, a page at a time."""
    await _show_pending(ctx, 0)


@router.button(PendingPage, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def pending_page(ctx: Context, press: PendingPage) -> None:
    """Previous / Next under /pending."""
    await _show_pending(ctx, press.page)


async def _read(ctx: Context, page: int) -> tuple[paging.Window, list[Member]]:
    async def fetch(offset: int) -> tuple[list[Member], int]:
        return await approvals.pending(ctx.session, PENDING_SHOWN, offset)

    return await paging.read_page(page, PENDING_SHOWN, fetch)


def _seal(members: list[Member]) -> str:
    """A short digest of the numbers a page shows, so that "approve all shown" approves
    exactly what the coordinator saw, or nothing."""
    numbers = ",".join(str(member.id) for member in members)
    return hashlib.sha256(numbers.encode()).hexdigest()[:12]


async def _show_pending(ctx: Context, page: int) -> None:
    window, waiting = await _read(ctx, page)
    if not waiting:
        paging.show(ctx, ctx._("No application is waiting."), [])
        return
    lines = [ctx.ngettext("{n} application waiting:", "{n} applications waiting:", window.total)]
    rows: list[list[Button]] = []
    for member in waiting:
        sponsor = await ctx.session.get(Member, member.sponsor_id) if member.sponsor_id else None
        sponsor_text = f"{sponsor.display_name} (#{sponsor.id})" if sponsor else ctx._(NO_SPONSOR)
        lines.append(
            ctx._(
                "#{number} {name} — {category} — sponsor: {sponsor}",
                number=member.id,
                name=member.display_name,
                category=category_name(ctx, member.category),
                sponsor=sponsor_text,
            )
        )
        rows.append(
            [
                Button(
                    ctx._("Approve #{number}", number=member.id),
                    ApprovalPress("y", member.id, "l").pack(),
                ),
                Button(
                    ctx._("Reject #{number}", number=member.id),
                    ApprovalPress("n", member.id, "l").pack(),
                ),
            ]
        )
    seal = _seal(waiting)
    rows.append(
        [
            Button(
                ctx.ngettext("Approve the {n} shown", "Approve all {n} shown", len(waiting)),
                ApproveShown("a", window.page, seal).pack(),
            )
        ]
    )
    rows.append(paging.buttons(ctx, window, PendingPage))
    footer = paging.footer(ctx, window)
    lines += [footer] if footer else []
    paging.show(ctx, "\n".join(with_desk(ctx, lines, web_links.APPLICATIONS)), rows)


@router.button(ApproveShown, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def approve_shown(ctx: Context, press: ApproveShown) -> None:
    """ "Approve all shown" asks first, stating the count; Yes approves exactly the page
    that was shown (each applicant is told once); a page that changed approves nothing."""
    assert ctx.member is not None
    if press.step == "n":
        ctx.edit_pressed(ctx._("Nothing was approved."))
        return
    _window, waiting = await _read(ctx, press.page)
    if not waiting or _seal(waiting) != press.seal:
        text = ctx._(
            "The waiting list changed since it was shown: nothing was approved. "
            "Send /pending to see it as it is now."
        )
        if press.step == "y":
            ctx.edit_pressed(text)
        else:
            ctx.reply(text)
        return
    names = ", ".join(f"#{member.id} {member.display_name}" for member in waiting)
    if press.step == "a":
        question = ctx.ngettext(
            "Approve this {n} application? {names}",
            "Approve these {n} applications? {names}",
            len(waiting),
            names=names,
        )
        yes = ctx.ngettext("Yes, approve {n}", "Yes, approve {n}", len(waiting))
        ctx.reply(
            question + "\n" + ctx._("Each applicant will be told."),
            [
                [
                    Button(yes, ApproveShown("y", press.page, press.seal).pack()),
                    Button(ctx._("No"), ApproveShown("n", press.page, press.seal).pack()),
                ]
            ],
        )
        return
    approved: list[Member] = []
    points = 0
    for member in waiting:
        decision = await approvals.decide(
            ctx.session, ctx.settings, ctx.clock, member_id=member.id, approve=True, by=ctx.member
        )
        if decision.decided and decision.member is not None:
            approved.append(decision.member)
            points += decision.sponsor_points
            await _tell_outcome(ctx, decision.member, approve=True)
    if not approved:
        ctx.edit_pressed(
            ctx._("These applications were decided already: nothing more was approved.")
        )
        return
    text = ctx.ngettext(
        "{n} application approved by {by}: {names}",
        "{n} applications approved by {by}: {names}",
        len(approved),
        by=ctx.member.display_name,
        names=", ".join(f"#{member.id} {member.display_name}" for member in approved),
    )
    if points:
        text += "\n" + ctx.ngettext(
            "Their sponsors earn {n} point in all.", "Their sponsors earn {n} points in all.",
            points,
        )  # fmt: skip
    if ctx.event.message_id is not None:
        ctx.edit_pressed(text)
    else:
        ctx.reply(text)


@router.command("invite")
async def invite(ctx: Context) -> None:
    """The member's own sponsor code, and a link that opens the bot with it."""
    assert ctx.member is not None
    code = ctx.member.sponsor_code
    lines = [
        ctx._(
            "Invite people you know to join the ambassadors: they send /start and then your "
            "sponsor code {code}.",
            code=code,
        )
    ]
    for platform, prefix in sorted(ctx.start_links.items()):
        lines.append(
            ctx._("On {platform}: {link}", platform=platform.capitalize(), link=prefix + code)
        )
    ctx.reply_private("\n".join(lines))
