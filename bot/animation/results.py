"""What a plan or a campaign run achieved: who answered what, and how many acted.

"Targeted" are the members the call addressed and can reach, by the rule of
:mod:`bot.animation.addressed` (their category now); imports who never joined, and the
coordinators and author, are counted apart. "Acted" are targeted members who made an
action (:mod:`bot.activity.engagement`: a report not rejected on review) within its
window (from when it went out until its due date, its next run, or
``animation.results_window_days``), whether or not they pressed a button. Results are
computed from the answers and reports tables, never stored, so they are always up to date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.animation import addressed
from bot.animation.addressed import Call, Respondent
from bot.animation.calls import Choice
from bot.models import Member, Report


@dataclass
class CategoryResult:
    category: str
    targeted: int = 0
    acted: int = 0
    answers: dict[Choice, int] = field(default_factory=lambda: dict.fromkeys(Choice, 0))


@dataclass
class Results:
    categories: list[CategoryResult]
    respondents: list[Respondent]
    #: Addressed, but imported and never joined: not reachable yet.
    unclaimed: int = 0
    #: Coordinators and the author, in the addressed categories.
    staff: int = 0

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
    call: Call,
    categories: Sequence[str],
    start: datetime,
    end: datetime,
) -> Results:
    """Results for ``subject`` limited to ``categories`` (the addressed ones the viewer
    may see); answers from members the call did not address are left out."""
    rows = {key: CategoryResult(key) for key in categories}
    reach = await addressed.reach(session, call, categories)
    for category, n in reach.targeted.items():
        rows[category].targeted = n
    acted = (
        select(Member.category, func.count(func.distinct(Report.member_id)))
        .join(Member, Member.id == Report.member_id)
        .where(*addressed.addressed(call, categories))
        .where(*engagement.actions_between(start, end))
        .group_by(Member.category)
    )
    for category, n in await session.execute(acted):
        rows[category].acted = int(n)
    respondents = await addressed.respondents(session, subject, call, categories)
    for respondent in respondents:
        rows[respondent.category].answers[respondent.choice] += 1
    return Results(
        categories=[rows[key] for key in categories],
        respondents=respondents,
        unclaimed=reach.unclaimed,
        staff=reach.staff,
    )


def by_choice(results: Results) -> dict[Choice, list[Respondent]]:
    grouped: dict[Choice, list[Respondent]] = defaultdict(list)
    for respondent in results.respondents:
        grouped[respondent.choice].append(respondent)
    return grouped
