"""/bind and /unbind: coordinators make a group, forum topic or channel serve a scope."""

from __future__ import annotations

from bot.conversation import arguments
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit
from bot.delivery import channels
from handlers._labels import category_name

router = Router("channels")


def scope_name(ctx: Context, scope: str) -> str:
    category = channels.scope_category(scope)
    if category is not None:
        return category_name(ctx, category)
    if scope == channels.GENERAL:
        return ctx._("General")
    return ctx._("Coordinators")


def _audit(ctx: Context, action: str, scope: str) -> None:
    """Bindings decide where broadcasts go: record who changed which chat."""
    assert ctx.member is not None
    audit.record(
        ctx.session,
        ctx.clock,
        actor_id=ctx.member.id,
        action=action,
        platform=ctx.event.platform,
        chat=ctx.event.chat_id,
        thread=ctx.event.thread_id,
        scope=scope,
    )


def _scope(ctx: Context, word: str) -> str | None:
    """``general``, ``coordinators`` (or their French words), or a category key or name."""
    fixed = arguments.choice(ctx.translator, word, (channels.GENERAL, channels.COORDINATORS))
    if fixed is not None:
        return fixed
    category = ctx.settings.category_named(word)
    return channels.parse_scope(ctx.settings, category.key if category else word)


@router.command("bind")
async def bind(ctx: Context) -> None:
    """Bind the chat (or topic) the command was sent in."""
    assert ctx.member is not None
    if ctx.event.is_private:
        ctx.refuse(ctx._("Send /bind in the group, topic or channel you want to bind."))
        return
    scope = _scope(ctx, ctx.event.args[0]) if ctx.event.args else None
    if scope is None:
        keys = ", ".join(c.key for c in ctx.settings.categories)
        ctx.refuse(
            ctx._("Usage: /bind <category|general|coordinators>. Categories: {keys}", keys=keys)
        )
        return
    await channels.bind(ctx.session, ctx.event.chat, scope, by=ctx.member.id, now=ctx.clock.now())
    _audit(ctx, "channel.bind", scope)
    ctx.reply(ctx._("This chat is now the channel for: {scope}.", scope=scope_name(ctx, scope)))


@router.command("unbind")
async def unbind(ctx: Context) -> None:
    """Stop using this chat (or topic) as a channel."""
    assert ctx.member is not None
    scope = await channels.unbind(ctx.session, ctx.event.chat)
    if scope is None:
        ctx.refuse(ctx._("This chat is not bound to anything."))
        return
    _audit(ctx, "channel.unbind", scope)
    ctx.reply(
        ctx._("This chat is no longer the channel for: {scope}.", scope=scope_name(ctx, scope))
    )
