"""Words shared by the card's commands: dates in the reader's language, the card's face,
a benefit's line and what a checked card shows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.cards import partners, tokens
from bot.cards.image import Face
from bot.cards.issuing import shown
from bot.cards.verification import Checked, State
from bot.conversation.context import Context
from bot.core.config import Level
from bot.models import Member, MemberCard
from bot.recognition.badges import badges_of
from handlers._labels import category_name


def day(ctx: Context, moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(ctx.settings.network.timezone)).date()
    return format_date(local, "d MMMM y", locale=ctx.language)


def month(ctx: Context, moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(ctx.settings.network.timezone)).date()
    return format_date(local, "MMMM y", locale=ctx.language)


def level_name(ctx: Context, level: Level) -> str:
    return level.name.get(ctx.language)


def level_at(ctx: Context, points: int) -> Level:
    """The level whose threshold is ``points`` (a benefit's minimum)."""
    return [level for level in ctx.settings.levels if level.points <= points][-1]


async def face(ctx: Context, member: Member, card: MemberCard, level: Level) -> Face:
    """The card's face in the member's language."""
    settings = ctx.settings
    secret = await tokens.key(ctx.session, settings, ctx.clock.now())
    link = tokens.link(settings, tokens.token(secret, card.id, card.code))
    lines = [
        ctx._(
            "No. {number} · {category}",
            number=member.id,
            category=category_name(ctx, member.category),
        ),
        ctx._("Level: {level}", level=level_name(ctx, level)),
    ]
    earned = await badges_of(ctx.session, member.id)
    if earned:
        names = [badge.label(settings, ctx.translator, ctx.language) for badge in earned]
        lines.append(ctx._("Badges: {badges}", badges=", ".join(names)))
    lines.append(ctx._("Member since {month}", month=month(ctx, member.joined_at)))
    lines.append(ctx._("Valid until {date}", date=day(ctx, card.valid_until)))
    return Face(
        network=settings.network.name, name=member.display_name, lines=tuple(lines),
        qr=link or shown(card.code), code=shown(card.code), color=settings.cards.color,
        accent=settings.cards.accent,
    )  # fmt: skip


def benefit_text(ctx: Context, offer: partners.Offer) -> str:
    """The benefit in the reader's language, with its last day when it has one."""
    text = offer.text(ctx.language, ctx.settings.network.default_language)
    if offer.benefit.ends_on is not None:
        last = format_date(offer.benefit.ends_on, "d MMMM y", locale=ctx.language)
        text += " " + ctx._("(until {date})", date=last)
    return text


def offer_line(ctx: Context, offer: partners.Offer) -> str:
    return "• " + ctx._(
        "{partner}: {benefit}", partner=offer.partner.name, benefit=benefit_text(ctx, offer)
    )


def checked_text(ctx: Context, checked: Checked) -> str:
    """What ``/verify`` answers: the page's content, in the chat."""
    if checked.state is State.EXPIRED and checked.card is not None:
        return ctx._(
            "❌ This card expired on {date}. Its holder can renew it with /card.",
            date=day(ctx, checked.card.valid_until),
        )
    if checked.state is State.REVOKED:
        return ctx._("❌ This card is no longer valid: it was replaced or cancelled.")
    if not checked.valid or checked.level is None:
        return ctx._("❌ No valid card has this code. Check the code on the card.")
    lines = [
        ctx._("✅ Valid card: {name}, {level}.", name=checked.first_name,
              level=level_name(ctx, checked.level)),
    ]  # fmt: skip
    if checked.offers:
        lines.append(ctx._("Benefits this card unlocks:"))
        lines.extend(offer_line(ctx, offer) for offer in checked.offers)
    else:
        lines.append(ctx._("No partner benefit for this level at the moment."))
    return "\n".join(lines)
