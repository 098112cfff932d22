"""Calls to action and members' answers to them: action plans and campaign runs.

Both carry the same three buttons ("Done", "I'm on it", "Not for me") whose payload
(:class:`AnswerPress`) names the *subject* — ``p12`` for plan 12, ``c5-2`` for the second
run of campaign 5 — and the answer: ``ans:p12:d``. A preview's buttons (``ans:pv:d``,
:class:`PreviewPress`) record nothing. A member has one answer per subject (a database
constraint): pressing another button changes it. "Done" earns points while it is the
answer: changing it withdraws them with a compensating ledger entry, coming back to it
credits them again, so that a member never holds more than one "Done" per subject
(each entry's key is unique, so a double click or a retried update writes nothing more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Self

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.payloads import MAX_ID, Payload
from bot.core.port import Button
from bot.models import Answer, Member, PointsEntry

#: The subject of a preview: its buttons answer "this is a preview" and record nothing.
PREVIEW = None
_SUBJECT = re.compile(
    r"(?:p(?P<plan>[0-9]{1,10})|c(?P<campaign>[0-9]{1,10})-(?P<occurrence>[0-9]{1,10}))"
)


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

    @classmethod
    def from_part(cls, text: str) -> Self | None:
        """The subject a payload names, or None (see :mod:`bot.core.payloads`)."""
        match = _SUBJECT.fullmatch(text)
        if match is None:
            return None
        numbers = [int(n) for n in match.groups() if n is not None]
        if max(numbers) > MAX_ID:
            return None
        if match["plan"] is not None:
            return cls(plan_id=numbers[0])
        return cls(campaign_id=numbers[0], occurrence=numbers[1])

    def to_part(self) -> str:
        return self.key


@dataclass(frozen=True)
class AnswerPress(Payload, prefix="ans"):
    subject: Subject
    choice: Choice


@dataclass(frozen=True)
class PreviewPress(Payload, prefix="ans:pv"):
    """An answer button under a preview: the same place in the payload as a subject."""

    choice: Choice


def buttons(
    translator: Translator,
    language: str,
    subject: Subject | None,
    choices: tuple[Choice, ...] = tuple(Choice),
) -> list[list[Button]]:
    """The answer buttons, in one row, labelled in ``language``; a preview's when
    ``subject`` is :data:`PREVIEW`."""
    return [
        [
            Button(
                translator.gettext(language, LABELS[choice]),
                (PreviewPress(choice) if subject is None else AnswerPress(subject, choice)).pack(),
            )
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
    theirs = select(Answer).where(Answer.subject == key, Answer.member_id == member.id)
    row = await session.scalar(theirs.with_for_update())
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
            row = await session.scalar(theirs)
            assert row is not None
            previous = Choice(row.answer)
    if row is not None and row.answer != choice.value:
        row.answer = choice.value
        row.changed_at = now
    engagement.sign_of_life(member, now)  # any answer, not only "Done"
    points = await _settle(session, settings, member, subject, choice, now)
    return Answered(previous=previous, points=points)


def done_key(subject: Subject, member_id: int) -> str:
    """The ledger key of a member's first "Done" to a subject; later entries for the same
    answer add ``:<n>`` (see :func:`_settle`)."""
    return f"done:{subject.key}:{member_id}"


async def _settle(
    session: AsyncSession,
    settings: Settings,
    member: Member,
    subject: Subject,
    choice: Choice,
    now: datetime,
) -> int:
    """Bring the ledger's entries for this member and subject to what the answer earns:
    the "Done" points while the answer is "Done", nothing otherwise. A change of mind
    adds a compensating entry (the ledger is never edited); pressing the same answer
    again, or twice at once, adds nothing (each entry's key is unique). Returns the
    points added (negative when withdrawn)."""
    is_plan = subject.plan_id is not None
    earned = settings.points.plan_done if is_plan else settings.points.campaign_done
    wanted = max(earned, 0) if choice is Choice.DONE else 0
    first = done_key(subject, member.id)
    ours = or_(
        PointsEntry.unique_key == first,
        PointsEntry.unique_key.like(f"{first}:%"),
        PointsEntry.unique_key.like(f"un{first}:%"),
    )
    held, entries = (
        await session.execute(
            select(func.coalesce(func.sum(PointsEntry.points), 0), func.count()).where(
                PointsEntry.member_id == member.id, ours
            )
        )
    ).one()
    delta = wanted - int(held)
    if delta == 0:
        return 0
    key = first if entries == 0 else f"{'' if delta > 0 else 'un'}{first}:{entries}"
    try:
        async with session.begin_nested():
            session.add(
                PointsEntry(
                    member_id=member.id,
                    points=delta,
                    reason="plan" if is_plan else "campaign",
                    unique_key=key,
                    created_at=now,
                )
            )
    except IntegrityError:  # the same press handled twice at once: the other one wrote it
        return 0
    return delta
