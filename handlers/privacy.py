"""GDPR self-service: /mydata, /forget, a coordinator's /erase on request, and asking
members to agree again when the consent text changes.

Buttons: ``gdpr:consent:yes|no``, ``gdpr:forget:<member id>`` (only that member may
press it), ``gdpr:erase:<member id>`` (active coordinators only, declared where it is
registered), ``gdpr:keep`` (changed mind).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select

from bot.conversation.commands import Access, resolve
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import ids
from bot.core.payloads import SEPARATOR, Payload
from bot.core.port import Button, Message
from bot.members import privacy, roles
from bot.models import Member, MemberStatus, Role
from handlers._labels import category_name
from handlers.join import consent_text

router = Router("privacy")
MATCHES_SHOWN = 10


@dataclass(frozen=True)
class ConsentPress(Payload, prefix="gdpr:consent"):
    answer: Literal["yes", "no"]
    #: The command the person had sent, run once they agree (its arguments when they fit).
    command: str | None = None
    args: str | None = None


@dataclass(frozen=True)
class ForgetPress(Payload, prefix="gdpr:forget"):
    member_id: int


@dataclass(frozen=True)
class KeepPress(Payload, prefix="gdpr:keep"):
    """The "No, keep it" button under either erasure question."""


@dataclass(frozen=True)
class ErasePress(Payload, prefix="gdpr:erase"):
    member_id: int


@router.consent_missing
def ask_consent(ctx: Context) -> None:
    """Ask a member to agree to the current consent text before going on; the "I agree"
    button carries the command they sent, so agreeing carries it out."""
    ctx.reply_private(
        ctx._("The consent text has changed.") + "\n" + consent_text(ctx),
        [
            [Button(ctx._("I agree"), _agree(ctx))],
            [Button(ctx._("I do not agree"), ConsentPress("no").pack())],
        ],
    )


def _agree(ctx: Context) -> str:
    """``gdpr:consent:yes:leaderboard:month``: the command and, when they fit in a
    payload (64 bytes, no colon), its arguments."""
    command = resolve(ctx.event.command) if ctx.event.command else None
    if command is None:
        return ConsentPress("yes").pack()
    args = " ".join(ctx.event.args)
    if args and SEPARATOR not in args:
        try:
            return ConsentPress("yes", command.name, args).pack()
        except ValueError:
            pass  # too long: the command alone
    return ConsentPress("yes", command.name).pack()


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
    if await roles.is_last_coordinator(ctx.session, ctx.member):
        ctx.reply_private(_last_coordinator(ctx))
        return
    ctx.reply_private(
        ctx._(
            "Erase your data? Your name, contacts and accounts are deleted, your reports are "
            "kept without anything that identifies you, and you leave the leaderboards. "
            "This cannot be undone."
        ),
        [
            [Button(ctx._("Yes, erase my data"), ForgetPress(ctx.member.id).pack())],
            [Button(ctx._("No, keep it"), KeepPress().pack())],
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
    number = ids.row_id(query)
    if number is not None:
        found = found.where(Member.id == number)
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
            [Button(ctx._("Erase"), ErasePress(member.id).pack())],
            [Button(ctx._("No, keep it"), KeepPress().pack())],
        ],
    )


@router.button(KeepPress, access=Access.MEMBER, before_consent=True)
async def keep(ctx: Context, _press: KeepPress) -> None:
    """The person changed their mind: nothing happens."""
    ctx.edit_pressed(ctx._("Nothing was erased."))


@router.button(ConsentPress, access=Access.MEMBER, before_consent=True)
async def consent(ctx: Context, press: ConsentPress) -> None:
    """Agree (or not) to the current consent text."""
    member = ctx.member
    assert member is not None
    if press.answer == "no":
        ctx.edit_pressed(
            ctx._(
                "Understood. You cannot take part without agreeing; you can erase your data "
                "with /forget, or agree later with any command."
            )
        )
        return
    privacy.give_consent(member, ctx.settings, ctx.clock.now())
    if press.command is not None and resolve(press.command) is not None:
        ctx.edit_pressed(ctx._("Thank you!"))
        ctx.follow_up = (press.command, tuple((press.args or "").split()))
        return
    ctx.edit_pressed(ctx._("Thank you! You can go on: send your command again."))


@router.button(ForgetPress, access=Access.MEMBER, before_consent=True)
async def forget_confirmed(ctx: Context, press: ForgetPress) -> None:
    """Erase the presser's own data; the button names them, so a forwarded or someone
    else's confirmation erases nobody."""
    member = ctx.member
    assert member is not None
    if press.member_id != member.id:
        ctx.reply(ctx._("This button is no longer active."))
        return
    try:
        await privacy.forget(ctx.session, member, ctx.clock, actor_id=member.id)
    except privacy.LastCoordinator:
        ctx.edit_pressed(_last_coordinator(ctx))
        return
    ctx.edit_pressed(
        ctx._("Your data was erased. Goodbye, and thank you.") + "\n" + _what_is_kept(ctx)
    )


@router.button(ErasePress, access=Access.ACTIVE, min_role=Role.COORDINATOR)
async def erase_confirmed(ctx: Context, press: ErasePress) -> None:
    """A coordinator confirms erasing a member on their request."""
    target = await ctx.session.get(Member, press.member_id)
    if target is None or target.status is MemberStatus.FORGOTTEN:
        ctx.reply(ctx._("This button is no longer active."))
        return
    assert ctx.member is not None
    try:
        await privacy.forget(ctx.session, target, ctx.clock, actor_id=ctx.member.id)
    except privacy.LastCoordinator:
        ctx.edit_pressed(_last_coordinator(ctx))
        return
    ctx.edit_pressed(
        ctx._("Member #{id} was erased.", id=press.member_id) + "\n" + _what_is_kept(ctx)
    )


def _what_is_kept(ctx: Context) -> str:
    """What an erasure keeps, as docs/privacy.md says it (one wording for both)."""
    return ctx._(
        "Kept, without any name: the kinds and dates of the reports and their points (so "
        "totals and statistics do not move), and the opportunity signals the coordinators "
        "had already taken up: their kind, description, stage and history. Their contact "
        "details, and any signal not taken up yet, were erased."
    )


def _last_coordinator(ctx: Context) -> str:
    return ctx._(
        "The network's last coordinator cannot be erased: nobody would be left to approve "
        "members or appoint anyone. Appoint a successor first with /coordinator #NUMBER "
        "(member numbers are in /members), then ask again."
    )
