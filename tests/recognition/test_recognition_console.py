"""Recognition through the console: level-ups and badges told once by the job, shown in
/me; points by hand with the role checks; the ambassador of the month decided once when
the clock crosses the month, naming nobody who chose anonymity. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import BadgeEarned, LevelReached, MonthlyAmbassador, PointsAward, PointsEntry
from tests.support.harness import Network
from tests.support.people import said_to

SETTLE = """
@{name} /report
@{name} [Settlement]
@{name} A company settled in the territory
"""


async def count(network: Network, model: type) -> int:
    async with network.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_level_up_and_badge_told_once_and_shown_in_me(network: Network) -> None:
    await network.join("alice")
    await network.play(SETTLE.format(name="alice"))
    first = await network.play("~ +1m")
    assert said_to(first, "@alice") == ["New badge: First step!"]
    await network.play("~ +1d")  # one settlement's points a day
    await network.play(SETTLE.format(name="alice"))  # 60 points: Committed ambassador
    out = await network.play("~ +1m")
    told = said_to(out, "@alice")
    assert told == [
        "Congratulations, you are now Committed ambassador!\n"
        "You are now invited to the partners' meetings."
    ]
    assert "#business" not in out  # announce_levels is off in the example config
    again = await network.play("~ +1m\n~ +1m")
    assert "Congratulations" not in again and "New badge" not in again
    assert await count(network, LevelReached) == 1
    assert await count(network, BadgeEarned) == 1
    me = await network.play("@alice /me")
    assert "Badges: First step" in me


async def test_level_up_in_the_channel_names_only_who_agreed(network_factory) -> None:  # type: ignore[no-untyped-def]
    network = network_factory(recognition__announce_levels="true")
    await network.join("alice")
    await network.join("bob")
    await network.play("@bob /privacy\n@bob [Anonymously]")
    for name in ("alice", "bob"):
        await network.play(SETTLE.format(name=name))
    await network.play("~ +1d")
    for name in ("alice", "bob"):
        await network.play(SETTLE.format(name=name))
    out = await network.play("~ +1m")
    posts = said_to(out, "#business")
    assert posts == ["Félicitations à Alice, désormais Ambassadeur engagé\u00a0!"]
    assert "Congratulations, you are now" in "\n".join(said_to(out, "@bob"))


async def test_points_by_hand_with_role_checks(network: Network) -> None:
    await network.join("carol")  # coordinator (config)
    await network.join("rita")  # referent of business (config)
    await network.join("alice")
    await network.join("sam", category="Sport")
    out = await network.play("@alice /award #3 10 nice")
    assert "10 points awarded" not in out  # the gate: members cannot award
    assert await count(network, PointsAward) == 0
    out = await network.play("@rita /award #4 10 stand held")
    assert "only to members of your categories (this member: Sport)" in out
    out = await network.play("@rita /award #3 50 stand held")
    assert "You can award 1 to 20 points at once." in out
    out = await network.play("@rita /award #3 twenty")
    assert "Usage: /award #12 <points> <reason>" in out
    assert await count(network, PointsAward) == 0
    out = await network.play("@rita /award #3 15 held the stand at the fair")
    assert "15 points awarded to Alice." in out
    assert said_to(out, "@alice") == ["Points received: 15. Reason: held the stand at the fair"]
    out = await network.play("@carol /attribuer #4 100 delegation welcomed")
    assert "100 points awarded to Sam." in out
    async with network.sessions() as session:
        entries = list(
            await session.scalars(select(PointsEntry).where(PointsEntry.reason == "award"))
        )
    assert sorted(entry.points for entry in entries) == [15, 100]
    me = await network.play("@alice /me")
    assert "Points awarded by hand +15 pts" in me


async def test_ambassador_of_the_month_once_across_the_boundary(network: Network) -> None:
    await network.join("alice")
    await network.join("bob")
    await network.join("sam", category="Sport")
    await network.play("@bob /privacy\n@bob [Anonymously]")
    await network.play(SETTLE.format(name="alice"))
    await network.play(SETTLE.format(name="bob"))
    before = await network.play("~ +1d")
    assert "mois" not in before  # February had nobody
    await network.play(SETTLE.format(name="bob"))
    await network.play(SETTLE.format(name="sam"))
    out = await network.play("~ +27d")  # 1 April: March is over
    general = said_to(out, "#general")
    business = said_to(out, "#business")
    sport = said_to(out, "#sport")
    assert [p for p in general if "mois" in p] == [
        "Ambassadeur du mois (03/2026)\u00a0: Ambassadeur anonyme, avec 60\u00a0points. "
        "Félicitations\u00a0!"
    ]
    assert any("pour Entreprises\u00a0: Ambassadeur anonyme" in p for p in business)
    assert "Bob" not in "\n".join(general + business)
    assert any("pour Sport\u00a0: Sam, avec 30\u00a0points" in p for p in sport)
    assert any("Ambassador of the month" in text for text in said_to(out, "@bob"))
    again = await network.play("~ +1m")
    restarted = await network.restarted()
    later = await restarted.play("~ +1m")
    assert "mois" not in again + later
    async with network.sessions() as session:
        rows = list(
            await session.scalars(select(MonthlyAmbassador).order_by(MonthlyAmbassador.scope))
        )
    decided = {row.scope: row.member_id for row in rows if row.month == "2026-03"}
    assert {scope: decided[scope] for scope in ("all", "business", "sport", "tourism")} == {
        "all": 2, "business": 2, "sport": 3, "tourism": None,
    }  # fmt: skip
    me = await network.play("@bob /me")
    assert "Ambassador of the month (03/2026)" in me
