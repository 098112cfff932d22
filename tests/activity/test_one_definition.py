"""Each way the surfaces used to disagree, played on the console: a rejected mention
counted as an action, "I'm on it" and "Not for me" ignored by the nudge ladder, a
referent's own work ignored, a referent listed in their own digest, every channel's
chart showing every category, and the week in progress drawn as a drop."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib.figure import Figure
from sqlalchemy import select

from bot.activity import charts, stats
from bot.animation import calls, plans
from bot.animation.calls import Choice, Subject
from bot.animation.nudge_buttons import DigestPress
from bot.core.bilingual import Bilingual
from bot.models import Member, Nudge, NudgeStep
from tests.support.actions import mention, press
from tests.support.harness import START, Network, NetworkFactory
from tests.support.people import said_to


async def nudged(network: Network) -> set[str]:
    async with network.sessions() as session:
        rows = await session.scalars(
            select(Member.display_name).join(Nudge, Nudge.member_id == Member.id).distinct()
        )
    return set(rows)


async def member(session: Any, name: str) -> Member:
    found = await session.scalar(select(Member).where(Member.display_name == name))
    assert found is not None
    return found


async def test_a_rejected_mention_is_no_action_in_posts_charts_or_digests(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__default_language="en")  # channel posts in English
    for name in ("carol", "rita", "alice"):
        await network.join(name)
    await mention(network, "alice", "Press", "https://news.test/a")
    out = await network.play(
        """
        @rita /review
        @rita [Reject]
        @rita Not about us
        """
    )
    assert "Mention #1 rejected." in out
    out = await network.play("~ +5d")  # Monday 9 March: the posts for 2 to 8 March
    general = " ".join(said_to(out, "#general"))
    assert "Business: 0 of 3 (0%)" in general
    business = " ".join(said_to(out, "#business"))
    assert "over the last 8 weeks, oldest first: 0, 0, 0, 0, 0, 0, 0, 0." in business
    digest = " ".join(said_to(out, "@rita"))
    assert "Actions: 0 mentions, 0 opportunity signals, 0 settlements." in digest


@pytest.mark.parametrize("choice", [Choice.ON_IT, Choice.NOT_FOR_ME, Choice.DONE])
async def test_any_answer_to_a_call_starts_the_ladder_again(
    network: Network, choice: Choice
) -> None:
    await network.join("dan")
    await network.join("alice")  # quiet since joining: the control
    await network.play("~ +20d")
    async with network.sessions.begin() as session:
        await calls.record(
            session,
            network.settings,
            member=await member(session, "Dan"),
            subject=Subject(plan_id=1),
            choice=choice,
            now=network.clock.now(),
        )
    await network.play("~ +11d")  # 31 days after joining, 11 after the answer
    assert await nudged(network) == {"Alice"}
    await network.play("~ +20d")  # 31 days after the answer
    assert await nudged(network) == {"Alice", "Dan"}


async def test_posting_a_plan_is_a_referents_sign_of_life(network: Network) -> None:
    await network.join("rita")
    await network.join("alice")
    await network.play("~ +20d")
    async with network.sessions.begin() as session:
        rita = await member(session, "Rita")
        draft = plans.Draft(
            "business",
            Bilingual(en="Speak up"),
            Bilingual(en="Why"),
            Bilingual(en="Post about us"),
            None,
        )
        await plans.publish(
            session,
            network.settings,
            network.app.translator,
            draft=draft,
            author_id=rita.id,
            author_name=rita.display_name,
            platforms=[],
            now=network.clock.now(),
        )
    await network.play("~ +11d")
    assert await nudged(network) == {"Alice"}


async def test_reviewing_a_mention_is_a_referents_sign_of_life(network: Network) -> None:
    for name in ("rita", "alice", "bob"):
        await network.join(name)
    await network.play("~ +25d")
    await mention(network, "alice", "Press", "https://news.test/a")
    await network.play(
        """
        @rita /review
        @rita [Verify]
        """
    )
    await network.play("~ +6d")  # 31 days after joining
    assert await nudged(network) == {"Bob"}


async def test_a_referent_is_never_in_their_own_digest(network: Network) -> None:
    for name in ("carol", "rita", "dora"):
        await network.join(name)
    # Both quiet: the gentle nudge at 30 days, the personal one at 44, the referent step
    # at 58; the digest of Monday 4 May lists who waits for a word.
    out = await network.play("~ +61d")
    digests = said_to(out, "@rita")
    last = [text for text in digests if text.startswith("Your weekly digest")][-1]
    assert "Dora: no action for" in last
    assert "Rita: no action" not in last and "Write to Rita" not in last
    # Nor can a forged digest button make her write to herself.
    async with network.sessions() as session:
        own = await session.scalar(
            select(Nudge.id)
            .join(Member, Member.id == Nudge.member_id)
            .where(Member.display_name == "Rita", Nudge.step == NudgeStep.REFERENT)
        )
    assert own is not None
    out = await press(network, "rita", DigestPress("write", own).pack())
    assert "This button is no longer active." in out
    # Rita's own silence is told to coordinators instead.
    out = await network.play("@carol /stats")
    assert "Referents and coordinators with no sign of life for 30 days:" in out
    assert "#2 Rita" in out


async def test_each_category_channel_charts_its_own_category(
    network_factory: NetworkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = network_factory(network__default_language="en")  # channel posts in English
    drawn: list[tuple[str, list[str]]] = []
    original = charts.weekly

    def weekly(title: str, weeks: list[str], series: dict[str, list[int]], ylabel: str) -> bytes:
        drawn.append((title, list(series)))
        return original(title, weeks, series, ylabel)

    monkeypatch.setattr(charts, "weekly", weekly)
    await network.join("alice")
    await network.join("sam", category="Sport")
    await mention(network, "sam", "Blog", "https://blog.test/s")
    await network.play("~ +5d")
    assert ("Actions in Business, last 8 complete weeks", ["Business"]) in drawn
    assert ("Actions in Sport, last 8 complete weeks", ["Sport"]) in drawn
    general = [series for title, series in drawn if title.startswith("Actions per category")]
    assert len(general) == 1 and {"Business", "Sport"} <= set(general[0])


async def test_the_week_in_progress_is_drawn_apart(network: Network) -> None:
    await network.join("carol")
    await mention(network, "carol", "Blog", "https://blog.test/c")
    out = await network.play("@carol /stats")
    weeks = [line for line in out.splitlines() if " · " in line][-1].split(" · ")
    assert weeks[-1] == "02/03 1 (1) so far"
    assert not any("so far" in week for week in weeks[:-1])
    now: datetime = network.clock.now()
    async with network.sessions() as session:
        numbers = await stats.compute(session, now, network.settings.network.timezone)
    assert [week.complete for week in numbers.trend] == [True] * 11 + [False]
    labels = charts.ChartLabels(
        "t", "trend", "actions", "actors", "members", "active", "dormant", "never",
        "this week, so far", "funnel", ("a", "b", "c", "d"), {},
    )  # fmt: skip
    axes = Figure().subplots()
    charts.draw_trend(axes, numbers.trend, labels, ZoneInfo("Europe/Paris"))
    hatches = [patch.get_hatch() for patch in axes.patches]
    assert hatches == [None] * 11 + ["//"]
    legend = axes.get_legend()
    assert legend is not None
    assert "this week, so far" in [text.get_text() for text in legend.get_texts()]
    # The line of members who acted stops at the last complete week: no drop to zero.
    (line,) = axes.get_lines()
    assert len(line.get_xdata()) == 11
    assert numbers.trend[-1].start <= START < numbers.trend[-1].start + timedelta(days=7)
