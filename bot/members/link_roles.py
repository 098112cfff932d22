"""Roles over a link: a role above member is not carried to a newly linked account until
a coordinator confirms it.

An account that joins a referent's or a coordinator's membership through ``/link`` (or the
side of a merge that did not hold the higher role) has ``Identity.role_confirmed`` False:
the app's gate lets it act as a plain member only, server roles and Telegram menus leave
it out, and private messages go to the member's other accounts. The confirmation comes
from an active coordinator other than that member; when there is none (the only
coordinator linking their own second account, a referent in a network without a
coordinator), from the member's own account that already held the role.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import role_sync
from bot.models import Identity, Member, MemberStatus, Role


def acting_role(member: Member, identity: Identity | None) -> Role:
    """The role this account acts with: a plain member's while its link waits for the
    role's confirmation."""
    if identity is not None and not identity.role_confirmed:
        return Role.MEMBER
    return member.role


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"
    GONE = "gone"  # the account left the membership, or its role was confirmed already
    NOT_YOURS = "not_yours"  # another coordinator must confirm


async def confirmers(session: AsyncSession, member: Member) -> list[int]:
    """Who confirms a role reached through a link: the active coordinators other than
    ``member``; when there is none, ``member`` itself (from an account that held the role)."""
    others = list(
        await session.scalars(
            select(Member.id).where(
                Member.role == Role.COORDINATOR,
                Member.status == MemberStatus.ACTIVE,
                Member.id != member.id,
            )
        )
    )
    return others or [member.id]


async def confirm_role(
    session: AsyncSession, by: Member, account_id: int, member_id: int
) -> tuple[Confirmation, Member | None, Identity | None]:
    """``by`` confirms that the account ``account_id`` of member ``member_id`` carries the
    membership's role. The gate already made sure ``by`` acts with its role from here."""
    account = await session.get(Identity, account_id)
    member = await session.get(Member, member_id)
    if account is None or member is None or account.member_id != member.id:
        return Confirmation.GONE, None, None
    if account.role_confirmed:
        return Confirmation.GONE, member, account
    if by.id not in await confirmers(session, member):
        return Confirmation.NOT_YOURS, member, account
    account.role_confirmed = True
    await role_sync.request(session, accounts=[(account.platform, account.user_id)])
    return Confirmation.CONFIRMED, member, account
