"""A private message refused on one platform is queued once for the member's next one.

When a platform refuses a private delivery for good (Telegram: the person blocked the
bot; Discord: they closed their DMs), the sender marks the delivery ``unreachable`` and,
in the same transaction, the app records the refusal (:mod:`bot.members.facts`, the one
writer of "unreachable") and calls :func:`fall_back`. When the member has another
reachable private chat on a running platform (:mod:`bot.delivery.recipients` picks it,
never on the platform that refused), it queues the very same message there.

Exactly once: the new delivery's key is the refused one's plus ``~<platform>``, so the
queue's unique key turns a second attempt (a re-run job, a retried hook) into nothing,
and a job that runs again finds its own key already taken. Channel posts never fall back:
only private messages addressed to a member do.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import queue
from bot.delivery.recipients import private_recipients
from bot.models import Delivery, DeliverySubject

log = logging.getLogger(__name__)

#: ``Delivery.key`` is at most this long.
MAX_KEY = 160


def fallback_key(key: str, platform: str) -> str:
    """The key of ``key``'s copy for ``platform``; hashed when it would be too long."""
    candidate = f"{key}~{platform}"
    if len(candidate) <= MAX_KEY:
        return candidate
    digest = hashlib.sha256(candidate.encode()).hexdigest()[:32]
    return f"{key[: MAX_KEY - len(digest) - len(platform) - 3]}~{digest}~{platform}"


async def fall_back(
    session: AsyncSession, row: Delivery, platforms: Collection[str], now: datetime
) -> bool:
    """Queue ``row``'s message on the member's next reachable platform; True if queued
    (False too when it had already been queued: nothing is sent twice)."""
    if not row.private or row.member_id is None:
        return False
    found = await private_recipients(session, [row.member_id], platforms, excluding=[row.platform])
    if not found:
        return False
    recipient = found[0]
    planned = queue.Planned(
        key=fallback_key(row.key, recipient.address.platform),
        address=recipient.address,
        message=queue.decode(row.message, row.image_png),
        private=True,
        member_id=row.member_id,
        subjects=tuple(
            await session.scalars(
                select(DeliverySubject.member_id).where(DeliverySubject.delivery_key == row.key)
            )
        ),
    )
    added = await queue.enqueue(session, now, row.batch, [planned])
    if added:
        log.info(
            "delivery %s refused on %s; queued again on %s",
            row.id,
            row.platform,
            recipient.address.platform,
        )
    return bool(added)
