"""What a plan or a campaign run achieved: who answered what, and how many acted.

"Targeted" are the active members of the categories it addressed (their category now);
"acted" are those of them who made an action (:mod:`bot.activity.engagement`: a report
not rejected on review) within its window (from when it went out
until its due date, its next run, or ``animation.results_window_days``), whether or not
they pressed a button. Results are computed from the answers and reports tables, never
stored, so they are always up to date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.animation.calls import Choice
from bot.models import Answer, Member, MemberStatus, Report


@dataclass
class CategoryResult:
    category: str
    targeted: int = 0
    acted: int = 0
    answers: dict[Choice, int] = field(default_factory=lambda: dict.fromkeys(Choice, 0))


@dataclass(frozen=True, slots=True)
class Respondent:
    member_id: int
    display_name: str
    category: str
    choice: Choice


@dataclass
class Results:
    categories: list[CategoryResult]
    respondents: list[Respondent]

    @property
    def targeted(self) -> int:
        return sum(row.targeted for row in self.categories)

    @property
    def acted(self) -> int:
        return sum(row.acted for row in self.categories)

    def count(self, choice: Choice) -> int:
        return sum(row.answers[choice] for row in self.categories)


async def compute(
    session: AsyncSession,
    *,
    subject: str,
    categories: Sequence[str],
    start: datetime,
    end: datetime,
) -> Results:
    """Results for ``subject`` limited to ``categories`` (the addressed ones the viewer
    may see); answers from members of other categories are left out."""
    rows = {key: CategoryResult(key) for key in categories}
    active = (Member.status == MemberStatus.ACTIVE, Member.category.in_(list(categories)))
    for category, n in await session.execute(
        select(Member.category, func.count()).where(*active).group_by(Member.category)
    ):
        rows[category].targeted = int(n)
    acted = (
        select(Member.category, func.count(func.distinct(Report.member_id)))
        .join(Member, Member.id == Report.member_id)
        .where(*active, *engagement.actions_between(start, end))
        .group_by(Member.category)
    )
    for category, n in await session.execute(acted):
        rows[category].acted = int(n)
    respondents = []
    answered = (
        select(Member.id, Member.display_name, Member.category, Answer.answer)
        .join(Member, Member.id == Answer.member_id)
        .where(Answer.subject == subject, Member.category.in_(list(categories)))
        .order_by(Answer.answer, Member.display_name, Member.id)
    )
    for member_id, name, category, answer in await session.execute(answered):
        choice = Choice(answer)
        rows[category].answers[choice] += 1
        respondents.append(Respondent(member_id, name, category, choice))
    return Results(categories=[rows[key] for key in categories], respondents=respondents)


def by_choice(results: Results) -> dict[Choice, list[Respondent]]:
    grouped: dict[Choice, list[Respondent]] = defaultdict(list)
    for respondent in results.respondents:
        grouped[respondent.choice].append(respondent)
    return grouped
