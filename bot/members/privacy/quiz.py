"""Their answers to the weekly quiz.

``/mydata`` shows them. ``/forget`` deletes them: the results per question lose them
(nobody ever saw them one by one); the points they earned stay, like a report's (see
:mod:`bot.members.privacy.points`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import Member, QuizAnswer

ERASES = {
    "quiz_answers": "deleted: the results per question lose them",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    quiz_answers = await session.scalars(
        select(QuizAnswer).where(QuizAnswer.member_id == member.id).order_by(QuizAnswer.id)
    )
    return {
        "quiz_answers": [
            {
                "question": q.question_id,
                "chosen": [index + 1 for index in q.chosen],
                "correct": q.correct,
                "at": when(q.answered_at),
            }
            for q in quiz_answers
        ],
    }


async def erase(erasure: Erasure) -> None:
    await erasure.session.execute(
        delete(QuizAnswer).where(QuizAnswer.member_id == erasure.member.id)
    )
