"""GDPR: consent versions, a member's own data (``/mydata``), erasure (``/forget``,
``/erase``), and forgetting old applicants. docs/privacy.md tells the same story to
coordinators and operators.

Each module of the package is one kind of data (the member row, accounts, e-mail,
messages, reports, points, answers and nudges, events, quiz, kit, cards, directory,
desk, audit log): what ``/mydata`` shows of it, what ``/forget`` does to it, and in
``ERASES`` and ``KEEPS`` which tables it erases or anonymises and which it leaves, each
with the reason. :data:`NOT_PERSONAL` lists the tables that hold nothing about a person.
A test checks that together they name every table of the models, and that ``/forget``
writes to no other, so a new table cannot be forgotten.

Erasure keeps the member row as an anonymous husk (status ``forgotten``): identities,
flows in progress, every personal field and every stored message to or about them go.
Report texts, links and contacts are blanked, and coordinators' notes on them too; the
reports' kinds, dates and points stay, so aggregates and everyone else's totals do not
move. A signal a coordinator already took up stays as the network's business record,
without its reporter's contact. A forgotten member has no identity left, so nothing can
reach them again, and leaderboards only show active members. The last active coordinator
cannot be erased (:class:`LastCoordinator`): the network would have nobody left to
approve, appoint or erase.

On SQLite, every connection deletes securely (``PRAGMA secure_delete``) and the caller
checkpoints the write-ahead log after the erasure commits (:func:`bot.core.db.scrub`),
so the erased bytes are in neither file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit, db
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.members import roles, suppression
from bot.members.privacy import (
    accounts,
    animation,
    audit_trail,
    cards,
    desk,
    directory,
    events,
    kit,
    mail,
    messages,
    personal,
    points,
    quiz,
    reports,
)
from bot.members.privacy._kind import Erasure, Kind
from bot.members.privacy._not_personal import NOT_PERSONAL
from bot.models import Identity, Member, MemberStatus

__all__ = [
    "KINDS",
    "NOT_PERSONAL",
    "LastCoordinator",
    "forget",
    "give_consent",
    "my_data",
    "needs_consent",
    "purge_applicants",
]

#: The kinds of data, in the order ``/mydata`` shows them and ``/forget`` erases them:
#: the member row first (the suppression list reads the name, e-mail and phone before
#: they are blanked), the record of the erasure last. Whatever needs the member's
#: accounts after theirs went finds them in :attr:`Erasure.accounts`.
KINDS: tuple[Kind, ...] = (
    personal,
    accounts,
    mail,
    messages,
    reports,
    points,
    animation,
    events,
    quiz,
    kit,
    cards,
    directory,
    desk,
    audit_trail,
)


class LastCoordinator(Exception):
    """The member is the last active coordinator: erasing them would leave the network
    with nobody to approve, appoint or erase. Another coordinator is appointed first."""


def needs_consent(member: Member, settings: Settings) -> bool:
    """The member agreed to another version of the consent text (or to none)."""
    return (
        member.status is not MemberStatus.FORGOTTEN
        and member.consent_version != settings.privacy.consent_version
    )


def give_consent(member: Member, settings: Settings, now: datetime) -> None:
    member.consent_at = now
    member.consent_version = settings.privacy.consent_version


async def my_data(session: AsyncSession, member: Member) -> dict[str, Any]:
    """Everything Relais holds about this member, as JSON-ready data."""
    data: dict[str, Any] = {}
    for kind in KINDS:
        data |= await kind.export(session, member)
    return data


async def forget(
    session: AsyncSession, member: Member, clock: Clock, *, actor_id: int | None
) -> None:
    """Erase a member's personal data in the caller's transaction (see the module doc),
    or raise :class:`LastCoordinator` having changed nothing."""
    if await roles.is_last_coordinator(session, member):
        raise LastCoordinator(member.id)
    their_accounts = (
        await session.execute(
            select(Identity.platform, Identity.user_id).where(Identity.member_id == member.id)
        )
    ).all()
    erasure = Erasure(
        session,
        member,
        clock,
        actor_id=actor_id,
        accounts=tuple((platform, user_id) for platform, user_id in their_accounts),
    )
    for kind in KINDS:
        await kind.erase(erasure)
    db.request_scrub(session)


async def purge_applicants(session: AsyncSession, settings: Settings, clock: Clock) -> int:
    """Delete applicants never approved (pending or rejected) older than the retention
    period; returns how many. Safe to run any number of times."""
    cutoff = clock.now() - timedelta(days=settings.privacy.applicant_retention_days)
    stale = select(Member.id).where(
        Member.status.in_([MemberStatus.PENDING, MemberStatus.REJECTED]),
        Member.joined_at < cutoff,
    )
    ids = list(await session.scalars(stale))
    if not ids:
        return 0
    await suppression.remember(session, ids, clock)  # no import brings them back
    await _unreachable(session, ids)
    await session.execute(delete(Member).where(Member.id.in_(ids)))
    audit.record(session, clock, actor_id=None, action="member.purge", count=len(ids))
    db.request_scrub(session)
    return len(ids)


async def _unreachable(session: AsyncSession, member_ids: Sequence[int]) -> None:
    """What the purge deletes before the applicants' rows (whose own foreign keys take the
    rest): their accounts and what hangs on them, the messages to or about them, their
    address's state and their desk sign-ins."""
    await accounts.drop(session, member_ids)
    await messages.drop(session, member_ids)
    await mail.drop(session, member_ids)
    await desk.sign_out(session, member_ids)
