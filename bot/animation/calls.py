"""Calls to action and members' answers to them: action plans and campaign runs.

Both carry the same three buttons ("Done", "I'm on it", "Not for me") whose payload names
the *subject* — ``p12`` for plan 12, ``c5-2`` for the second run of campaign 5 — and the
answer. A member has one answer per subject (a database constraint): pressing another
button changes it. "Done" earns points once per subject (the ledger's unique key), even
if the member changes their mind and comes back to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Button
from bot.models import Answer, Member, PointsEntry

PREFIX = "ans"
#: The subject of a preview: its buttons answer "this is a preview" and record nothing.
PREVIEW = "pv"
_SUBJECT = re.compile(r"^(?:p(?P<plan>\d+)|c(?P<campaign>\d+)-(?P<occurrence>\d+))$")


class Choice(StrEnum):
    DONE = "d"
    ON_IT = "o"
    NOT_FOR_ME = "n"


LABELS = {
    Choice.DONE: N_("Done"),
    Choice.ON_IT: N_("I'm on it"),
    Choice.NOT_FOR_ME: N_("Not for me"),
}


def plan_subject(plan_id: int) -> str:
    return f"p{plan_id}"


def campaign_subject(campaign_id: int, occurrence: int) -> str:
    return f"c{campaign_id}-{occurrence}"


@dataclass(frozen=True, slots=True)
class Subject:
    plan_id: int | None = None
    campaign_id: int | None = None
    occurrence: int = 0

    @property
    def key(self) -> str:
        if self.plan_id is not None:
            return plan_subject(self.plan_id)
        assert self.campaign_id is not None
        return campaign_subject(self.campaign_id, self.occurrence)


def parse_subject(text: str) -> Subject | None:
    match = _SUBJECT.match(text)
    if match is None:
        return None
    if match["plan"] is not None:
        return Subject(plan_id=int(match["plan"]))
    return Subject(campaign_id=int(match["campaign"]), occurrence=int(match["occurrence"]))


def buttons(
    translator: Translator, language: str, subject: str, choices: tuple[Choice, ...] = tuple(Choice)
) -> list[list[Button]]:
    """The answer buttons, in one row, labelled in ``language``."""
    return [
        [
            Button(translator.gettext(language, LABELS[choice]), f"{PREFIX}:{subject}:{choice}")
            for choice in choices
        ]
    ]


@dataclass(frozen=True, slots=True)
class Answered:
    previous: Choice | None
    points: int


async def record(
    session: AsyncSession,
    settings: Settings,
    *,
    member: Member,
    subject: Subject,
    choice: Choice,
    now: datetime,
) -> Answered:
    """Store the member's answer (replacing an earlier one) and credit "Done" once."""
    key = subject.key
    row = await session.scalar(
        select(Answer).where(Answer.subject == key, Answer.member_id == member.id).with_for_update()
    )
    previous = Choice(row.answer) if row is not None else None
    if row is None:
        try:
            async with session.begin_nested():
                session.add(
                    Answer(
                        subject=key,
                        member_id=member.id,
                        answer=choice.value,
                        answered_at=now,
                        changed_at=now,
                    )
                )
        except IntegrityError:  # the same person pressed twice at once: the other won
            row = await session.scalar(
                select(Answer).where(Answer.subject == key, Answer.member_id == member.id)
            )
            assert row is not None
            previous = Choice(row.answer)
    if row is not None and row.answer != choice.value:
        row.answer = choice.value
        row.changed_at = now
    points = 0
    if choice is Choice.DONE:
        member.last_action_at = now
        points = await _credit(session, settings, member, subject, now)
    return Answered(previous=previous, points=points)


async def _credit(
    session: AsyncSession, settings: Settings, member: Member, subject: Subject, now: datetime
) -> int:
    is_plan = subject.plan_id is not None
    points = settings.points.plan_done if is_plan else settings.points.campaign_done
    if points <= 0:
        return 0
    try:
        async with session.begin_nested():
            session.add(
                PointsEntry(
                    member_id=member.id,
                    points=points,
                    reason="plan" if is_plan else "campaign",
                    unique_key=f"done:{subject.key}:{member.id}",
                    created_at=now,
                )
            )
    except IntegrityError:
        return 0
    return points
