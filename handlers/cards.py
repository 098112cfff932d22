"""The member card: ``/card`` sends the member their card as an image (``/card new``
replaces a lost one), ``/benefits`` lists what partners offer and what the member's level
unlocks, ``/verify CODE`` checks a card by the code printed on it.

Who may use ``/verify``: anyone who opened the bot, members or not — a partner's staff
are not members. It shows exactly what the card's web page shows to whoever scans the QR
code (first name, valid or not, level, benefits; no contact, no number), and wrong codes
are limited per account (:mod:`bot.cards.uses`), so trying codes finds nothing.
"""

from __future__ import annotations

from bot.activity.standings import level_progress, totals
from bot.cards import image, issuing, partners, uses, verification
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.port import Message
from bot.core.text import fold
from bot.members import link_throttle
from handlers._card_words import benefit_text, checked_text, day, face, level_at, level_name

router = Router("cards")

NEW_WORDS = {"new", "nouvelle", "nouveau", "remplacer", "replace"}


@router.command("card")
async def card(ctx: Context) -> None:
    """The member's card as an image, issued or renewed when needed."""
    member = ctx.member
    assert member is not None
    now = ctx.clock.now()
    wanted_new = bool(ctx.event.args) and fold(ctx.event.args[0]) in NEW_WORDS
    issued = await issuing.card_for(ctx.session, ctx.settings, member.id, now, reissue=wanted_new)
    if issued.new:
        audit.record(
            ctx.session, ctx.clock, actor_id=member.id, action="card.issue",
            target_member_id=member.id, card_id=issued.card.id, replaced=issued.replaced,
        )  # fmt: skip
    points = (await totals(ctx.session, ctx.settings, member.id, now)).all_time
    level = level_progress(ctx.settings, points).level
    png = image.render(await face(ctx, member, issued.card, level))
    lines = [ctx._("Your member card, valid until {date}.", date=day(ctx, issued.card.valid_until))]
    if issued.replaced:
        lines.append(ctx._("It replaces your earlier card, which no longer works."))
    lines.append(
        ctx._(
            "Show it at partners: they scan the QR code, or send /verify {code} to the bot.",
            code=issuing.shown(issued.card.code),
        )
    )
    lines.append(ctx._("/benefits lists what it brings. Lost it? /card new replaces it."))
    ctx.send(ctx.private_chat, Message("\n".join(lines), image_png=png))


@router.command("benefits")
async def benefits(ctx: Context) -> None:
    """Partners' benefits by kind of place, with what the member's level unlocks."""
    member = ctx.member
    assert member is not None
    now = ctx.clock.now()
    found = await partners.offers(ctx.session, partners.today(ctx.settings, now))
    if not found:
        ctx.reply(ctx._("No partner offers benefits yet."))
        return
    points = (await totals(ctx.session, ctx.settings, member.id, now)).all_time
    level = level_progress(ctx.settings, points).level
    mine = {offer.benefit.id for offer in partners.unlocked(found, points)}
    lines = [ctx._("Benefits of your card — your level: {level}", level=level_name(ctx, level))]
    for kind, offers in partners.by_kind(found):
        lines += ["", kind]
        partner_id = None
        for offer in offers:
            if offer.partner.id != partner_id:
                partner_id = offer.partner.id
                where = " · ".join(p for p in (offer.partner.address, offer.partner.link) if p)
                lines.append(f"• {offer.partner.name}" + (f" — {where}" if where else ""))
            line = "   – " + benefit_text(ctx, offer)
            if offer.benefit.id not in mine:
                needed = level_name(ctx, level_at(ctx, offer.benefit.min_level))
                line += " " + ctx._("(from level {level})", level=needed)
            else:
                line += " ✓"
            lines.append(line)
    lines.append("")
    lines.append(ctx._("Show your card (/card) at the partner to use them."))
    ctx.reply("\n".join(lines))


@router.command("verify")
async def verify(ctx: Context) -> None:
    """Check a card by its printed code."""
    now = ctx.clock.now()
    typed = "".join(ctx.event.args)
    if not typed:
        ctx.reply(ctx._("Usage: /verify CODE, the code printed under the card's QR code."))
        return
    who = {
        "platform": uses.WRONG_CARD_CODE,
        "user_id": f"{ctx.event.platform}:{ctx.event.user_id}"[:64],
    }
    if await link_throttle.locked_until(ctx.session, now, **who) is not None:
        ctx.reply(ctx._("Too many wrong codes. Please try again in an hour."))
        return
    checked = await verification.by_code(ctx.session, ctx.settings, typed, now)
    if checked.state is verification.State.UNKNOWN:
        await link_throttle.wrong(ctx.session, now, **who)
    ctx.reply(checked_text(ctx, checked))
