"""What referents and coordinators asked of them: their answers to action plans and
campaigns, the nudges they reached when they went quiet (with their one-tap answers),
and how they asked to be reached (``/reminders``: pauses, campaigns by chat or e-mail).

``/mydata`` shows all three. ``/forget`` deletes their settings, which are kept for
nobody; their answers and nudges hold no words of theirs, only which button was pressed
and when: they stay, pointing to the anonymous husk, so that the results of plans,
campaigns and nudges keep counting them. With no account left, nothing nudges them again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import Answer, Member, Nudge, NudgePreference

ERASES = {
    "nudge_preferences": "deleted: how they asked to be reached is kept for nobody",
}
KEEPS = {
    "answers": "which button they pressed under a plan or a campaign, no words: the "
    "results keep counting it, pointing to the anonymous husk",
    "nudges": "the rungs of the nudge ladder they reached and their one-tap answers, no "
    "words: the ladder's results keep counting them, pointing to the anonymous husk",
}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    answers = await session.scalars(
        select(Answer).where(Answer.member_id == member.id).order_by(Answer.id)
    )
    nudges = await session.scalars(
        select(Nudge).where(Nudge.member_id == member.id).order_by(Nudge.sent_at, Nudge.id)
    )
    preference = await session.get(NudgePreference, member.id)
    return {
        "answers": [
            {
                "to": a.subject,
                "answer": a.answer,
                "at": when(a.answered_at),
                "changed_at": when(a.changed_at),
            }
            for a in answers
        ],
        "nudges": [
            {
                "step": n.step.value,
                "wording": n.variant,
                "at": when(n.sent_at),
                "answer": n.answer,
                "answered_at": when(n.answered_at),
                "contacted_by_referent_at": when(n.contacted_at),
            }
            for n in nudges
        ],
        "nudge_preferences": {
            "paused_until": when(preference.paused_until) if preference else None,
            "stopped_at": when(preference.stopped_at) if preference else None,
            "campaign_reach": (
                preference.campaign_reach.value
                if preference and preference.campaign_reach
                else None
            ),
            "campaigns_off_at": when(preference.campaigns_off_at) if preference else None,
        },
    }


async def erase(erasure: Erasure) -> None:
    member_id = erasure.member.id
    await erasure.session.execute(
        delete(NudgePreference).where(NudgePreference.member_id == member_id)
    )
