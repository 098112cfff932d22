"""Partners, for coordinators: ``/partners`` lists them with their code, their benefits
and how often each was used (the recorded uses; ``relais export benefits`` gives them as a
table), with buttons to add a benefit or retire a benefit or a partner; ``/partneradd`` and
``/benefitadd`` add them (:mod:`handlers._partner_add`). Retiring hides a partner or a
benefit from members and the card's page; its recorded uses stay in the counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.cards import partners, uses
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.payloads import Payload
from bot.core.port import Button, Message
from bot.models import Benefit, Partner, Role
from handlers import _partner_add as add
from handlers._card_words import benefit_text, level_at, level_name

router = Router("partners")
router.flow(add.PARTNER)
router.flow(add.BENEFIT)


@dataclass(frozen=True)
class PartnerAdmin(Payload, prefix="ptn"):
    """a: add a benefit to partner ``target``; r: retire partner ``target``; b: retire
    benefit ``target``."""

    action: Literal["a", "r", "b"]
    target: int


@router.command("partners")
async def listing(ctx: Context) -> None:
    """Each live partner with its benefits and their uses."""
    counted = await uses.per_benefit(ctx.session)
    live = await partners.live_partners(ctx.session)
    if not live:
        ctx.reply(ctx._("There is no partner yet: add one with /partneradd."))
        return
    total = sum(row.uses for row in counted)
    ctx.reply(ctx.ngettext(
        "{n} partner; {uses} recorded uses of benefits in all.",
        "{n} partners; {uses} recorded uses of benefits in all.", len(live), uses=total,
    ))  # fmt: skip
    for partner in live:
        ctx.send(ctx.answer_to or ctx.event.chat, _partner_message(ctx, partner, counted))


def _partner_message(ctx: Context, partner: Partner, counted: list[uses.PartnerUses]) -> Message:
    lines = [f"{partner.name} — {partner.kind}"]
    lines += [part for part in (partner.address, partner.link) if part]
    lines.append(ctx._("Partner code: {code}", code=partner.code))
    rows = [[
        Button(ctx._("Add a benefit"), PartnerAdmin("a", partner.id).pack()),
        Button(ctx._("Retire the partner"), PartnerAdmin("r", partner.id).pack()),
    ]]  # fmt: skip
    mine = [
        row for row in counted if row.partner.id == partner.id and row.benefit.retired_at is None
    ]
    mine.sort(key=lambda row: row.benefit.id)
    if not mine:
        lines.append(ctx._("No benefit yet."))
    for number, row in enumerate(mine, start=1):
        offer = partners.Offer(partner, row.benefit)
        level = level_name(ctx, level_at(ctx, row.benefit.min_level))
        lines.append(
            f"{number}. {benefit_text(ctx, offer)} — "
            + ctx._("from level {level}", level=level) + " — "
            + ctx.ngettext("used {n} time", "used {n} times", row.uses)
        )  # fmt: skip
        rows.append(
            [
                Button(
                    ctx._("Retire benefit {n}", n=number), PartnerAdmin("b", row.benefit.id).pack()
                )
            ]
        )
    return Message.with_rows("\n".join(lines), rows)


@router.button(PartnerAdmin, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def managed(ctx: Context, press: PartnerAdmin) -> None:
    assert ctx.member is not None
    now = ctx.clock.now()
    if press.action == "a":
        await add.begin_benefit(ctx, press.target)
        return
    if press.action == "r":
        partner = await ctx.session.get(Partner, press.target)
        if partner is None or not partners.retire_partner(partner, now):
            ctx.reply_private(ctx._("This button is no longer active."))
            return
        audit.record(
            ctx.session, ctx.clock, actor_id=ctx.member.id, action="partner.retire",
            partner_id=partner.id,
        )  # fmt: skip
        ctx.edit_pressed(ctx._("Retired: {name}. Members no longer see it.", name=partner.name))
        return
    benefit = await ctx.session.get(Benefit, press.target)
    if benefit is None or not partners.retire_benefit(benefit, now):
        ctx.reply_private(ctx._("This button is no longer active."))
        return
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="benefit.retire",
        benefit_id=benefit.id,
    )  # fmt: skip
    ctx.reply_private(ctx._("Benefit retired: members no longer see it."))


@router.command("partneradd")
async def partner_add(ctx: Context) -> None:
    """Start adding a partner (in private)."""
    await add.begin_partner(ctx)


@router.command("benefitadd")
async def benefit_add(ctx: Context) -> None:
    """Start adding a benefit (in private)."""
    await add.begin_benefit(ctx)
