"""Their place in the directory: their profile, the introductions they asked for or were
asked (with the messages), and their monthly meetings.

``/mydata`` shows the profile, the requests (a decline shows as open to the asker: it is
the answering member's own business) and the meetings. ``/forget`` deletes the profile,
every request they asked or received and every meeting they were paired for: the
directory forgets them at once (the messages queued that named them go with
:mod:`bot.members.privacy.messages`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import Introduction, MeetingPair, Member, Profile

ERASES = {
    "profiles": "deleted: what they typed about themselves, and their @username",
    "introductions": "deleted: both sides of a request, with its message",
    "meeting_pairs": "deleted: whom they were paired with",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    member_id = member.id
    profile = await session.get(Profile, member_id)
    asked = await session.scalars(
        select(Introduction)
        .where(or_(Introduction.asker_id == member_id, Introduction.target_id == member_id))
        .order_by(Introduction.id)
    )
    met = await session.scalars(
        select(MeetingPair)
        .where(or_(MeetingPair.first_id == member_id, MeetingPair.second_id == member_id))
        .order_by(MeetingPair.id)
    )
    shown = None
    if profile is not None:
        shown = {
            "listed": profile.listed,
            "organisation": profile.organisation,
            "job_title": profile.job_title,
            "town": profile.town,
            "tags": profile.tag_list(),
            "languages": profile.languages,
            "presentation": profile.presentation,
            "offers": profile.offers,
            "seeks": profile.seeks,
            "accepts_introductions": profile.contact,
            "shares_email": profile.share_email,
            "monthly_meetings": profile.pairs,
            "telegram_username": profile.handle,
        }
    return {
        "directory": {
            "profile": shown,
            "introductions": [
                {
                    "asked_by_me": intro.asker_id == member_id,
                    "other_member": intro.target_id
                    if intro.asker_id == member_id
                    else intro.asker_id,
                    "message": intro.message,
                    # A decline is the answering member's own business.
                    "status": intro.status.value
                    if intro.target_id == member_id or intro.status.value != "declined"
                    else "open",
                    "at": when(intro.created_at),
                }
                for intro in asked
            ],
            "meetings": [
                {
                    "month": pair.month,
                    "with": pair.second_id if pair.first_id == member_id else pair.first_id,
                    "met_at": when(pair.met_at),
                }
                for pair in met
            ],
        },
    }


async def erase(erasure: Erasure) -> None:
    session, member_id = erasure.session, erasure.member.id
    await session.execute(delete(Profile).where(Profile.member_id == member_id))
    await session.execute(
        delete(Introduction).where(
            or_(Introduction.asker_id == member_id, Introduction.target_id == member_id)
        )
    )
    await session.execute(
        delete(MeetingPair).where(
            or_(MeetingPair.first_id == member_id, MeetingPair.second_id == member_id)
        )
    )
