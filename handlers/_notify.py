"""Telling other people: members in private, each in their language, and bound channels.

Everything goes through the delivery queue (:mod:`bot.delivery.queue`) with a key naming the
fact ("signal 12 won, to its reporter"), so a retried update cannot tell anyone twice,
and the sender paces the messages within each platform's limits after the commit.
Replies to the person who acted stay in the update's outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from bot.conversation.context import Context
from bot.core.port import Message
from bot.delivery import channels, queue
from bot.delivery.recipients import Recipient, private_recipients
from handlers._labels import speaking

Render = Callable[[Context], Message]


async def to_recipients(
    ctx: Context,
    batch: str,
    key: str,
    recipients: Iterable[Recipient],
    render: Render,
    subjects: Sequence[int] = (),
) -> None:
    """Queue one message per recipient, rendered in the recipient's language;
    ``subjects`` are the members it names (erasing one deletes the copies)."""
    planned = [
        queue.Planned(
            key=f"{key}:m{recipient.member_id}",
            address=recipient.address,
            message=replace(render(speaking(ctx, recipient.language)), language=recipient.language),
            private=True,
            member_id=recipient.member_id,
            subjects=tuple(subjects),
        )
        for recipient in recipients
    ]
    if await queue.enqueue(ctx.session, ctx.clock.now(), batch, planned):
        ctx.queued = True


async def to_members(
    ctx: Context, batch: str, key: str, member_ids: Iterable[int], render: Render
) -> None:
    found = await private_recipients(ctx.session, member_ids, ctx.platforms)
    await to_recipients(ctx, batch, key, found, render)


async def to_channel(
    ctx: Context, batch: str, key: str, scope: str, render: Render, subjects: Sequence[int] = ()
) -> None:
    """Queue a message to the chats bound to ``scope``, in the network's language."""
    addresses = await channels.addresses_for(ctx.session, ctx.settings, scope, ctx.platforms)
    words = speaking(ctx, ctx.settings.network.default_language)
    planned = [
        queue.Planned(
            key=f"{key}:{address.platform}",
            address=address,
            message=render(words),
            subjects=tuple(subjects),
        )
        for address in addresses
    ]
    if await queue.enqueue(ctx.session, ctx.clock.now(), batch, planned):
        ctx.queued = True
