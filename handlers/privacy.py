"""GDPR self-service: /mydata, /forget, a coordinator's /erase on request, and asking
members to agree again when the consent text changes.

Buttons: ``gdpr:consent:yes|no``, ``gdpr:forget:<member id>`` (only that member may
press it), ``gdpr:erase:<member id>`` (coordinators only), ``gdpr:keep`` (changed mind).
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.port import Button, Message
from bot.members import privacy
from bot.models import Member, MemberStatus
from handlers._labels import category_name, is_coordinator
from handlers.join import consent_text

router = Router("privacy")
MATCHES_SHOWN = 10


@router.consent_missing
def ask_consent(ctx: Context) -> None:
    """Ask a member to agree to the current consent text before going on."""
    ctx.reply_private(
        ctx._("The consent text has changed.") + "\n" + consent_text(ctx),
        [
            [Button(ctx._("I agree"), "gdpr:consent:yes")],
            [Button(ctx._("I do not agree"), "gdpr:consent:no")],
        ],
    )


@router.command("mydata")
async def my_data(ctx: Context) -> None:
    """Send the member every piece of data Relais holds about them, as a JSON file."""
    assert ctx.member is not None
    data = await privacy.my_data(ctx.session, ctx.member)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    if not ctx.move_to_private():
        return
    ctx.send(
        ctx.private_chat,
        Message(
            text=ctx._(
                "Here is everything {network} keeps about you.", network=ctx.settings.network.name
            ),
            document=("relais-mydata.json", content),
        ),
    )


@router.command("forget")
async def forget(ctx: Context) -> None:
    """Ask for confirmation before erasing the member's data."""
    assert ctx.member is not None
    if not ctx.move_to_private():
        return
    ctx.reply_private(
        ctx._(
            "Erase your data? Your name, contacts and accounts are deleted, your reports are "
            "kept without anything that identifies you, and you leave the leaderboards. "
            "This cannot be undone."
        ),
        [
            [Button(ctx._("Yes, erase my data"), f"gdpr:forget:{ctx.member.id}")],
            [Button(ctx._("No, keep it"), "gdpr:keep")],
        ],
    )


@router.command("erase")
async def erase(ctx: Context) -> None:
    """A coordinator erases a member on request: find them, then confirm."""
    query = " ".join(ctx.event.args).strip()
    if not query:
        ctx.reply_private(ctx._("Usage: /erase NUMBER or /erase NAME"))
        return
    found = select(Member).where(Member.status != MemberStatus.FORGOTTEN)
    if query.lstrip("#").isdigit():
        found = found.where(Member.id == int(query.lstrip("#")))
    else:
        found = found.where(func.lower(Member.display_name).contains(query.lower()))
    matches = list(await ctx.session.scalars(found.order_by(Member.id).limit(MATCHES_SHOWN + 1)))
    if not matches:
        ctx.reply_private(ctx._("No member matches."))
        return
    if len(matches) > 1:
        lines = [ctx._("Several members match; send /erase NUMBER:")]
        lines += [
            f"#{m.id} {m.display_name} ({category_name(ctx, m.category)})"
            for m in matches[:MATCHES_SHOWN]
        ]
        ctx.reply_private("\n".join(lines))
        return
    member = matches[0]
    ctx.reply_private(
        ctx._(
            "Erase the data of #{id} {name} ({category})? This cannot be undone.",
            id=member.id,
            name=member.display_name,
            category=category_name(ctx, member.category),
        ),
        [
            [Button(ctx._("Erase"), f"gdpr:erase:{member.id}")],
            [Button(ctx._("No, keep it"), "gdpr:keep")],
        ],
    )


@router.button("gdpr")
async def pressed(ctx: Context, parts: list[str]) -> None:
    """Consent answers and erasure confirmations, each checked against who pressed."""
    member = ctx.member
    assert member is not None
    action, arg = [*parts, "", ""][:2]
    if action == "keep":
        ctx.edit_pressed(ctx._("Nothing was erased."))
    elif action == "consent" and arg in ("yes", "no"):
        await _consent(ctx, member, agreed=arg == "yes")
    elif action == "forget" and arg == str(member.id):
        await privacy.forget(ctx.session, member, ctx.clock, actor_id=member.id)
        ctx.edit_pressed(ctx._("Your data was erased. Goodbye, and thank you."))
    elif action == "erase" and arg.isdigit():
        await _erase(ctx, int(arg))
    else:
        ctx.reply(ctx._("This button is no longer active."))


async def _consent(ctx: Context, member: Member, *, agreed: bool) -> None:
    if not agreed:
        ctx.edit_pressed(
            ctx._(
                "Understood. You cannot take part without agreeing; you can erase your data "
                "with /forget, or agree later with any command."
            )
        )
        return
    privacy.give_consent(member, ctx.settings, ctx.clock.now())
    ctx.edit_pressed(ctx._("Thank you! You can go on: send your command again."))


async def _erase(ctx: Context, member_id: int) -> None:
    if not is_coordinator(ctx):
        ctx.reply(ctx._("This button is for coordinators."))
        return
    target = await ctx.session.get(Member, member_id)
    if target is None or target.status is MemberStatus.FORGOTTEN:
        ctx.reply(ctx._("This button is no longer active."))
        return
    assert ctx.member is not None
    await privacy.forget(ctx.session, target, ctx.clock, actor_id=ctx.member.id)
    ctx.edit_pressed(ctx._("Member #{id} was erased.", id=member_id))
