"""The card's QR link: ``<public_url>/v/<card id>.<signature>``.

The signature is HMAC-SHA256 over the card's id and its random code, under the
deployment's card key, cut to 128 bits and written in URL-safe base64 (22 characters):
the link is short enough for a QR code a phone reads at arm's length, and nobody can make
one for a card number without the key. The card row stays the truth: a link verifies
only while its card exists, is not revoked and has not expired (see
:mod:`bot.cards.verification`); the code is in the signature, so a card number reused
after an erasure never revives an old link.

The key is ``RELAIS_CARD_SECRET`` when set (several deployments or a rebuilt database
keep the printed cards valid), else 32 random bytes made at first use and kept in the
database like the kit's click key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import platform_state
from bot.core.config import Settings

KEY_PLACE = ("relais", "card_key")
SIGNATURE_LENGTH = 22
TOKEN = re.compile(r"^([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{22})$")


async def key(session: AsyncSession, settings: Settings, now: datetime) -> bytes:
    """The card key: the environment's secret, else the database's (made once)."""
    if settings.card_secret is not None:
        return settings.card_secret.get_secret_value().encode("utf-8")
    platform, name = KEY_PLACE
    stored = await platform_state.get(session, platform, name)
    if stored is None:
        try:
            async with session.begin_nested():
                await platform_state.put(session, platform, name, secrets.token_hex(32), now)
        except IntegrityError:  # another process made it first: use theirs
            pass
        stored = await platform_state.get(session, platform, name)
        assert stored is not None
    return bytes.fromhex(stored)


def signature(secret: bytes, card_id: int, code: str) -> str:
    digest = hmac.new(secret, f"card:{card_id}:{code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def token(secret: bytes, card_id: int, code: str) -> str:
    return f"{card_id}.{signature(secret, card_id, code)}"


def parse(text: str) -> tuple[int, str] | None:
    """The card id and signature a token claims, or None when it is not even shaped
    like one."""
    found = TOKEN.fullmatch(text)
    return (int(found.group(1)), found.group(2)) if found else None


def matches(secret: bytes, card_id: int, code: str, claimed: str) -> bool:
    return hmac.compare_digest(signature(secret, card_id, code), claimed)


def link(settings: Settings, value: str) -> str | None:
    """The verification page of a token, when the web has a public address."""
    base = settings.web.public_url
    return f"{base}/v/{value}" if base else None
