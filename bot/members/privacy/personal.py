"""The member row itself, and the categories a referent speaks for.

``/mydata`` shows every field of the row and the categories they are referent of.
``/forget`` does not delete the row: it becomes an anonymous husk (status ``forgotten``,
hidden from leaderboards) so that the anonymous reports and points that point to it keep
statistics and everyone else's totals right. Every personal field goes — name, e-mail,
phone, time zone, chosen platform, invitation code, import key, consent record, sponsor
link — and a fresh sponsor code replaces theirs; what stays (category, language, dates)
names nobody. Before the fields are blanked, keyed hashes of the name, e-mail and phone
go to the suppression list, so that no re-import of the spreadsheet brings them back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import suppression
from bot.members.membership import unused_code
from bot.members.privacy._kind import Erasure, when
from bot.models import Member, MemberStatus, ReferentCategory, Role, Visibility

ERASES = {
    "members": "anonymised: the row stays as a husk with no personal field, so that the "
    "anonymous reports and points pointing to it keep the totals right",
    "referent_categories": "deleted: a forgotten member speaks for no category",
}
KEEPS = {
    "suppressions": "written: keyed hashes of the name, e-mail and phone (nothing in "
    "clear), so that no re-import of the spreadsheet brings the person back",
}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    referent_of = await session.scalars(
        select(ReferentCategory.category)
        .where(ReferentCategory.member_id == member.id)
        .order_by(ReferentCategory.category)
    )
    return {
        "member": {
            "id": member.id,
            "name": member.display_name,
            "email": member.email,
            "phone": member.phone,
            "status": member.status.value,
            "role": member.role.value,
            "category": member.category,
            "language": member.language,
            "timezone": member.timezone,
            "leaderboard_visibility": member.visibility.value,
            "preferred_platform": member.preferred_platform,
            "sponsor_code": member.sponsor_code,
            "sponsor_id": member.sponsor_id,
            "joined_at": when(member.joined_at),
            "consent_at": when(member.consent_at),
            "consent_version": member.consent_version,
            "last_action_at": when(member.last_action_at),
        },
        "referent_of": list(referent_of),
    }


async def erase(erasure: Erasure) -> None:
    session, member = erasure.session, erasure.member
    await suppression.remember(session, [member.id], erasure.clock)  # before the fields go
    await session.execute(delete(ReferentCategory).where(ReferentCategory.member_id == member.id))
    member.role = Role.MEMBER
    member.display_name = ""
    member.email = member.phone = member.timezone = member.preferred_platform = None
    member.invite_code = member.import_key = None
    member.consent_at = member.consent_version = None
    member.sponsor_id = None
    member.sponsor_code = await unused_code(session)
    member.status = MemberStatus.FORGOTTEN
    member.visibility = Visibility.HIDDEN
    member.forgotten_at = erasure.clock.now()
