"""Ten weeks in the life of a 60-member network, by moving the clock an day at a time.

Five categories of twelve. In each: five members act every Tuesday (one of them the
category's referent, one anonymous, one hidden); two stay silent; one asks to be
reminded next week, one pauses for a month, one stops the messages, one comes back after
the first nudge, and one lives in Los Angeles. The nudges, leaderboards and digests
that come out are exactly the ones the rules say.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.activity import reports
from bot.models import (
    Delivery,
    DeliveryStatus,
    Identity,
    Member,
    MemberStatus,
    Nudge,
    ReportKind,
    Role,
    Visibility,
)
from tests.support.harness import START, Network, NetworkFactory

CATEGORIES = ("business", "tourism", "research", "sport", "citizens")
MEDIUMS = ("press", "blog", "social", "conference", "conversation")
DAY = timedelta(days=1)


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    # The ten weeks' messages are counted in the queue at the end: keep them all.
    return network_factory(network__default_language="en", privacy__delivery_retention_days="365")


def name(category: str, index: int) -> str:
    return f"{category[:3]}{index:02d}"


async def populate(network: Network) -> dict[str, Member]:
    members: dict[str, Member] = {}
    async with network.sessions.begin() as session:
        for category in CATEGORIES:
            for index in range(12):
                who = name(category, index)
                member = Member(
                    display_name=who,
                    status=MemberStatus.ACTIVE,
                    role=Role.REFERENT if index == 0 else Role.MEMBER,
                    category=category,
                    language="en",
                    timezone="America/Los_Angeles" if index == 11 else None,
                    visibility={3: Visibility.ANONYMOUS, 4: Visibility.HIDDEN}.get(
                        index, Visibility.NAME
                    ),
                    sponsor_code=who.upper(),
                    consent_at=START,
                    # They agreed to the current text: buttons ask for it like commands.
                    consent_version=network.settings.privacy.consent_version,
                    joined_at=START,
                )
                session.add(member)
                await session.flush()
                session.add(
                    Identity(
                        platform="console", user_id=who, member_id=member.id, private_chat_id=who
                    )
                )
                members[who] = member
    return members


async def weekly_reports(network: Network, members: dict[str, Member]) -> None:
    async with network.sessions.begin() as session:
        for category in CATEGORIES:
            for index, medium in enumerate(MEDIUMS):
                member = await session.get(Member, members[name(category, index)].id)
                assert member is not None
                await reports.record(
                    session,
                    network.settings,
                    network.clock,
                    member,
                    kind=ReportKind.MENTION,
                    subkind=medium,
                )


async def test_ten_weeks_of_a_sixty_member_network(network: Network) -> None:
    members = await populate(network)
    for day in range(1, 71):
        await network.play("~ +1d")
        if day % 7 == 6:  # Tuesdays
            await weekly_reports(network, members)
        if day == 30:
            for category in CATEGORIES:
                await network.play(
                    f"""
                    @{name(category, 7)} [Remind me next week]
                    @{name(category, 8)} [Pause for a month]
                    @{name(category, 9)} [Stop these messages]
                    """
                )
        if day == 31:
            for category in CATEGORIES:
                who = name(category, 10)
                await network.play(
                    f"""
                    @{who} [I did something]
                    @{who} [Settlement]
                    @{who} Helped a start-up open its office here
                    """
                )
    out = network.out.getvalue()
    at = START.astimezone(UTC)  # Wednesday 4 March, 09:00 UTC

    def day(n: int, hour: int = 9) -> datetime:
        return at + n * DAY + timedelta(hours=hour - 9)

    expected = {
        5: [("gentle", day(30)), ("personal", day(44)), ("referent", day(58))],
        6: [("gentle", day(30)), ("personal", day(44)), ("referent", day(58))],
        7: [("gentle", day(30)), ("personal", day(37)), ("referent", day(51))],
        8: [("gentle", day(30)), ("personal", day(60))],
        9: [("gentle", day(30))],
        10: [("gentle", day(30)), ("gentle", day(61))],
        # Los Angeles: due at 02:00 there, sent at 09:00 (16:00 UTC).
        11: [("gentle", day(30, 16)), ("personal", day(44, 16)), ("referent", day(58, 16))],
    }
    async with network.sessions() as session:
        rows = await session.execute(
            select(Member.display_name, Nudge.step, Nudge.sent_at)
            .join(Member, Member.id == Nudge.member_id)
            .order_by(Member.id, Nudge.sent_at)
        )
        ladders: dict[str, list[tuple[str, datetime]]] = {}
        for who, step, sent in rows:
            ladders.setdefault(who, []).append((str(step), sent))
        sent_by_batch = Counter(
            batch[:6]
            for batch in await session.scalars(
                select(Delivery.batch).where(Delivery.status == DeliveryStatus.SENT)
            )
        )
        undelivered = await session.scalar(
            select(func.count()).where(Delivery.status != DeliveryStatus.SENT)
        )
    for category in CATEGORIES:
        for index in range(12):
            assert ladders.get(name(category, index), []) == expected.get(index, []), (
                category,
                index,
            )
    assert sum(len(ladder) for ladder in ladders.values()) == 5 * 17
    # Message nudges went out through the queue; the referent step is not a message.
    assert sent_by_batch["nudges"] == 5 * 13
    # Ten Mondays: five category channels and the general one each time.
    assert sent_by_batch["leader"] == 10 * 6
    assert sent_by_batch["digest"] == 10 * 5
    assert undelivered == 0
    # Every post exactly once, oldest week first.
    general = [line for line in out.splitlines() if line.startswith("→ #general: Leaderboard")]
    assert len(general) == len(set(general)) == 10
    # The ambassador of the month, once per month ended: March and April.
    monthly = [
        line for line in out.splitlines() if line.startswith("→ #general: Ambassador of the month")
    ]
    assert len(monthly) == len(set(monthly)) == 2, monthly
    assert general[0].endswith("02/03 to 08/03") and general[-1].endswith("04/05 to 10/05")
    # A week's board in a category: ties share a rank; anonymous shown so; hidden absent.
    week = out[out.index("→ #business: Leaderboard of the week — Business — 09/03 to 15/03") :]
    week = week[: week.index("[image")]
    assert (
        "1. bus00 — 5\n    1. Anonymous ambassador — 5\n    3. bus01 — 3\n    4. bus02 — 2" in week
    )
    assert "bus04" not in week
    assert "Most improved: bus00, 5 points more than the week before." in week
    first = out[out.index("→ #sport: Leaderboard of the week — Sport — 02/03 to 08/03") :]
    assert "Welcome to our newcomers: spo00, spo01, spo02, spo05" in first
    assert "and 2 more!" in first.split("\n", 4)[2] or "and 2 more!" in first[:600]
    comeback = out[
        out.index("→ #research: Leaderboard of the week — Research & education — 30/03") :
    ]
    assert "1. res10 — 30" in comeback[:400]
    assert "Most improved: res10, 30 points more than the week before." in comeback[:800]
    share = out[out.index("→ #general: Leaderboard of the week — all categories — 06/04") :][:1200]
    assert "Business: 5 of 12 (42%)" in share
    # The referent's digest on Monday 4 May: four dormant members to contact.
    digest = out[out.index("→ @bus00: Your weekly digest — 27/04 to 03/05") :][:1500]
    assert "— Business —" in digest
    assert "Actions: 5 mentions, 0 opportunity signals, 0 settlements." in digest
    assert "4 dormant members did not answer two nudges" in digest
    for index in (5, 6, 7, 11):
        assert f"• {name('business', index)}: no action for" in digest
