"""The second half of ``relais import members``: checked rows into the database, a batch
at a time (see :mod:`bot.cli.importer` for the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.importer import Outcome, Row
from bot.cli.progress import Progress
from bot.core import audit
from bot.core.batching import chunked
from bot.core.clock import Clock
from bot.mailing import addresses
from bot.members import role_sync, suppression
from bot.members.membership import new_sponsor_code
from bot.models import Member, MemberStatus, ReferentCategory, Role, Visibility

#: Rows per batch: a dozen bind parameters each, well under PostgreSQL's 32,767.
BATCH = 1000


def _differs(row: Row, member: Member, referent_of: set[str]) -> bool:
    return (
        (member.category, member.language, member.role, member.email, member.phone)
        != (row.category, row.language, row.role, row.email, row.phone)
    ) or (row.role is Role.REFERENT and row.category not in referent_of)


async def _erased(session: AsyncSession, secret: bytes, batch: list[Row]) -> set[int]:
    """The lines of the rows whose people are on the suppression list."""
    digests = {
        row.line: {suppression.digest(secret, identifier) for identifier in row.identifiers}
        for row in batch
    }
    listed = await suppression.known(session, set().union(*digests.values()))
    return {line for line, mine in digests.items() if mine & listed}


async def import_members(
    session: AsyncSession,
    clock: Clock,
    rows: Iterable[Row],
    *,
    dry_run: bool,
    update: bool,
    progress: Progress | None = None,
) -> Outcome:
    """Create the rows' new members, skip the erased, and list (or, with ``update``,
    apply) the changes to members already there; nothing is written on a dry run."""
    outcome = Outcome()
    secret = await suppression.stored_key(session)
    for batch in chunked(rows, BATCH):
        outcome.rows += len(batch)
        if secret is not None:
            erased = await _erased(session, secret, batch)
            outcome.suppressed += [row.line for row in batch if row.line in erased]
            batch = [row for row in batch if row.line not in erased]
        found = {
            member.import_key: member
            for member in await session.scalars(
                select(Member).where(Member.import_key.in_([row.key for row in batch]))
            )
        }
        referent_of: dict[int, set[str]] = {}
        for member_id, category in await session.execute(
            select(ReferentCategory.member_id, ReferentCategory.category).where(
                ReferentCategory.member_id.in_([m.id for m in found.values()])
            )
        ):
            referent_of.setdefault(member_id, set()).add(category)
        new = [row for row in batch if row.key not in found]
        outcome.created += len(new)
        changed = [
            row
            for row in batch
            if row.key in found
            and _differs(row, found[row.key], referent_of.get(found[row.key].id, set()))
        ]
        outcome.changed += [row.line for row in changed]
        outcome.unchanged += len(batch) - len(new) - len(changed)
        if not dry_run:
            await _create(session, clock, new)
            if update and changed:
                await _update(session, clock, [(row, found[row.key]) for row in changed])
                outcome.updated += len(changed)
        if progress is not None:
            progress.advance(outcome.rows - progress.done)
    if not dry_run:
        audit.record(
            session,
            clock,
            actor_id=None,
            action="import.members",
            created=outcome.created,
            unchanged=outcome.unchanged,
            changed=len(outcome.changed),
            updated=outcome.updated,
            skipped_erased=len(outcome.suppressed),
        )
    return outcome


async def _create(session: AsyncSession, clock: Clock, rows: list[Row]) -> None:
    if not rows:
        return
    codes = await _fresh_codes(session, 2 * len(rows))
    now = clock.now()
    values: list[dict[str, Any]] = [
        {
            "display_name": row.name,
            "email": row.email,
            "phone": row.phone,
            "status": MemberStatus.ACTIVE,
            "role": row.role,
            "category": row.category,
            "language": row.language,
            "visibility": Visibility.NAME,
            "sponsor_code": codes.pop(),
            "invite_code": codes.pop(),
            "import_key": row.key,
            "joined_at": now,
        }
        for row in rows
    ]
    created = await session.execute(insert(Member).returning(Member.id, Member.import_key), values)
    ids = {key: member_id for member_id, key in created}
    referents = [
        {"member_id": ids[row.key], "category": row.category, "appointed_at": now}
        for row in rows
        if row.role is Role.REFERENT
    ]
    if referents:
        await session.execute(insert(ReferentCategory), referents)


async def _update(session: AsyncSession, clock: Clock, pairs: list[tuple[Row, Member]]) -> None:
    """Apply the file to members already there: category, language, role, contact; a
    referent becomes referent of the row's category, a member stops being one."""
    now = clock.now()
    await addresses.address_changed(
        session, [member.id for row, member in pairs if row.email != member.email]
    )
    for row, member in pairs:
        member.category, member.language = row.category, row.language
        member.email, member.phone, member.role = row.email, row.phone, row.role
        if row.role is Role.MEMBER:
            await session.execute(
                delete(ReferentCategory).where(ReferentCategory.member_id == member.id)
            )
        elif row.role is Role.REFERENT:
            have = await session.scalar(
                select(ReferentCategory.id).where(
                    ReferentCategory.member_id == member.id,
                    ReferentCategory.category == row.category,
                )
            )
            if have is None:
                session.add(
                    ReferentCategory(member_id=member.id, category=row.category, appointed_at=now)
                )
    await session.flush()
    await role_sync.request(session, members=[member.id for _row, member in pairs])


async def _fresh_codes(session: AsyncSession, count: int) -> list[str]:
    """``count`` distinct codes used by no member as sponsor or invitation code."""
    codes: set[str] = set()
    while len(codes) < count:
        batch = {new_sponsor_code() for _ in range(count - len(codes))} - codes
        for chunk in chunked(sorted(batch), BATCH):
            for column in (Member.sponsor_code, Member.invite_code):
                taken = await session.scalars(select(column).where(column.in_(chunk)))
                batch -= {code for code in taken if code}
        codes |= batch
    return list(codes)
