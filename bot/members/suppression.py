"""The suppression list: people who asked to be erased are never re-created by an import.

When a member uses ``/forget``, is erased by a coordinator, or is purged as a stale
applicant, :func:`remember` writes keyed hashes (HMAC-SHA256) of their normalized email,
phone and name-in-category in the same transaction; ``relais import members`` skips any
row whose identifiers hash to one of them. Nothing in clear is kept: without the key, a
digest says nothing and cannot be tested against a guessed address.

The key is 32 random bytes generated at first use and kept in the database
(``platform_state``); every process of the deployment shares it, and it never changes, or
the list would stop matching.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import platform_state
from bot.core.batching import chunked
from bot.core.clock import Clock
from bot.models import Member, Suppression

#: Where the key is kept (``platform_state``: platform, key).
KEY_PLACE = ("relais", "suppression_key")


def fold(text: str) -> str:
    """A name as compared: no accents, no case, single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().split())


def normalize_phone(text: str) -> str:
    """A phone number as compared: its digits, with a leading + kept."""
    digits = re.sub(r"\D", "", text)
    return f"+{digits}" if text.strip().startswith("+") else digits


def identifiers(
    *, email: str | None, phone: str | None, name: str, category: str | None
) -> list[str]:
    """The normalized identifiers of a person, each tagged with what it is."""
    found = []
    if email:
        found.append(f"email:{email.strip().lower()}")
    if phone and normalize_phone(phone):
        found.append(f"phone:{normalize_phone(phone)}")
    if fold(name):
        found.append(f"name:{category or ''}:{fold(name)}")
    return found


def digest(key: bytes, identifier: str) -> str:
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()


async def stored_key(session: AsyncSession) -> bytes | None:
    """The key if one was made (none yet: nobody was ever erased)."""
    stored = await platform_state.get(session, *KEY_PLACE)
    return bytes.fromhex(stored) if stored else None


async def key(session: AsyncSession, now: datetime) -> bytes:
    """The deployment's key, created at first use (two processes racing agree: the
    loser reads the winner's)."""
    platform, name = KEY_PLACE
    stored = await platform_state.get(session, platform, name)
    if stored is None:
        try:
            async with session.begin_nested():
                await platform_state.put(session, platform, name, secrets.token_hex(32), now)
        except IntegrityError:
            pass
        stored = await platform_state.get(session, platform, name)
        assert stored is not None
    return bytes.fromhex(stored)


async def remember(session: AsyncSession, member_ids: Sequence[int], clock: Clock) -> None:
    """Add these members' identifiers to the list, before their data is erased (in the
    caller's transaction, so the list and the erasure commit together)."""
    if not member_ids:
        return
    now = clock.now()
    secret = await key(session, now)
    wanted: set[str] = set()
    for ids in chunked(member_ids):
        people = await session.execute(
            select(Member.email, Member.phone, Member.display_name, Member.category).where(
                Member.id.in_(ids)
            )
        )
        for email, phone, name, category in people:
            found = identifiers(email=email, phone=phone, name=name, category=category)
            wanted.update(digest(secret, identifier) for identifier in found)
    new = wanted - await known(session, wanted)
    session.add_all(Suppression(digest=value, created_at=now) for value in sorted(new))
    await session.flush()


async def known(session: AsyncSession, digests: Iterable[str]) -> set[str]:
    """Which of these digests are on the list."""
    found: set[str] = set()
    for values in chunked(digests):
        found.update(
            await session.scalars(select(Suppression.digest).where(Suppression.digest.in_(values)))
        )
    return found
