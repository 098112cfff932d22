"""Campaigns: scheduled in the network's time zone, run once by the job at their time
(across a restart), reaching exactly the targeted members, with their results."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.animation.campaigns import occurrence_time, parse_when
from bot.models import AuditEntry, Campaign, CampaignRun, CampaignStatus, Delivery, Member, Repeat
from bot.scheduling import runner
from tests.support.harness import Network, NetworkFactory, settings_for
from tests.support.people import count, member_id, said_to, with_roles

CAMPAIGN = """
@carol /campaign
{targets}
@carol Lyon is in the top 10 of European destinations!
@carol Share the article with your network
@carol {when}
@carol [{repeat}]
@carol [{direct}]
@carol [Confirm]
"""


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    """These tests count every message of a Monday morning: the weekly jobs (leaderboards,
    referent and coordinator digests, nudges, the applications reminder) are off here."""
    return network_factory(
        jobs__leaderboard="off",
        jobs__digest="off",
        jobs__nudges="off",
        jobs__application_reminders="off",
    )


async def campaign_network(network: Network) -> Network:
    network = with_roles(network, referents={"business": ["console:rita"]})
    await network.join("carol")
    await network.join("rita", category="Sport")
    for name, category in (("alice", "Business"), ("bob", "Business"), ("paul", "Business")):
        await network.join(name, category=category)
    await network.join("tina", category="Tourisme & culture", language="Français")
    await network.join("sam", category="Sport")
    async with network.sessions.begin() as session:  # paul is still waiting for approval
        await session.execute(
            update(Member).where(Member.display_name == "Paul").values(status="pending")
        )
    return network


async def test_next_monday_campaign_runs_once_reaches_exactly_its_targets(
    network: Network,
) -> None:
    network = await campaign_network(network)
    out = await network.play(
        CAMPAIGN.format(
            targets="@carol [Business]\n@carol [Tourism & culture]\n@carol [Continue]",
            when="09/03/2026 09:00",
            repeat="Once",
            direct="Yes, privately too",
        )
    )
    # alice, bob; tina — not paul (pending), not sam (sport), not carol (its author)
    confirm = next(t for t in said_to(out, "@carol") if "Active members targeted" in t)
    assert "Active members targeted: 3\n+ 1 coordinator or author, not counted" in confirm
    assert "Campaign #1 is scheduled for 09/03/2026 09:00." in out
    out = await network.play("~ +4d")  # Sunday
    assert "Lyon is in the top 10" not in out
    network = await network.restarted()  # a new process on the same database
    out = await network.play("~ +22h\n~ +59m")  # Monday 08:59
    assert "Lyon is in the top 10" not in out
    out = await network.play("~ +1m")  # Monday 09:00
    assert network.clock.now() == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    reached = sorted(line.split(":")[0][2:] for line in out.splitlines() if line.startswith("→ "))
    assert reached == ["#business", "#tourism", "@alice", "@bob", "@carol", "@tina"]
    assert said_to(out, "#business")[0].startswith("Lyon is in the top 10")
    assert said_to(out, "@tina")[0].startswith("Une campagne des coordinateurs du réseau\u00a0:")
    assert said_to(out, "@alice")[0].endswith("[1] Done  [2] I'm on it  [3] Not for me")
    deliveries = await count(network, Delivery)
    out = await network.play("~ +1h")
    await runner.run_due(network.app)
    await runner.run_due((await network.restarted()).app)
    assert await count(network, Delivery) == deliveries == 6
    assert await count(network, CampaignRun) == 1
    async with network.sessions() as session:
        campaign = await session.scalar(select(Campaign))
        assert campaign is not None
        assert (campaign.status, campaign.runs, campaign.next_run_at) == (
            CampaignStatus.DONE, 1, None,
        )  # fmt: skip
    # Answers: in private or in the channel, once each; sam's category was not targeted.
    out = await network.play(
        """
        @alice [Done]
        @alice https://news.test/lyon-top-10
        @tina [Je m'en occupe]
        @bob #business [Pas pour moi]
        @bob #business [Pas pour moi]
        @bob /report
        @bob [Mention]
        @bob [Conversation]
        @bob [Skip]
        @sam #business [Fait]
        @carol /campaigns
        @carol [Results #1]
        """
    )
    assert "+5 points" in said_to(out, "@alice")[0]
    results = said_to(out, "@carol")[-1]
    assert results.startswith("Results of campaign #1, run 1 (09/03/2026 09:00)")
    assert "Targeted: 3 members; acted (reported by 16/03/2026 09:00): 2" in results
    assert "+ 1 coordinator or author, not counted" in results
    assert said_to(out, "@sam") == [
        "This call is for other members: only the members it was addressed to can answer it."
    ]
    assert "Done: 1 · I'm on it: 1 · Not for me: 1" in results
    assert "Delivery: 6 sent, 0 pending, 0 failed, 0 unreachable, 0 unknown" in results
    assert "• Business: 2 targeted, 2 acted — Done 1, I'm on it 0, Not for me 1" in results
    assert "• Tourism & culture: 1 targeted, 0 acted — Done 0, I'm on it 1, Not for me 0" in results
    alice, bob = await member_id(network, "Alice"), await member_id(network, "Bob")
    assert f"Done: Alice #{alice}\nI'm on it: Tina #" in results
    assert f"Not for me: Bob #{bob}" in results
    # The referent of business follows the results of business only.
    out = await network.play(
        """
        @rita /campaigns
        @rita [Results #1]
        """
    )
    referent_view = said_to(out, "@rita")
    assert "Edit" not in referent_view[0] and "Cancel" not in referent_view[0]
    assert "Targeted: 2 members" in referent_view[0]  # /campaigns: the same count
    assert "Targeted: 2 members" in referent_view[1] and "Tourism" not in referent_view[1]


async def test_now_to_all_categories_posts_in_general(network: Network) -> None:
    network = await campaign_network(network)
    out = await network.play(
        CAMPAIGN.format(
            targets="@carol [All categories]", when="[Now]", repeat="Once", direct="Channels only"
        )
    )
    assert "Preview — in the channels:" in out and "Preview — as a private message" not in out
    assert "Campaign #1 is going out now." in out
    posts = [line for line in out.splitlines() if line.startswith("→ #")]
    assert posts == ["→ #general: Lyon is in the top 10 of European destinations!"]


async def test_cancelled_and_edited_campaigns(network: Network) -> None:
    network = await campaign_network(network)
    await network.play(
        CAMPAIGN.format(
            targets="@carol [Sport]\n@carol [Continue]",
            when="09/03 9h",
            repeat="Every week",
            direct="Channels only",
        )
    )
    out = await network.play(
        """
        @carol /campaigns
        @carol [Edit #1]
        @carol [Continue]
        @carol Derby on Sunday: wear the city's colours!
        @carol [Keep]
        @carol 10/03/2026 18:30
        @carol [Every week]
        @carol [Channels only]
        @carol [Confirm]
        """
    )
    assert "scheduled for 09/03/2026 09:00" in out
    assert "Currently: 09/03/2026 09:00, every week" in out
    assert "Campaign #1 is scheduled for 10/03/2026 18:30, every week." in out
    out = await network.play(
        """
        ~ +6d
        ~ +6d
        @carol /campaigns
        """
    )
    assert said_to(out, "#sport") == [
        "Derby on Sunday: wear the city's colours!\n\n"
        "→ Share the article with your network\n[1] Fait  [2] Je m'en occupe  [3] Pas pour moi"
    ]
    assert "running, next run 17/03/2026 18:30" in out
    out = await network.play(
        """
        @carol [Cancel #1]
        @carol [Yes, cancel it]
        ~ +1w
        @carol /campaigns
        """
    )
    assert "Campaign #1 is cancelled." in out
    assert "#sport" not in out
    assert "— cancelled" in out and "Edit #1" not in out
    assert await count(network, CampaignRun) == 1
    async with network.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["campaign.create", "campaign.edit", "campaign.cancel"]


def test_schedule_keeps_local_time_across_daylight_saving(database_url: str) -> None:
    settings = settings_for(database_url)
    monday = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # 09:00 in Paris, winter time
    weekly = [occurrence_time(settings, monday, Repeat.WEEKLY, k) for k in range(3)]
    assert [w.hour for w in weekly] == [8, 7, 7]  # 09:00 local before and after 29 March
    monthly = occurrence_time(settings, datetime(2026, 1, 31, 8, 0, tzinfo=UTC), Repeat.MONTHLY, 1)
    assert monthly == datetime(2026, 2, 28, 8, 0, tzinfo=UTC)
    now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert parse_when("09/03 9h", settings, now) == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    assert parse_when("2026-07-14 22:00", settings, now) == datetime(2026, 7, 14, 20, 0, tzinfo=UTC)
    assert parse_when("01/03 10:00", settings, now) == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert parse_when("04/03/2026 09:00", settings, now) is None  # in the past
    assert parse_when("31/02/2026 09:00", settings, now) is None
    assert parse_when("tomorrow", settings, now) is None
