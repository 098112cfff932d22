"""Mention review (referents for their category, coordinators for all) and /stats access."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import AuditEntry, PointsEntry, Report
from tests.support.actions import mention, press
from tests.support.harness import Network


async def points_of(network: Network, name: str) -> int:
    async with network.sessions() as session:
        from bot.models import Member

        total = await session.scalar(
            select(func.coalesce(func.sum(PointsEntry.points), 0))
            .join(Member, Member.id == PointsEntry.member_id)
            .where(Member.display_name == name)
        )
    return int(total or 0)


async def report_id(network: Network, url: str) -> int:
    async with network.sessions() as session:
        found = await session.scalar(select(Report.id).where(Report.url == url))
    assert found is not None
    return found


async def test_referent_rejects_a_mention_of_their_category(network: Network) -> None:
    for name, category in (
        ("carol", "Business"),
        ("rita", "Business"),
        ("alice", "Business"),
        ("sam", "Sport"),
    ):
        await network.join(name, category=category)
    await mention(network, "alice", "Press", "https://news.test/a")
    await mention(network, "sam", "Blog", "https://blog.test/s")
    assert await points_of(network, "Alice") == 5

    out = await network.play("@rita /review")
    assert "Mention #1 — Press — Alice (Business)" in out and "(+5 points)" in out
    assert "Sam" not in out
    sam_report = await report_id(network, "https://blog.test/s")
    out = await press(network, "rita", f"rev:v:{sam_report}")
    assert "Only a coordinator or this category's referent can review it." in out
    out = await press(network, "alice", f"rev:r:{sam_report}")
    assert "This button is for coordinators or referents." in out  # the gate: not a referent

    out = await network.play(
        """
        @rita [Reject]
        @rita The article does not mention Lyon
        """
    )
    assert "Why is mention #1 rejected?" in out
    assert "Mention #1 rejected. 5 points withdrawn." in out
    assert "→ @alice: Your mention “https://news.test/a” was not accepted" in out
    assert "Reason: The article does not mention Lyon" in out
    assert await points_of(network, "Alice") == 0
    # Entries: +5 and the compensating -5; a second rejection is refused, nothing changes.
    out = await press(network, "carol", "rev:r:1")
    assert "Mention #1 was already rejected." in out
    async with network.sessions() as session:
        entries = list(await session.scalars(select(PointsEntry.points).order_by(PointsEntry.id)))
        assert entries == [5, 3, -5]

    out = await network.play("@carol /review")
    assert "Sam (Sport)" in out and "Alice" not in out
    out = await network.play("@carol [Verify]")
    assert "→ Verified" in out
    assert await points_of(network, "Sam") == 3
    async with network.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert audited == ["mention.rejected", "mention.verified"]


async def test_stats_access_and_shape(network: Network) -> None:
    for name, category in (
        ("carol", "Business"),
        ("rita", "Business"),
        ("alice", "Business"),
        ("sam", "Sport"),
        ("paul", "Business"),
    ):
        await network.join(name, category=category)
    await mention(network, "sam", "Blog", "https://blog.test/s")
    out = await network.play("@alice /stats")
    assert "This command is for coordinators or referents." in out

    out = await network.play("@carol #business /stats")
    assert "→ #business: I have sent you a private message" in out
    assert "→ @carol: Network health — All categories" in out
    assert "Members: 5 active" in out
    # Everyone joined today: nobody is dormant yet (the definitions: docs/coordinators.md).
    assert (
        "Active: 5 of 5 (100%); dormant (no sign of life for 30 days): 0; never activated "
        "(imported, not claimed): 0" in out
    )
    assert "Engagement: joined 5 → acted once 1 → acts monthly 0 → referents 1" in out
    assert "[image: " in out
    png = network.console.history[-1].message.image_png
    assert png is not None and png.startswith(b"\x89PNG")

    out = await network.play("@rita /stats")
    assert "Network health — Business" in out and "Members: 4 active" in out
    out = await network.play("@rita /stats sport")
    assert "You can see the statistics of your category: /stats business" in out
    out = await network.play("@carol /stats sport")
    assert "Network health — Sport" in out and "Active: 1 of 1 (100%)" in out
