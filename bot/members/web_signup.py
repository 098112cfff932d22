"""Applying on the public sign-up form (``[web] signup``), and keeping spam out of it.

An application made on the web is the one of ``/start`` (:func:`membership.new_applicant`:
same status rule, same consent, the same card to the coordinators) without a platform
account yet: it carries a **claim code**, which the applicant sends to the bot (``/start
CODE`` or Telegram's deep link); the bot then links their account to it
(:func:`membership.claim`) and they wait for the approval as anyone else. An applicant
who never claims is erased like any other: ``/erase``, or the purge of old applicants.

Anti-spam, with nothing about the visitor stored:

* **a rate limit per address**: at most ``[web] signups_per_day`` applications per visitor
  and day, the visitor being a keyed daily hash (HMAC-SHA256 of the address and the day
  under a key kept in the database, as the kit's clicks do) — no IP address is kept, and
  the same visitor on two days gives two unrelated values;
* **a form token**: the form carries a signed, timed, single-use token (two hours), so a
  page of another site cannot post it and a double click or a resent form creates one
  application (the second post shows the first's outcome);
* **a honeypot**: a field people do not see; the form filled in it pretends success and
  creates nothing.

What the limiter and the tokens keep (``platform_state``, platform ``web_signup``) is
deleted after two days.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import platform_state
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.members.membership import Application, new_applicant, new_sponsor_code
from bot.models import Member, PlatformState

STATE = "web_signup"
KEY_NAME = "key"
#: How long a form stays valid after the page was shown.
TOKEN_LIFE = timedelta(hours=2)
#: What the limiter and used tokens keep is deleted after this.
KEPT = timedelta(days=2)
#: The platform named in a web applicant's ``Application`` (no identity is created).
WEB = "web"


async def _key(session: AsyncSession, now: datetime) -> bytes:
    """The deployment's key, created at first use (racing processes agree)."""
    stored = await platform_state.get(session, STATE, KEY_NAME)
    if stored is None:
        try:
            async with session.begin_nested():
                await platform_state.put(session, STATE, KEY_NAME, secrets.token_hex(32), now)
        except IntegrityError:
            pass
        stored = await platform_state.get(session, STATE, KEY_NAME)
        assert stored is not None
    return bytes.fromhex(stored)


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


async def form_token(session: AsyncSession, now: datetime) -> str:
    """A new form's token: ``<unix time>.<nonce>.<signature>``."""
    body = f"{int(now.timestamp())}.{secrets.token_urlsafe(12)}"
    return f"{body}.{_sign(await _key(session, now), 'form:' + body)}"


async def token_nonce(session: AsyncSession, token: str, now: datetime) -> str | None:
    """The nonce of a well-signed token issued less than :data:`TOKEN_LIFE` ago."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    body = f"{parts[0]}.{parts[1]}"
    expected = _sign(await _key(session, now), "form:" + body)
    if not hmac.compare_digest(expected, parts[2]):
        return None
    age = now.timestamp() - int(parts[0])
    return parts[1] if -60 <= age <= TOKEN_LIFE.total_seconds() else None


async def earlier_outcome(session: AsyncSession, nonce: str) -> tuple[bool, Member | None]:
    """Whether a token was posted already, and the applicant its post made (None for a
    honeypot, or when erased since)."""
    value = await platform_state.get(session, STATE, f"form:{nonce}")
    if value is None:
        return False, None
    return True, await session.get(Member, int(value)) if value else None


async def _visitor(session: AsyncSession, settings: Settings, address: str, now: datetime) -> str:
    day = now.astimezone(ZoneInfo(settings.network.timezone)).date().isoformat()
    return _sign(await _key(session, now), f"visitor:{address}\x1f{day}")


async def over_limit(
    session: AsyncSession, settings: Settings, address: str, now: datetime
) -> bool:
    """Whether this address has used up today's applications."""
    count = await platform_state.get(
        session, STATE, "rate:" + await _visitor(session, settings, address, now)
    )
    return int(count or 0) >= settings.web.signups_per_day


async def _remember(
    session: AsyncSession, settings: Settings, *, address: str, nonce: str, member_id: int | None,
    now: datetime,
) -> None:  # fmt: skip
    """Count the post against the address and mark its token used; forget old entries."""
    await session.execute(
        delete(PlatformState).where(
            PlatformState.platform == STATE,
            PlatformState.key != KEY_NAME,
            PlatformState.updated_at < now - KEPT,
        )
    )
    rate = "rate:" + await _visitor(session, settings, address, now)
    count = int(await platform_state.get(session, STATE, rate) or 0)
    await platform_state.put(session, STATE, rate, str(count + 1), now)
    session.add(
        PlatformState(
            platform=STATE, key=f"form:{nonce}", value=str(member_id or ""), updated_at=now
        )
    )
    await session.flush()  # a token posted twice at once: the second fails here


@dataclass(frozen=True, slots=True)
class WebApplication:
    """What the form asks."""

    name: str
    category: str
    language: str
    sponsor_id: int | None


async def _claim_code(session: AsyncSession) -> str:
    """A code no member has, as sponsor code or claim code."""
    while True:
        code = new_sponsor_code()
        taken = await session.scalar(
            select(Member.id).where((Member.sponsor_code == code) | (Member.invite_code == code))
        )
        if taken is None:
            return code


async def apply(
    session: AsyncSession, settings: Settings, clock: Clock, form: WebApplication, *,
    address: str, nonce: str,
) -> Member:  # fmt: skip
    """Create the application (the caller announces it to the coordinators)."""
    application = Application(
        platform=WEB,
        user_id="",
        private_chat_id=None,
        display_name=form.name,
        language=form.language,
        category=form.category,
        sponsor_id=form.sponsor_id,
    )
    member = await new_applicant(
        session, settings, clock, application, invite_code=await _claim_code(session)
    )
    await _remember(
        session, settings, address=address, nonce=nonce, member_id=member.id, now=clock.now()
    )
    return member


async def pretend(
    session: AsyncSession, settings: Settings, clock: Clock, *, address: str, nonce: str
) -> str:
    """A honeypot was filled: count the post, create nothing; a code that claims nothing."""
    now = clock.now()
    await _remember(session, settings, address=address, nonce=nonce, member_id=None, now=now)
    return new_sponsor_code()
