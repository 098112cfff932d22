"""/link and /unlink: one person on several platforms is one member.

``/link`` gives a one-time code privately; ``/link CODE`` on the other platform applies
it (see :mod:`bot.members.linking` for what merging does). Every refusal says what to do next.
The account that issued the code is told, with a button that removes the new account
(``link:revoke``; ``/unlink PLATFORM`` does the same); a role above member waits for the
confirmation of a coordinator (``link:role``) on the new account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from bot.activity.standings import totals
from bot.conversation import flows
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.i18n import N_
from bot.core.payloads import Payload
from bot.core.port import Address, Button, Message
from bot.members import link_roles, linking
from bot.members.link_roles import Confirmation
from bot.members.linking import Outcome
from bot.models import Identity, Member, Role
from handlers import _notify
from handlers._labels import platform_name
from handlers.join import JOIN

router = Router("linking")


@dataclass(frozen=True)
class RevokePress(Payload, prefix="link:revoke"):
    """ "Not me: remove that account", under the notice the issuing account gets."""

    account_id: int


@dataclass(frozen=True)
class RolePress(Payload, prefix="link:role"):
    """A coordinator confirms that a newly linked account carries the membership's role."""

    account_id: int
    member_id: int


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
    Outcome.PENDING: N_(
        "Your application here is waiting for a coordinator's approval: accounts can be "
        "linked once it is approved."
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
    if not linking.may_link(ctx.member):
        ctx.reply(
            ctx._(
                "Accounts can be linked once your membership is active. Your application "
                "is waiting for a coordinator's approval."
            )
        )
        return
    if link_roles.acting_role(ctx.member, ctx.identity) is not ctx.member.role:
        ctx.reply(
            ctx._(
                "This account's role is waiting for a coordinator's confirmation: send /link "
                "from your other account."
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
    if result.outcome is Outcome.LOCKED:
        assert result.retry_at is not None
        minutes = max(1, math.ceil((result.retry_at - ctx.clock.now()).total_seconds() / 60))
        ctx.reply(
            ctx.ngettext(
                "Too many wrong link codes. Try again in {n} minute.",
                "Too many wrong link codes. Try again in {n} minutes.",
                minutes,
            )
        )
        return
    if result.member is None:
        ctx.reply(ctx._(REFUSALS[result.outcome]))
        return
    member = result.member
    ctx.member, ctx.language, ctx.identity = member, member.language, result.linked
    points = (await totals(ctx.session, ctx.settings, member.id, ctx.clock.now())).all_time
    first = (
        ctx._("Linked! Your two memberships are now one.")
        if result.outcome is Outcome.MERGED
        else ctx._(
            "Linked! This {platform} account now shares your membership.",
            platform=platform_name(event.platform),
        )
    )
    lines = [first, ctx.ngettext("{n} point in all.", "{n} points in all.", points)]
    linked, issuer = result.linked, result.issuer
    waiting = next((a for a in (linked, issuer) if a is not None and not a.role_confirmed), None)
    if waiting is linked and waiting is not None:
        lines.append(
            ctx._(
                "Your role ({role}) waits for a coordinator's confirmation: until then, "
                "this account acts as a member.",
                role=ctx._(_role_label(member.role)),
            )
        )
    ctx.reply("\n".join(lines))
    if issuer is None or linked is None:
        return
    confirm_here = waiting is not None and await _ask_confirmation(ctx, waiting, member)
    _tell_issuer(ctx, issuer, linked, member, confirm_here=confirm_here and waiting is linked)
    if confirm_here and waiting is issuer:  # a merge raised the issuer's side: confirm here
        ctx.reply(
            ctx._(
                "If it is you, confirm your role ({role}) for that account.",
                role=ctx._(_role_label(member.role)),
            ),
            [[Button(ctx._("Confirm the role"), RolePress(issuer.id, member.id).pack())]],
        )


async def _ask_confirmation(ctx: Context, account: Identity, member: Member) -> bool:
    """Ask the coordinators to confirm the role on ``account``; True when, there being no
    other coordinator, the member's own account that holds the role is to confirm it."""
    confirmers = await link_roles.confirmers(ctx.session, member)
    if confirmers == [member.id]:
        return True
    press = RolePress(account.id, member.id).pack()

    def render(words: Context) -> Message:
        text = words._(
            "{name} linked a {platform} account to their membership. It acts as a member "
            "until a coordinator confirms their role ({role}) there. Confirm only if you "
            "know it is them.",
            name=member.display_name,
            platform=platform_name(account.platform),
            role=words._(_role_label(member.role)),
        )
        return Message.with_rows(text, [[Button(words._("Confirm the role"), press)]])

    await _notify.to_members(
        ctx, f"link-role:{account.id}", f"link-role:{account.id}", confirmers, render
    )
    return False


def _tell_issuer(
    ctx: Context, issuer: Identity, linked: Identity, member: Member, *, confirm_here: bool
) -> None:
    """The issuing account learns of the link too, with a way to undo it from there: a
    stranger who got the code cannot keep the membership."""
    if issuer.private_chat_id is None:
        return
    language = member.language
    text = ctx.translator.gettext(
        language,
        N_(
            "Your {platform} account is now linked to this membership. Not you? Press "
            "\u201cRemove that account\u201d below, or send /unlink {key} here: that account "
            "leaves, and your membership and role stay here. Do not send /unlink from "
            "this account."
        ),
        platform=platform_name(linked.platform),
        key=linked.platform,
    )
    rows = [
        [
            Button(
                ctx.translator.gettext(language, N_("Remove that account")),
                RevokePress(linked.id).pack(),
            )
        ]
    ]
    if confirm_here:
        text += "\n" + ctx.translator.gettext(
            language,
            N_("If it is you, confirm your role ({role}) for that account."),
            role=ctx.translator.gettext(language, _role_label(member.role)),
        )
        rows.append(
            [
                Button(
                    ctx.translator.gettext(language, N_("Confirm the role")),
                    RolePress(linked.id, member.id).pack(),
                )
            ]
        )
    ctx.send(
        Address(issuer.platform, issuer.private_chat_id),
        replace(Message.with_rows(text, rows), language=language),
    )


def _role_label(role: Role) -> str:
    return {Role.REFERENT: N_("referent"), Role.COORDINATOR: N_("coordinator")}.get(
        role, N_("member")
    )


@router.command("unlink")
async def unlink(ctx: Context) -> None:
    """Without an argument: this account leaves its membership and joins again like a
    newcomer. With a platform: remove that account, which this one linked in."""
    assert ctx.member is not None and ctx.identity is not None
    if ctx.event.args:
        wanted = ctx.event.args[0].lower()
        accounts = await linking.accounts(ctx.session, ctx.member)
        target = next(
            (a for a in accounts if wanted in (a.platform, platform_name(a.platform).lower())),
            None,
        )
        await _revoke(ctx, target)
        return
    member = ctx.member
    if not await linking.unlink(ctx.session, ctx.identity, member):
        ctx.reply(ctx._("This account is not linked to another platform."))
        return
    ctx.member, ctx.identity = None, None
    ctx.reply(
        ctx._(
            "Done: this {platform} account has left that membership; your points and reports "
            "stay with your other account. To take part from here, join as a new member.",
            platform=platform_name(ctx.event.platform),
        )
    )
    await flows.begin(ctx, JOIN, "consent", {"language": ctx.language})


@router.button(RevokePress, access=Access.MEMBER)
async def revoke_pressed(ctx: Context, press: RevokePress) -> None:
    """ "Not me": the account this one linked in leaves the membership."""
    assert ctx.member is not None
    accounts = await linking.accounts(ctx.session, ctx.member)
    await _revoke(ctx, next((a for a in accounts if a.id == press.account_id), None))


async def _revoke(ctx: Context, target: Identity | None) -> None:
    assert ctx.member is not None and ctx.identity is not None
    platform = target.platform if target is not None else ""
    removed = (
        await linking.revoke(ctx.session, ctx.identity, ctx.member, target)
        if target is not None
        else None
    )
    if not removed:
        ctx.reply(
            ctx._(
                "There is no account linked from this one to remove. To separate this "
                "account itself, send /unlink without anything after it."
            )
        )
        return
    done = ctx.ngettext(
        "Done: the {platform} account left your membership; {n} account removed.",
        "Done: the {platform} account left your membership; {n} accounts removed.",
        len(removed),
        platform=platform_name(platform),
    )
    if ctx.event.payload is not None:
        ctx.edit_pressed(done)
    else:
        ctx.reply(done)


@router.button(RolePress, access=Access.ACTIVE, min_role=Role.REFERENT)
async def confirm_pressed(ctx: Context, press: RolePress) -> None:
    """A coordinator (or the only one, from their first account) confirms a linked
    account's role."""
    assert ctx.member is not None
    outcome, member, account = await link_roles.confirm_role(
        ctx.session, ctx.member, press.account_id, press.member_id
    )
    if outcome is Confirmation.GONE or member is None or account is None:
        ctx.edit_pressed(ctx._("This link is no longer waiting for a confirmation."))
        return
    if outcome is Confirmation.NOT_YOURS:
        ctx.reply(ctx._("Another coordinator must confirm this role."))
        return
    ctx.edit_pressed(
        ctx._(
            "Confirmed: {name}'s {platform} account now acts as {role}.",
            name=member.display_name,
            platform=platform_name(account.platform),
            role=ctx._(_role_label(member.role)),
        )
    )
