"""What a platform saw happen, in neutral form: the facts adapters report.

An adapter knows things the app must remember: a chat refused the bot for good, a group
moved to a new id, someone joined the server. It does not write them. It raises the
port's :class:`~bot.core.port.Unreachable` from ``send`` (the caller turns that into a
:class:`ChatClosed`) or awaits ``app.report(fact)``; :mod:`bot.members.facts` writes
each fact, by one rule, in one place. Each fact is stated so that reporting it twice
changes nothing the second time: adapters may report what they are not sure was seen.

Only the facts some adapter reports are here; a new one comes with its first reporter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChatClosed:
    """A chat refused a message for good: the person blocked the bot or never opened
    the private chat (Telegram's 403), closed their DMs (Discord's 50007), or the chat
    is gone. ``chat_id`` is the address the message went to; ``reason`` is the
    platform's words, for the log."""

    platform: str
    chat_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ChatMigrated:
    """A chat changed its id for good (a Telegram group upgraded to a supergroup)."""

    platform: str
    old_chat_id: str
    new_chat_id: str


@dataclass(frozen=True, slots=True)
class MemberJoined:
    """Someone joined the platform's server (Discord's GUILD_MEMBER_ADD): whatever
    server roles they held went when they left, so Relais' roles must be put back."""

    platform: str
    user_id: str


#: Every fact an adapter may report.
Fact = ChatClosed | ChatMigrated | MemberJoined
