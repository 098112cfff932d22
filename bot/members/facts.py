"""The one place that writes what platforms report (:mod:`bot.core.facts`).

One function per fact, one rule each; :func:`write` picks it. The app calls it in a
transaction of its own per report (:meth:`bot.app.Relais.report`), and for a refused
broadcast inside the sender's transaction that records the refusal: the same function
either way, so a refusal means the same thing whether it met a reply or a queued
message. Every rule is idempotent — the same fact written twice changes nothing the
second time — because adapters cannot always tell whether a fact was already seen (two
service messages announce one migration; a broadcast and a reply may both be refused).

The rules, and why:

* :class:`ChatClosed` — the identity whose private chat it is becomes unreachable, and
  stays so from the *first* refusal (``unreachable_at`` is not moved by later ones): it
  says since when Relais cannot write there. The identity is found on that platform by
  its private chat or by its own id, because a private chat the app has not seen yet is
  addressed by the person's id (``Context.private_chat``), and on Telegram and Discord a
  private chat's id is the person's. A group's or a channel's refusal matches nobody
  and writes nothing. Before, three places wrote this by three conditions: the Telegram
  adapter (any 403 to a private chat, by private chat or user id), the Discord adapter
  (error 50007 only, by user id) and the delivery fallback (any refusal of a private
  delivery, by member and private chat), each moving the date at every refusal.
* E-mail's refusals (a 5xx) mark the member's *address* unreachable instead
  (``email_addresses.unreachable_at``): e-mail's chat id is the member's id.
* Only the person clears it, by writing to the bot in that private chat
  (:func:`chat_reopened`, called by the app for such a message).
* :class:`ChatMigrated` — the chat's channel bindings follow it to its new id
  (:func:`bot.delivery.channels.migrate_chat`), or the channel would go dark.
* :class:`MemberJoined` — a role sync is requested for the account, as for any change of
  what a person should hold (:mod:`bot.members.role_sync`): Discord dropped their server
  roles when they left. The app applies it once the transaction committed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.facts import ChatClosed, ChatMigrated, Fact, MemberJoined
from bot.delivery import channels
from bot.mailing import EMAIL, addresses
from bot.members import role_sync
from bot.models import EmailAddress, Identity

log = logging.getLogger(__name__)


async def write(session: AsyncSession, fact: Fact, now: datetime) -> bool:
    """Write ``fact`` by its rule; True when something changed."""
    match fact:
        case ChatClosed():
            return await chat_closed(session, fact, now)
        case ChatMigrated():
            return await chat_migrated(session, fact)
        case MemberJoined():
            return await member_joined(session, fact)


async def chat_closed(session: AsyncSession, fact: ChatClosed, now: datetime) -> bool:
    """Mark unreachable the identity whose private chat refused (see the module's rule);
    True if one was marked now, False if none matches or it already was."""
    if fact.platform == EMAIL:
        return await _address_refused(session, fact, now)
    result = await session.execute(
        update(Identity)
        .where(
            Identity.platform == fact.platform,
            or_(Identity.private_chat_id == fact.chat_id, Identity.user_id == fact.chat_id),
            Identity.unreachable_at.is_(None),
        )
        .values(unreachable_at=now)
    )
    marked = bool(getattr(result, "rowcount", 0))
    if marked:
        log.info("%s: a private chat refused the bot (%s); unreachable", fact.platform, fact.reason)
    return marked


async def _address_refused(session: AsyncSession, fact: ChatClosed, now: datetime) -> bool:
    """E-mail's "chat" is the member (its id): their address bounced for good; the
    first refusal's date stays."""
    try:
        member_id = int(fact.chat_id)
    except ValueError:
        return False
    await addresses.ensure(session, [member_id], now)
    result = await session.execute(
        update(EmailAddress)
        .where(EmailAddress.member_id == member_id, EmailAddress.unreachable_at.is_(None))
        .values(unreachable_at=now, unreachable_reason=fact.reason[:64] or None)
    )
    marked = bool(getattr(result, "rowcount", 0))
    if marked:
        log.info("email: an address refused for good (%s); unreachable", fact.reason)
    return marked


def chat_reopened(identity: Identity) -> bool:
    """The person wrote to the bot in their private chat: it accepts messages again.
    True if they had been unreachable."""
    if identity.unreachable_at is None:
        return False
    identity.unreachable_at = None
    return True


async def chat_migrated(session: AsyncSession, fact: ChatMigrated) -> bool:
    """Move the old chat's channel bindings to the new id; True if any moved."""
    moved = await channels.migrate_chat(session, fact.platform, fact.old_chat_id, fact.new_chat_id)
    if moved:
        log.info(
            "%s: chat %s became %s; its channel follows",
            fact.platform,
            fact.old_chat_id,
            fact.new_chat_id,
        )
    return moved > 0


async def member_joined(session: AsyncSession, fact: MemberJoined) -> bool:
    """Ask for the account's server roles to be put back (nothing for an account of a
    platform without roles)."""
    await role_sync.request(session, accounts=[(fact.platform, fact.user_id)])
    return fact.platform in role_sync.PLATFORMS
