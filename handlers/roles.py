"""Coordinators appoint referents and coordinators, move members between categories, and
list members; referents list their own categories' members.

``/referent #12 business`` appoints, ``/referent remove #12 business`` removes;
``/coordinator #12`` and ``/coordinator remove #12`` likewise; ``/move #12 sport``. Each
change writes an audit entry and tells the member, in their language.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.activity import engagement
from bot.conversation import arguments, paging
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit, web_links
from bot.core.i18n import N_
from bot.members import membership, notices, roles
from bot.members.roles import Change
from bot.models import Member, MemberStatus, Role
from handlers._desk import with_desk
from handlers._labels import category_name, category_of
from handlers._people import category_keys, category_word, member_line, named_member, tell

router = Router("roles")

MEMBERS_SHOWN = 20
NOW_REFERENT = N_(
    "You are now a referent of the {category} ambassadors. Send /plan to post an action "
    "plan to their channel."
)
NO_LONGER_REFERENT = N_("You are no longer a referent of the {category} ambassadors.")
NOW_COORDINATOR = N_("You are now a coordinator of the network. Send /help to see your commands.")
NO_LONGER_COORDINATOR = N_("You are no longer a coordinator of the network.")


def _split(ctx: Context, args: tuple[str, ...]) -> tuple[bool, list[str]]:
    """``remove`` (or ``add``, ``retirer``, ``ajouter``) may come first or last: the typed
    and the slash forms."""
    words = list(args)
    remove = False
    for position in (0, -1):
        found = (
            arguments.choice(ctx.translator, words[position], ("add", "remove")) if words else None
        )
        if found is not None:
            words.pop(position)
            remove = found == "remove"
            break
    return remove, words


def _refusal(ctx: Context, change: Change) -> str | None:
    if change is Change.NOT_ACTIVE:
        return ctx._("This member is not active yet: approve them first (/pending).")
    if change is Change.FROM_CONFIG:
        return ctx._("This role comes from the configuration file ([roles]); change it there.")
    if change is Change.LAST:
        return ctx._("The network needs at least one coordinator: appoint another first.")
    return None


@router.command("referent")
async def referent(ctx: Context) -> None:
    """Appoint or remove a referent of a category."""
    assert ctx.member is not None
    remove, words = _split(ctx, ctx.event.args)
    category = category_word(ctx, words[1]) if len(words) == 2 else None
    if category is None:
        ctx.reply(
            ctx._(
                "Usage: /referent #12 <category>, or /referent remove #12 <category>. "
                "Categories: {keys}",
                keys=category_keys(ctx),
            )
        )
        return
    target = await named_member(ctx, words[0])
    if target is None:
        return
    now = ctx.clock.now()
    if remove:
        change = await roles.remove_referent(ctx.session, ctx.settings, target, category)
    else:
        change = await roles.appoint_referent(
            ctx.session, target, category, by=ctx.member.id, now=now
        )
    refusal = _refusal(ctx, change)
    if refusal is not None:
        ctx.reply(refusal)
        return
    name, of = target.display_name, category_of(ctx, category)
    if change is Change.ALREADY:
        text = (
            ctx._("{name} is not a referent {of_category}.", name=name, of_category=of)
            if remove
            else ctx._("{name} is already a referent {of_category}.", name=name, of_category=of)
        )
        ctx.reply(text)
        return
    action = "referent.remove" if remove else "referent.appoint"
    entry = audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action=action,
        target_member_id=target.id, category=category,
    )  # fmt: skip
    message = NO_LONGER_REFERENT if remove else NOW_REFERENT
    await tell(ctx, target.id, entry, message, category_key=category)
    if remove:
        ctx.reply(ctx._("{name} is no longer a referent {of_category}.", name=name, of_category=of))
    else:
        ctx.reply(ctx._("{name} is now a referent {of_category}.", name=name, of_category=of))


@router.command("coordinator")
async def coordinator(ctx: Context) -> None:
    """Appoint another coordinator, or remove one."""
    assert ctx.member is not None
    remove, words = _split(ctx, ctx.event.args)
    if len(words) != 1:
        ctx.reply(ctx._("Usage: /coordinator #12, or /coordinator remove #12."))
        return
    target = await named_member(ctx, words[0])
    if target is None:
        return
    if remove:
        change = await roles.remove_coordinator(ctx.session, ctx.settings, target)
    else:
        change = await roles.appoint_coordinator(ctx.session, target)
    refusal = _refusal(ctx, change)
    if refusal is not None:
        ctx.reply(refusal)
        return
    name = target.display_name
    if change is Change.ALREADY:
        ctx.reply(
            ctx._("{name} is not a coordinator.", name=name)
            if remove
            else ctx._("{name} is already a coordinator.", name=name)
        )
        return
    action = "coordinator.remove" if remove else "coordinator.appoint"
    entry = audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action=action, target_member_id=target.id
    )
    await tell(ctx, target.id, entry, NO_LONGER_COORDINATOR if remove else NOW_COORDINATOR)
    if remove:
        ctx.reply(ctx._("{name} is no longer a coordinator.", name=name))
    else:
        ctx.reply(ctx._("{name} is now a coordinator.", name=name))


@router.command("move")
async def move(ctx: Context) -> None:
    """Move a member to another category."""
    assert ctx.member is not None
    words = ctx.event.args
    category = category_word(ctx, words[1]) if len(words) == 2 else None
    if category is None:
        ctx.reply(ctx._("Usage: /move #12 <category>. Categories: {keys}", keys=category_keys(ctx)))
        return
    target = await named_member(ctx, words[0])
    if target is None:
        return
    where = category_name(ctx, category)
    if target.category == category:
        ctx.reply(
            ctx._("{name} is already in {category}.", name=target.display_name, category=where)
        )
        return
    entry = await membership.move(ctx.session, ctx.clock, target, category, by=ctx.member.id)
    assert entry is not None
    await tell(ctx, target.id, entry, notices.MOVED, category_key=category)
    ctx.reply(ctx._("{name} is now in {category}.", name=target.display_name, category=where))


@dataclass(frozen=True)
class MembersPage(paging.PagePress, prefix="pg:mb"):
    """A page of /members; ``filters`` holds the category key asked for, if any."""


@router.command("members")
async def members(ctx: Context) -> None:
    """Active members of a category (a referent: of their own), with their numbers."""
    category = None
    if ctx.event.args:
        category = category_word(ctx, ctx.event.args[0])
        if category is None:
            ctx.reply(
                ctx._("Usage: /members [category]. Categories: {keys}", keys=category_keys(ctx))
            )
            return
    await _show_members(ctx, category, 0)


@router.button(MembersPage, access=Access.ACTIVE, min_role=Role.REFERENT)
async def members_page(ctx: Context, press: MembersPage) -> None:
    """Previous / Next under /members (the caller's scope is checked again)."""
    words = press.words()
    category = ctx.settings.category_named(words[0]) if words else None
    await _show_members(ctx, category.key if category else None, press.page)


async def _show_members(ctx: Context, category: str | None, page: int) -> None:
    assert ctx.member is not None
    mine = await roles.categories_of(ctx.session, ctx.settings, ctx.member)
    if category is not None and category not in mine:
        ctx.reply(ctx._("You are not a referent of this category."))
        return
    wanted = [category] if category else mine
    in_scope = (Member.status == MemberStatus.ACTIVE, Member.category.in_(wanted))
    state = engagement.state(ctx.clock.now(), ctx.settings.nudges.dormant_days)
    counts = {
        found: int(n)
        for found, n in await ctx.session.execute(
            select(state, func.count()).where(*in_scope).group_by(state)
        )
    }
    total = sum(counts.values())
    window = paging.Window.of(page, MEMBERS_SHOWN, total)
    shown = (
        await ctx.session.execute(
            select(Member, state)
            .where(*in_scope)
            .order_by(Member.id)
            .offset(window.offset)
            .limit(MEMBERS_SHOWN)
        )
    ).all()
    lines = [ctx.ngettext("{n} active member", "{n} active members", total)]
    if total:
        lines.append(
            ctx._(
                "Active: {active}; dormant: {dormant}; never activated: {never}",
                active=counts.get(engagement.State.ACTIVE, 0),
                dormant=counts.get(engagement.State.DORMANT, 0),
                never=counts.get(engagement.State.NEVER_ACTIVATED, 0),
            )
        )
    marks = {
        engagement.State.DORMANT: ctx._("dormant"),
        engagement.State.NEVER_ACTIVATED: ctx._("never activated"),
    }
    for member, found in shown:
        mark = marks.get(engagement.State(found)) if found else None
        lines.append(member_line(ctx, member) + (f" · {mark}" if mark else ""))
    footer = paging.footer(ctx, window)
    lines += [footer] if footer else []
    lines = with_desk(ctx, lines, web_links.MEMBERS)

    def press(number: int) -> MembersPage:
        return MembersPage(number, paging.pack_filters([category] if category else []))

    paging.show(ctx, "\n".join(lines), [paging.buttons(ctx, window, press)])
