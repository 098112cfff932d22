"""Applications reach the coordinators with Approve / Reject buttons; ``/pending`` lists
them; ``/invite`` gives a member their sponsor code and, where the platform has one, a
link that opens the bot with it.

Buttons: ``apv:<y|n>:<member id>`` on a card, with ``:l`` at the end in a /pending list;
active coordinators only (declared where the button is registered).

The card goes to the coordinators' channel where it is bound (in the network's language),
else to every coordinator privately (each in their own). The applicant hears the outcome
in their own language through the delivery queue, keyed by the application, so two
presses can never tell them twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.payloads import Payload
from bot.core.port import Button, Message
from bot.delivery import audience
from bot.members import approvals, notices
from bot.models import Member, MemberStatus, Role
from handlers._labels import category_name
from handlers._people import category_in

router = Router("approvals")


@dataclass(frozen=True)
class ApprovalPress(Payload, prefix="apv"):
    """Approve (``y``) or reject (``n``) an applicant; ``listed`` marks a /pending list,
    which holds others' buttons too and so is not rewritten with the outcome."""

    verdict: Literal["y", "n"]
    member_id: int
    listed: Literal["l"] | None = None


PENDING_SHOWN = 10
CARD = N_("New application #{number}: {name}\nCategory: {category}\nSponsor: {sponsor}")
NO_SPONSOR = N_("none")
NAMESAKE = N_(
    "⚠ Same name as the coordinator {coordinator}: make sure this is not someone "
    "posing as them before approving."
)


def _card(ctx: Context, language: str, member: Member, sponsor: Member | None) -> str:
    sponsor_text = (
        f"{sponsor.display_name} (#{sponsor.id})"
        if sponsor is not None
        else ctx.translator.gettext(language, NO_SPONSOR)
    )
    return ctx.translator.gettext(
        language,
        CARD,
        number=member.id,
        name=member.display_name,
        category=category_in(ctx, language, member.category),
        sponsor=sponsor_text,
    )


def _buttons(ctx: Context, language: str, member_id: int) -> list[list[Button]]:
    return [
        [
            Button(
                ctx.translator.gettext(language, N_("Approve")),
                ApprovalPress("y", member_id).pack(),
            ),
            Button(
                ctx.translator.gettext(language, N_("Reject")),
                ApprovalPress("n", member_id).pack(),
            ),
        ]
    ]


async def announce(ctx: Context, member: Member) -> None:
    """Send a new application to the coordinators (called by the join flow)."""
    await ctx.session.flush()
    sponsor = await ctx.session.get(Member, member.sponsor_id) if member.sponsor_id else None
    namesake = await approvals.coordinator_namesake(ctx.session, member)

    def render(language: str) -> Message:
        text = _card(ctx, language, member, sponsor)
        if namesake is not None:
            text += "\n" + ctx.translator.gettext(
                language, NAMESAKE, coordinator=f"{namesake.display_name} (#{namesake.id})"
            )
        return Message.with_rows(text, _buttons(ctx, language, member.id))

    queued = await audience.tell_coordinators(
        ctx.session,
        ctx.settings,
        now=ctx.clock.now(),
        platforms=ctx.platforms,
        key_prefix=f"application:{member.id}:card",
        render=render,
        subjects=[member.id, *([sponsor.id] if sponsor else [])],
    )
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
    """The applications waiting for a decision, oldest first, with their buttons."""
    waiting, total = await approvals.pending(ctx.session, PENDING_SHOWN)
    if not waiting:
        ctx.reply(ctx._("No application is waiting."))
        return
    lines = [ctx.ngettext("{n} application waiting:", "{n} applications waiting:", total)]
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
    if total > len(waiting):
        lines.append(ctx._("… and {n} more.", n=total - len(waiting)))
    ctx.reply("\n".join(lines), rows)


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
