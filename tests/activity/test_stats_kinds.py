"""/stats counts by kind and medium against a naive count of the raw rows.

``stats.compute`` counts each (kind, subkind) pair the bot writes from its own index
range and groups only what is left; here reports also carry subkinds the bot does not
write (an old medium, a signal kind no longer offered, a settlement with a subkind), no
subkind at all, rejected reviews, dates on both sides of the twelve weeks, and members
of every status, for the whole network and for each category.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.activity import stats
from bot.core.clock import FrozenClock
from bot.core.config import MEDIUMS, SIGNAL_KINDS
from bot.core.db import session_factory
from bot.models import Member, MemberStatus, Report, ReportKind, Role, Visibility

CATEGORIES = ("business", "tourism")
ZONE = "Europe/Paris"


def _subkinds(kind: ReportKind, unknown: bool) -> list[str | None]:
    odd = ["podcast", "radio"] if unknown else []
    if kind is ReportKind.MENTION:  # no video: a pair with no report is left out
        return [*(medium for medium in MEDIUMS if medium != "video"), None, *odd]
    if kind is ReportKind.SIGNAL:
        return [*SIGNAL_KINDS, None, *(["rumour"] if unknown else [])]
    return [None, None, *(["franchise"] if unknown else [])]


async def _reports(engine: AsyncEngine, now: datetime, unknown: bool) -> None:
    rng = random.Random(5 if unknown else 6)
    async with session_factory(engine).begin() as session:
        members = [
            Member(
                display_name=f"S{i:02d}",
                status=rng.choice(list(MemberStatus)),
                role=Role.MEMBER,
                category=CATEGORIES[i % 2],
                language="en",
                visibility=Visibility.NAME,
                sponsor_code=f"K{i:04d}",
                consent_at=now,
                joined_at=now - timedelta(days=200),
            )
            for i in range(30)
        ]
        session.add_all(members)
        await session.flush()
        for n in range(600):
            # No settlement among known pairs: a kind with no report is left out.
            kinds = list(ReportKind) if unknown else [ReportKind.SIGNAL]
            kind = rng.choice([ReportKind.MENTION] * 3 + kinds)
            session.add(
                Report(
                    member_id=rng.choice(members).id,
                    kind=kind,
                    subkind=rng.choice(_subkinds(kind, unknown)),
                    url=f"https://kinds.test/{n}",
                    review=rng.choice((None, None, "verified", "rejected")),
                    created_at=now - timedelta(hours=rng.randrange(20 * 7 * 24)),
                )
            )


@pytest.mark.parametrize("unknown", [False, True], ids=["known pairs", "unknown subkinds"])
async def test_counts_by_kind_and_medium_match_a_naive_count(
    engine: AsyncEngine, clock: FrozenClock, unknown: bool
) -> None:
    now = clock.now()
    await _reports(engine, now, unknown)
    since = stats.trend_starts(now, ZONE)[0]
    async with session_factory(engine)() as session:
        categories = dict((await session.execute(select(Member.id, Member.category))).all())
        rows = [
            (categories[member_id], kind, subkind)
            for member_id, kind, subkind, review, created in await session.execute(
                select(
                    Report.member_id, Report.kind, Report.subkind, Report.review, Report.created_at
                )
            )
            if review != "rejected" and created >= since
        ]
        subkinds = {subkind for _c, _k, subkind in rows}
        assert ({"podcast", "rumour", "franchise"} <= subkinds) is unknown
        assert "video" not in subkinds
        for category in (None, *CATEGORIES):
            scoped = [row for row in rows if category is None or row[0] == category]
            kinds = Counter(kind for _c, kind, _s in scoped)
            mediums = Counter(
                subkind for _c, kind, subkind in scoped if kind is ReportKind.MENTION and subkind
            )
            found = await stats.compute(session, now, ZONE, category)
            assert found.actions_by_kind == dict(kinds)
            assert found.mentions_by_medium == dict(mediums)
            assert sum(week.actions for week in found.trend) == len(scoped)
