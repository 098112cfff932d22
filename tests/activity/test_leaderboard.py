"""/me, /leaderboard and /privacy: ranks with ties, periods, visibility, levels."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Member, PointsEntry
from tests.support.harness import Network
from tests.support.people import said_to


async def report_settlement(network: Network, name: str) -> None:
    await network.play(
        f"""
        @{name} /report
        @{name} [Settlement]
        @{name} A company settled in the territory
        """
    )


async def report_press(network: Network, name: str, url: str) -> None:
    await network.play(
        f"""
        @{name} /report
        @{name} [Mention]
        @{name} [Press]
        @{name} {url}
        """
    )


async def test_ties_share_a_rank_and_caller_sees_own_line(network: Network) -> None:
    for name in ("alice", "bob", "chloe"):
        await network.join(name)
    await report_settlement(network, "alice")
    await report_settlement(network, "bob")
    await report_press(network, "chloe", "https://press.test/1")
    out = await network.play("@chloe /leaderboard")
    assert "Leaderboard — All categories — this week" in out
    assert "1. Alice — 30" in out and "1. Bob — 30" in out and "3. Chloe — 5" in out


async def test_caller_outside_top_ten_sees_own_rank(network: Network) -> None:
    names = [f"m{i:02d}" for i in range(12)]
    for name in names:
        await network.join(name)
    for name in names[:11]:
        await report_settlement(network, name)
    await report_press(network, names[11], "https://press.test/last")
    out = await network.play(f"@{names[11]} /leaderboard")
    assert out.count(" — 30") == 10
    assert "You: #12 — 5" in out


async def test_periods_and_categories(network: Network) -> None:
    await network.join("alice")
    await network.join("sam", category="Sport")
    await report_settlement(network, "alice")
    await network.play("~ +7d")
    await report_press(network, "sam", "https://press.test/sport")
    week = await network.play("@alice /leaderboard")
    assert "Sam — 5" in week and "Alice" not in week.split("this week", 1)[1]
    all_time = await network.play("@alice /leaderboard all")
    assert "1. Alice — 30" in all_time and "2. Sam — 5" in all_time
    business = await network.play("@sam /leaderboard business month")
    assert "Entreprises" not in business and "Business" in business
    assert "1. Alice — 30" in business and "Sam — 5" not in business
    bad = await network.play("@sam /leaderboard yesterday")
    assert "Usage: /leaderboard" in bad and "business, tourism" in bad


async def test_channel_leaderboard_defaults_to_its_category(network: Network) -> None:
    await network.join("alice")
    await network.join("sam", category="Sport")
    await report_settlement(network, "alice")
    await report_settlement(network, "sam")
    out = await network.play("@sam #sport /leaderboard")
    assert "→ #sport: Leaderboard — Sport — this week" in out
    assert "Alice" not in out


async def test_privacy_anonymous_and_hidden(network: Network) -> None:
    await network.join("alice")
    await network.join("bob")
    await report_settlement(network, "alice")
    await report_press(network, "bob", "https://press.test/bob")
    await network.play(
        """
        @alice /privacy
        @alice [Anonymously]
        """
    )
    out = await network.play("@bob /leaderboard")
    assert "1. Anonymous ambassador — 30" in out and "Alice" not in out
    await network.play(
        """
        @alice /privacy
        @alice [Not at all]
        """
    )
    out = await network.play("@bob /leaderboard")
    assert "1. Bob — 5" in out and "Anonymous" not in out
    out = await network.play("@alice /leaderboard")
    assert "You are hidden from leaderboards" in out


async def test_me_shows_points_ranks_level_and_recent_actions(network: Network) -> None:
    await network.join("alice")
    await network.join("bob")
    await report_settlement(network, "bob")
    await report_press(network, "alice", "https://press.test/a")
    await network.play("~ +1d")
    await report_settlement(network, "alice")
    out = await network.play("@alice /me")
    assert "Alice — active" in out
    assert "Category: Business" in out
    assert "Points: 35 this week, 35 this month, 35 in all" in out
    assert "Rank this week: #1 in Business, #1 overall" in out
    assert "Level: Ambassador" in out and "15 points to Committed ambassador" in out
    assert "Settlement +30 pts" in out and "Mention (Press) +5 pts" in out


async def test_no_rank_without_points_this_week(network: Network) -> None:
    """Bob has points this week, Alice none: Alice is "not ranked yet", not "#2" (nor
    "#1" on a Monday morning when nobody has any); Bob is #1."""
    await network.join("alice")
    await network.join("bob")
    out = await network.play("@alice /me")
    assert "Rank this week: not ranked yet — one action this week puts you on the board." in out
    await report_settlement(network, "bob")
    out = await network.play("@alice /me\n@bob /me")
    alice, bob = said_to(out, "@alice")[-1], said_to(out, "@bob")[-1]
    assert "Rank this week: not ranked yet" in alice and "#" not in alice.split("Rank")[1]
    assert "Rank this week: #1 in Business, #1 overall" in bob


async def test_language_switch_applies_at_once(network: Network) -> None:
    await network.join("alice")
    out = await network.play(
        """
        @alice /language
        @alice [Français]
        @alice /me
        """
    )
    assert "Je vous parlerai en français." in out
    assert "Catégorie\u00a0: Entreprises" in out


async def test_help_shows_what_the_role_allows(network: Network) -> None:
    out = await network.play("@zoe /help")
    assert "/start" in out and "/report" not in out
    await network.join("alice")
    out = await network.play("@alice /help")
    assert "/report" in out and "/leaderboard" in out and "/start" not in out
    assert "[1] Report  [2] My points  [3] Leaderboard" in out
    out = await network.play("@alice [My points]")
    assert "Points: 0 this week" in out


async def test_me_last_actions_show_what_the_ledger_says_they_earned(network: Network) -> None:
    """A report made after "Done" shows the Done points; a rejected mention says so; a
    sponsor's bonus has its own line — all read from the ledger."""
    await network.join("carol")
    await network.join("rita")  # the referent of business (example config)
    await network.join("alice")
    await report_press(network, "alice", "https://press.test/rejected")  # mention #1
    await network.play(
        """
        @rita /plan business
        @rita Share the festival video
        @rita The festival made a video of the city.
        @rita Share it this week
        @rita [Skip]
        @rita [Confirm]
        @alice #business [Fait]
        @alice https://www.linkedin.test/posts/1
        """
    )
    await network.play(
        """
        @rita /review
        @rita [Reject]
        @rita Not about Lyon
        """
    )
    async with network.sessions.begin() as session:  # what approving a sponsored member writes
        alice = await session.scalar(select(Member.id).where(Member.display_name == "Alice"))
        assert alice is not None
        session.add(
            PointsEntry(
                member_id=alice,
                points=10,
                reason="sponsor",
                unique_key="sponsor:999",
                created_at=network.clock.now(),
            )
        )
    out = await network.play("@alice /me")
    me = said_to(out, "@alice")[-1]
    assert "• 04/03 Sponsor bonus +10 pts" in me
    assert "• 04/03 Mention (Press) +0 pts — rejected on review" in me
    assert "• 04/03 Mention +5 pts — with “Done”" in me
