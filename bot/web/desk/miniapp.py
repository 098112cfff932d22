"""Checking a Telegram Mini App's ``initData``: who opened the desk inside Telegram.

Telegram signs the launch data with the bot's token (core.telegram.org/bots/webapps,
"Validating data received via the Mini App"): the *data-check-string* is every received
``key=value`` pair except ``hash``, sorted by key and joined with line feeds; the secret
key is HMAC-SHA256 of the bot token keyed with ``WebAppData``; ``hash`` must be the hex
HMAC-SHA256 of the data-check-string under that key. The comparison is constant-time,
and an ``auth_date`` older than :data:`MAX_AGE` is refused, so a leaked ``initData``
cannot be replayed later. What the page sends is never trusted otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

#: How old a Mini App's launch data may be when it signs in.
MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class LaunchUser:
    """The Telegram user who opened the Mini App, as Telegram signed it."""

    user_id: str
    language_code: str | None


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(pairs: dict[str, str]) -> str:
    return "\n".join(f"{key}={pairs[key]}" for key in sorted(pairs) if key != "hash")


def sign(pairs: dict[str, str], bot_token: str) -> str:
    """The ``hash`` Telegram would put on these pairs (tests sign their launch data)."""
    check = data_check_string(pairs).encode()
    return hmac.new(secret_key(bot_token), check, hashlib.sha256).hexdigest()


def validate(init_data: str, bot_token: str, now: datetime) -> LaunchUser | None:
    """The signed user of this ``initData``, or None when the signature is wrong, the
    data is older than :data:`MAX_AGE` (or from the future), or it names no user."""
    try:
        pairs = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return None
    received = pairs.get("hash", "")
    if not received or not hmac.compare_digest(sign(pairs, bot_token), received):
        return None
    try:
        signed_at = datetime.fromtimestamp(int(pairs.get("auth_date", "")), UTC)
        user = json.loads(pairs.get("user", ""))
    except (ValueError, OverflowError, OSError):
        return None
    if not now - MAX_AGE <= signed_at <= now + timedelta(minutes=1):
        return None
    if not isinstance(user, dict) or not isinstance(user.get("id"), int):
        return None
    language = user.get("language_code")
    return LaunchUser(str(user["id"]), language if isinstance(language, str) else None)
