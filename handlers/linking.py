"""/link and /unlink: one person on several platforms is one member.

``/link`` gives a one-time code privately; ``/link CODE`` on the other platform applies
it (see :mod:`bot.members.linking` for what merging does). Every refusal says what to do next.
"""

from __future__ import annotations

from bot.activity.standings import totals
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.port import Address, Message
from bot.members import linking
from bot.members.linking import Outcome
from bot.models import Identity, Member
from handlers._labels import platform_name

router = Router("linking")

REFUSALS = {
    Outcome.UNKNOWN: N_(
        "This link code is unknown. Check it, or send /link on your other platform for a new one."
    ),
    Outcome.EXPIRED: N_(
        "This link code has expired: codes last 10 minutes. "
        "Send /link on your other platform for a new one."
    ),
    Outcome.USED: N_(
        "This link code was already used. Send /link on your other platform for a new one."
    ),
    Outcome.SAME_PLATFORM: N_(
        "Send this code to the bot on your other platform: it links two different platforms."
    ),
    Outcome.ALREADY: N_("These two accounts are already linked."),
    Outcome.PLATFORM_TAKEN: N_(
        "That membership already has an account on this platform. "
        "Send /unlink from that account first."
    ),
    Outcome.CONFLICT: N_(
        "These two memberships cannot be merged automatically. Nothing was changed; "
        "please ask a coordinator."
    ),
}


@router.command("link")
async def link(ctx: Context) -> None:
    """Without a code: issue one. With a code: join this account to its member."""
    if ctx.event.args:
        await _redeem(ctx, ctx.event.args[0])
        return
    if ctx.member is None or ctx.identity is None:
        ctx.reply(
            ctx._(
                "You are not a member here yet. Send /start to join, or send /link CODE "
                "with a code from the platform where you are already a member."
            )
        )
        return
    if not ctx.move_to_private("link"):
        return
    code = await linking.issue(ctx.session, ctx.clock, ctx.member, ctx.identity)
    ctx.reply_private(
        ctx._(
            "Your link code: {code}\n"
            "Within 10 minutes, send /link {code} to the bot on your other platform. "
            "It works once. Your points, reports and rank will then be shared.",
            code=code.code,
        )
    )


async def _redeem(ctx: Context, code: str) -> None:
    event = ctx.event
    result = await linking.redeem(
        ctx.session,
        ctx.clock,
        code,
        platform=event.platform,
        user_id=event.user_id,
        private_chat_id=ctx.private_chat.chat_id,
        identity=ctx.identity,
        member=ctx.member,
    )
    if result.member is None:
        ctx.reply(ctx._(REFUSALS[result.outcome]))
        return
    member = result.member
    ctx.member, ctx.language = member, member.language
    points = (await totals(ctx.session, ctx.settings, member.id, ctx.clock.now())).all_time
    first = (
        ctx._("Linked! Your two memberships are now one.")
        if result.outcome is Outcome.MERGED
        else ctx._(
            "Linked! This {platform} account now shares your membership.",
            platform=platform_name(event.platform),
        )
    )
    ctx.reply(first + "\n" + ctx.ngettext("{n} point in all.", "{n} points in all.", points))
    if result.issuer is not None:
        _tell_issuer(ctx, result.issuer, member, event.platform)


def _tell_issuer(ctx: Context, issuer: Identity, member: Member, platform: str) -> None:
    """The other platform learns of the link too, so a stranger's use of a code shows."""
    if issuer.private_chat_id is None:
        return
    text = ctx.translator.gettext(
        member.language,
        N_(
            "Your {platform} account is now linked to this membership. Not you? Send /unlink there."
        ),
        platform=platform_name(platform),
    )
    ctx.send(Address(issuer.platform, issuer.private_chat_id), Message(text=text))


@router.command("unlink")
async def unlink(ctx: Context) -> None:
    """Detach this account; the history stays with the other platform's account."""
    assert ctx.member is not None and ctx.identity is not None
    alone = await linking.unlink(ctx.session, ctx.clock, ctx.identity, ctx.member)
    if alone is None:
        ctx.reply(ctx._("This account is not linked to another platform."))
        return
    ctx.reply(
        ctx._(
            "Done: this {platform} account is a membership of its own again, starting from "
            "0 points. Your points and reports stay with your other account.",
            platform=platform_name(ctx.event.platform),
        )
    )
