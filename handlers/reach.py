"""/platform: where a member linked on several platforms gets private messages.

Nudges, campaign messages, plan reminders and notifications go to one private chat per
member (:mod:`bot.delivery.recipients`): the platform chosen here when the bot can write there,
otherwise where the member last wrote to the bot in private ("automatic", the default).
Buttons: ``reach:<platform>`` or ``reach:auto``; only the member's own platforms count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.payloads import Payload
from bot.core.port import Button
from bot.models import Identity, Member
from handlers._labels import platform_name

router = Router("reach")
AUTO = "auto"


@dataclass(frozen=True)
class ReachPress(Payload, prefix="reach"):
    """A platform name, or :data:`AUTO`."""

    platform: str


async def _private_identities(ctx: Context, member: Member) -> dict[str, Identity]:
    """The member's identities with a private chat, by platform."""
    rows = await ctx.session.scalars(
        select(Identity)
        .where(Identity.member_id == member.id, Identity.private_chat_id.is_not(None))
        .order_by(Identity.id)
    )
    return {identity.platform: identity for identity in rows}


def _choice(ctx: Context, preferred: str | None) -> str:
    if preferred is None:
        return ctx._("automatic (where you last wrote to me in private)")
    return platform_name(preferred)


@router.command("platform")
async def choose(ctx: Context) -> None:
    """Offer the member's platforms, and "automatic"."""
    member = ctx.member
    assert member is not None
    identities = await _private_identities(ctx, member)
    if len(identities) < 2:
        ctx.reply(
            ctx._(
                "Private messages reach you here: you have no other platform linked to your "
                "membership. To add one, send /link."
            )
        )
        return
    ctx.reply(
        ctx._(
            "Where should nudges, campaign messages and notifications reach you? Now: {choice}.",
            choice=_choice(ctx, member.preferred_platform),
        ),
        [
            [Button(platform_name(name), ReachPress(name).pack()) for name in identities],
            [Button(ctx._("Automatic"), ReachPress(AUTO).pack())],
        ],
    )


@router.button(ReachPress, access=Access.MEMBER)
async def set_platform(ctx: Context, press: ReachPress) -> None:
    """Apply the choice; a platform the member has no private chat on is refused."""
    member = ctx.member
    assert member is not None
    identities = await _private_identities(ctx, member)
    if press.platform != AUTO and press.platform not in identities:
        ctx.reply(ctx._("This button is no longer active."))
        return
    member.preferred_platform = None if press.platform == AUTO else press.platform
    ctx.edit_pressed(
        ctx._("Private messages: {choice}", choice=_choice(ctx, member.preferred_platform))
    )
    lines = [ctx._("Saved.")]
    chosen = identities.get(press.platform)
    if chosen is not None and chosen.unreachable_at is not None:
        lines.append(
            ctx._(
                "{platform} refused my last private message: write to me there once, in "
                "private, so that I can reach you again. Until then, messages go to your "
                "other platform.",
                platform=platform_name(chosen.platform),
            )
        )
    ctx.reply("\n".join(lines))
