"""The /stats chart's reach series: clicks on shared kit links per week, for the network
or one category (the sharers'), drawn on their own axis only when there are any."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from matplotlib.figure import Figure
from sqlalchemy import select

from bot.activity import charts, stats
from bot.models import KitClick, KitItem, KitKind, KitShare, Member
from tests.support.harness import Network

LABELS = charts.ChartLabels(
    "t", "trend", "actions", "actors", "members", "active", "dormant", "never",
    "this week, so far", "funnel", ("a", "b", "c", "d"), {}, clicks="kit clicks",
)  # fmt: skip


async def test_clicks_per_week_by_category_and_drawn(network: Network) -> None:
    await network.join("alice")
    await network.join("tom", category="Tourism & culture")
    now = network.clock.now()
    async with network.sessions.begin() as session:
        item = KitItem(kind=KitKind.LINK, title="Lyon", link="https://x.test", created_at=now)
        session.add(item)
        await session.flush()
        members = {m.display_name: m.id for m in await session.scalars(select(Member))}
        for number, (name, weeks_ago, clicks) in enumerate(
            (("Alice", 1, 3), ("Tom", 1, 1), ("Alice", 3, 2))
        ):
            share = KitShare(
                member_id=members[name], item_id=item.id, code=f"code{number}",
                created_at=now - timedelta(weeks=weeks_ago),
            )  # fmt: skip
            if name == "Alice" and weeks_ago == 3:
                share = await session.scalar(select(KitShare).where(KitShare.code == "code0"))
                assert share is not None
            else:
                session.add(share)
                await session.flush()
            for click in range(clicks):
                session.add(
                    KitClick(
                        share_id=share.id, day=f"d{weeks_ago}", visitor=f"v{number}{click}",
                        created_at=now - timedelta(weeks=weeks_ago),
                    )
                )  # fmt: skip
    zone = network.settings.network.timezone
    async with network.sessions() as session:
        everyone = await stats.compute(session, now, zone)
        business = await stats.compute(session, now, zone, "business")
        empty = await stats.compute(session, now, zone, "sport")
    assert [week.clicks for week in everyone.trend][-4:] == [2, 0, 4, 0]
    assert sum(week.clicks for week in everyone.trend) == 6
    assert sum(week.clicks for week in business.trend) == 5  # Tom's click is tourism's
    axes = Figure().subplots()
    charts.draw_trend(axes, everyone.trend, LABELS, ZoneInfo(zone))
    [reach] = [other for other in axes.figure.axes if other is not axes]
    [line] = reach.get_lines()
    assert sum(line.get_ydata()) == 6  # type: ignore[arg-type]
    legend = axes.get_legend()
    assert legend is not None and "kit clicks" in [t.get_text() for t in legend.get_texts()]
    quiet = Figure().subplots()
    charts.draw_trend(quiet, empty.trend, LABELS, ZoneInfo(zone))
    assert len(quiet.figure.axes) == 1  # no kit clicks: no reach axis
    await network.join("carol")
    assert "[image: " in await network.play("@carol /stats")  # the whole chart renders
