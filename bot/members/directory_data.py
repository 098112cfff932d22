"""What the directory keeps about one member, for their data export (/mydata): their
profile, the introductions they asked for or were asked (with the messages), and their
monthly meetings. Beside the privacy module; it reads models only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Introduction, MeetingPair, Profile


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def directory_of(session: AsyncSession, member_id: int) -> dict[str, Any]:
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
        "profile": shown,
        "introductions": [
            {
                "asked_by_me": intro.asker_id == member_id,
                "other_member": intro.target_id if intro.asker_id == member_id else intro.asker_id,
                "message": intro.message,
                # A decline is the answering member's own business.
                "status": intro.status.value
                if intro.target_id == member_id or intro.status.value != "declined"
                else "open",
                "at": _when(intro.created_at),
            }
            for intro in asked
        ],
        "meetings": [
            {
                "month": pair.month,
                "with": pair.second_id if pair.first_id == member_id else pair.first_id,
                "met_at": _when(pair.met_at),
            }
            for pair in met
        ],
    }
