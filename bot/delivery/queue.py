"""The delivery queue's records: broadcasts are written as rows before anything is sent.

Every delivery has a ``key`` naming its business fact; enqueuing the same key twice adds
nothing, so a re-run job or a retried update cannot send twice. The sender
(:mod:`bot.delivery.sender`) drains the rows; this module only reads and writes them.

Crash rule: a row is marked ``sending`` (with its sender's token) in a committed
transaction before the platform is called, and ``sent`` after. A row found ``sending``
whose sender is dead (its lease lapsed, see :mod:`bot.delivery.lease`) was in flight when
that process died: it may or may not have arrived, and it is marked ``unknown`` and
never retried. Relais prefers a rare missing message to a duplicate one; coordinators see
the ``unknown`` count in the progress of the broadcast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, and_, delete, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.core.port import Address, Button, Message
from bot.delivery.lease import WHOLE, Share
from bot.models import Delivery, DeliverySender, DeliveryStatus, DeliverySubject


@dataclass(frozen=True, slots=True)
class Planned:
    """One delivery to enqueue."""

    key: str
    address: Address
    message: Message
    private: bool = False
    member_id: int | None = None
    #: The members the message names or quotes besides its recipient (an application
    #: card's applicant, a signal card's reporter, everyone a leaderboard may rank):
    #: erasing one of them deletes the stored copy (:func:`forget_renderings`).
    subjects: tuple[int, ...] = ()
    #: Pin the message once sent, where the platform lets the bot (an event's card in
    #: its group while the event is upcoming; see ``Outgoing.pin``).
    pin: bool = False
    #: One copy of a bulk message (a campaign's private messages): sent as a broadcast
    #: (``Outgoing.broadcast``), at the platform's broadcast rate where one is configured.
    broadcast: bool = False


def encode(message: Message, *, pin: bool = False, broadcast: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": message.text,
        "buttons": [
            [
                [button.label, button.payload, *([button.url] if button.url else [])]
                for button in row
            ]
            for row in message.buttons
        ],
    }
    if message.language is not None:
        data["language"] = message.language
    if pin:
        data["pin"] = True
    if broadcast:
        data["broadcast"] = True
    return data


def pinned(data: dict[str, Any]) -> bool | None:
    """The stored message's pin request, as ``Outgoing.pin`` takes it."""
    return True if data.get("pin") else None


def broadcast(data: dict[str, Any]) -> bool:
    """Whether the stored message is one copy of a broadcast (see ``Planned.broadcast``)."""
    return bool(data.get("broadcast"))


def decode(data: dict[str, Any], image_png: bytes | None) -> Message:
    rows = [
        [Button(label, payload, url=rest[0] if rest else None) for label, payload, *rest in row]
        for row in data.get("buttons", [])
    ]
    return Message(
        text=str(data["text"]),
        buttons=tuple(tuple(row) for row in rows),
        image_png=image_png,
        language=data.get("language"),
    )


async def enqueue(
    session: AsyncSession, now: datetime, batch: str, planned: Sequence[Planned]
) -> int:
    """Add deliveries in the caller's transaction; returns how many were new."""
    if not planned:
        return 0
    rows = [
        {
            "key": item.key,
            "batch": batch,
            "platform": item.address.platform,
            "chat_id": item.address.chat_id,
            "thread_id": item.address.thread_id,
            "private": item.private,
            "member_id": item.member_id,
            "message": encode(item.message, pin=item.pin, broadcast=item.broadcast),
            "image_png": item.message.image_png,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "not_before": now,
            "created_at": now,
        }
        for item in planned
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    before = await _count(session, batch)
    await session.execute(insert(Delivery).on_conflict_do_nothing(index_elements=["key"]), rows)
    added = await _count(session, batch) - before
    subjects = [
        {"delivery_key": item.key, "member_id": member_id}
        for item in planned
        for member_id in sorted(set(item.subjects))
    ]
    if subjects:
        await session.execute(
            insert(DeliverySubject).on_conflict_do_nothing(
                index_elements=["delivery_key", "member_id"]
            ),
            subjects,
        )
    return added


def about(member_ids: Sequence[int]) -> Any:
    """The deliveries that reach or name these members: addressed to them, or recorded
    with them as a subject when queued."""
    named = select(DeliverySubject.delivery_key).where(DeliverySubject.member_id.in_(member_ids))
    return or_(Delivery.member_id.in_(member_ids), Delivery.key.in_(named))


async def forget_renderings(session: AsyncSession, member_ids: Sequence[int]) -> int:
    """Delete every stored message to or about these members, whatever its state: a
    pending one is not sent any more, a sent one keeps no copy of their name or words.
    Returns how many."""
    if not member_ids:
        return 0
    result = await session.execute(
        delete(Delivery).where(about(member_ids)).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


#: States a delivery does not leave: only these are pruned.
SETTLED = (
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.UNREACHABLE,
    DeliveryStatus.UNKNOWN,
)


async def prune(session: AsyncSession, before: datetime) -> int:
    """Delete settled deliveries (sent, failed, unreachable, unknown) created before
    ``before``: the queue's copies of messages are kept only as long as the retention
    period says. Pending rows stay, whatever their age. Returns how many."""
    result = await session.execute(
        delete(Delivery)
        .where(Delivery.status.in_(SETTLED), Delivery.created_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def _count(session: AsyncSession, batch: str) -> int:
    return int(await session.scalar(select(func.count()).where(Delivery.batch == batch)) or 0)


async def progress(session: AsyncSession, batch: str) -> dict[DeliveryStatus, int]:
    """How many deliveries of a broadcast are in each state."""
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.batch == batch)
        .group_by(Delivery.status)
    )
    counts = {status: 0 for status in DeliveryStatus}
    counts.update({status: int(n) for status, n in rows})
    return counts


async def cancel_pending(session: AsyncSession, batch: str) -> int:
    """Give up what a broadcast has not sent yet (a cancelled campaign): those rows end
    ``failed`` with the reason, so its progress still adds up."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.batch == batch, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED, last_error="cancelled")
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def recover_in_flight(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """Rows left ``sending`` by a dead sender become ``unknown``; a sender is dead when
    its lease (:mod:`bot.delivery.lease`) lapsed before ``now``. Rows another live sender
    has in flight stay as they are. Lapsed leases are then forgotten. Returns how many
    rows became ``unknown`` and how many leases were forgotten."""
    live = select(DeliverySender.owner).where(DeliverySender.expires_at > now)
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.status == DeliveryStatus.SENDING,
            or_(Delivery.claimed_by.is_(None), Delivery.claimed_by.not_in(live)),
        )
        .values(status=DeliveryStatus.UNKNOWN, last_error="process stopped while sending")
        .execution_options(synchronize_session=False)
    )
    forgotten = await session.execute(
        delete(DeliverySender).where(DeliverySender.expires_at <= now)
    )
    return (
        int(getattr(result, "rowcount", 0) or 0),
        int(getattr(forgotten, "rowcount", 0) or 0),
    )


async def due(
    session: AsyncSession,
    now: datetime,
    platforms: Sequence[str],
    limit: int,
    *,
    after: int = 0,
    shares: Mapping[str, Share] | None = None,
) -> list[Delivery]:
    """The oldest pending deliveries that may go now, on the running platforms; with
    ``after``, those whose id is greater (the next page while the previous one is still
    being sent, whose rows are pending too). With ``shares`` (PostgreSQL, several
    processes), only the chats of this sender's share of each platform."""
    result = await session.scalars(
        select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.not_before <= now,
            _served(platforms, shares or {}),
            Delivery.id > after,
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    return list(result)


def _served(platforms: Sequence[str], shares: Mapping[str, Share]) -> Any:
    """The rows of these platforms that this sender serves: a platform shared by several
    senders gives each the chats whose id hashes to its index (PostgreSQL's
    ``hashtext``, the same in every process), so one chat is served by one sender."""
    whole = [name for name in platforms if shares.get(name, WHOLE).count == 1]
    clauses: list[ColumnElement[bool]] = [Delivery.platform.in_(whole)] if whole else []
    for name in platforms:
        share = shares.get(name, WHOLE)
        if share.count > 1:
            bucket = func.mod(func.hashtext(Delivery.chat_id).cast(BigInteger) + 2**31, share.count)
            clauses.append(and_(Delivery.platform == name, bucket == share.index))
    return or_(*clauses) if clauses else false()
