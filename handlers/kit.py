"""The ambassador's kit in the chat: /kit browses it by topic (most-shared, then newest
first, paged), /kit WORDS searches it; an item opens with its text, file and buttons.

**Share** gives the member the post text with their personal tracked link (when
``[web] public_url`` is set; otherwise the item's plain link) and counts a mention once
per member and item (:mod:`bot.animation.kit.sharing`); **Copy the text** sends the text
alone, to copy; **I used it** is a sign of life, counted once per member and item for
those who run the kit. Referents of an item's categories and
coordinators see its reach and may retire it; /kitadd adds one (:mod:`handlers._kit_add`).
"""

from __future__ import annotations

from bot.activity import engagement
from bot.animation.kit import items, sharing
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit
from bot.core.port import Button, Message
from bot.members import roles
from bot.models import KitItem, Role
from handlers import _kit_add as add
from handlers._kit_view import (
    ALL,
    KitAct,
    KitAdmin,
    KitList,
    KitOpen,
    body,
    is_manager,
    item_message,
    page_of,
    reach_text,
)

router = Router("kit")
router.flow(add.ADD)
router.flow(add.EDIT)

MAX_WORDS = 100


@router.command("kit")
async def kit(ctx: Context) -> None:
    """Topics and the first page, or the search's results."""
    assert ctx.member is not None
    now = ctx.clock.now()
    words = " ".join(ctx.event.args).strip()[:MAX_WORDS]
    if words:
        found = await items.listing(ctx.session, ctx.member, now, words=words)
        if not found:
            ctx.reply(ctx._("Nothing in the kit matches “{words}”.", words=words))
            return
        header = ctx._("The kit: {n} found for “{words}”.", n=len(found), words=words)
        ctx.send(ctx.answer_to or ctx.event.chat, page_of(ctx, found, ALL, 0, header))
        return
    everything = await items.listing(ctx.session, ctx.member, now)
    if not everything:
        ctx.reply(ctx._("The kit is empty for now."))
        return
    topics = items.topics(everything)
    rows = [[Button(f"#{tag} ({n})", KitList(tag, 0).pack())] for tag, n in topics[:12]]
    header = ctx._(
        "The kit: {n} items. Pick a topic, or send /kit followed by words to search.",
        n=len(everything),
    )
    message = page_of(ctx, everything, ALL, 0, header)
    ctx.send(
        ctx.answer_to or ctx.event.chat,
        Message(message.text, tuple(tuple(row) for row in rows) + message.buttons),
    )


@router.button(KitList, access=Access.ACTIVE)
async def listed(ctx: Context, press: KitList) -> None:
    assert ctx.member is not None
    tag = None if press.tag == ALL else press.tag
    found = await items.listing(ctx.session, ctx.member, ctx.clock.now(), tag=tag)
    header = ctx._("The kit: #{topic}", topic=tag) if tag else ctx._("The kit")
    ctx.send(ctx.private_chat, page_of(ctx, found, press.tag, press.page, header))


async def _item(ctx: Context, item_id: int) -> KitItem | None:
    """The pressed item if the presser may see it; None (told) otherwise."""
    assert ctx.member is not None
    item = await ctx.session.get(KitItem, item_id)
    if item is None or not items.visible_to(item, ctx.member, ctx.clock.now()):
        ctx.reply_private(ctx._("This item is no longer in the kit."))
        return None
    return item


async def _manages(ctx: Context, item: KitItem) -> bool:
    """Coordinators manage every item; referents those of their categories only."""
    assert ctx.member is not None
    if ctx.member.role is Role.COORDINATOR:
        return True
    if ctx.member.role is not Role.REFERENT or not item.category_list:
        return False
    mine = set(await roles.categories_of(ctx.session, ctx.settings, ctx.member))
    return set(item.category_list) <= mine


@router.button(KitOpen, access=Access.ACTIVE)
async def opened(ctx: Context, press: KitOpen) -> None:
    item = await _item(ctx, press.item_id)
    if item is None:
        return
    manager = is_manager(ctx) and await _manages(ctx, item)
    ctx.send(ctx.private_chat, item_message(ctx, item, manager=manager))
    if manager:
        reach = await sharing.item_reach(ctx.session, item.id)
        ctx.reply_private(reach_text(ctx, reach))


@router.button(KitAct, access=Access.ACTIVE)
async def acted(ctx: Context, press: KitAct) -> None:
    assert ctx.member is not None
    item = await _item(ctx, press.item_id)
    if item is None:
        return
    text = body(ctx, item)
    if press.action == "c":
        ctx.reply_private(text or item.link or item.title)
        return
    if press.action == "u":
        now = ctx.clock.now()
        engagement.sign_of_life(ctx.member, now)
        if await sharing.used(ctx.session, ctx.member, item, now):
            ctx.reply_private(ctx._("Thank you for using it!"))
        else:
            ctx.reply_private(ctx._("Already counted: thank you for using it again!"))
        return
    shared = await sharing.share(ctx.session, ctx.settings, ctx.clock, ctx.member, item)
    link = sharing.tracked_link(ctx.settings, shared.share) if item.link else None
    post = "\n\n".join(part for part in (text or item.title, link or item.link) if part)
    ctx.reply_private(ctx._("Your post, ready to copy and share:"))
    ctx.reply_private(post)
    if shared.first:
        lines = [ctx._("Thank you! Your share counts as a mention.")]
        if shared.points:
            lines.append(ctx.ngettext("+{n} point", "+{n} points", shared.points))
        if link:
            lines.append(ctx._("Clicks on your link earn a small bonus."))
        ctx.reply_private("\n".join(lines))


@router.button(KitAdmin, access=Access.ACTIVE, min_role=Role.REFERENT)
async def managed(ctx: Context, press: KitAdmin) -> None:
    assert ctx.member is not None
    item = await ctx.session.get(KitItem, press.item_id)
    if item is None or not await _manages(ctx, item):
        ctx.reply_private(ctx._("This button is no longer active."))
        return
    if press.action == "e":
        await add.begin_edit(ctx, item)
        return
    if items.retire(item, ctx.clock.now()):
        audit.record(
            ctx.session, ctx.clock, actor_id=ctx.member.id, action="kit.retire", item_id=item.id
        )
    ctx.edit_pressed(ctx._("Retired from the kit: {title}", title=item.title))
    ctx.reply_private(ctx._("Retired: members no longer see it; shared links keep working."))


@router.command("kitadd")
async def kit_add(ctx: Context) -> None:
    """Start adding an item (in private)."""
    await add.begin(ctx)
