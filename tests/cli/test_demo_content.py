"""The demo network shows something real through the console's own commands: plans with
their answers, campaigns with their runs and posts, nudges with their answers; written in
the network's language, each text matching its kind."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.cli import demo
from bot.cli.demo_texts import MENTIONS, SETTLEMENT, SIGNALS
from bot.models import ActionPlan, Answer, Member, Nudge, NudgeStep, Report, ReportKind
from tests.support.harness import Network, NetworkFactory


async def _build(network: Network, members: int = 300) -> demo.Summary:
    async with network.sessions() as session, session.begin():
        summary = await demo.build(session, network.settings, network.clock.now(), members=members)
        await session.execute(update(Member).values(language="en"))  # the readers' words
    return summary


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_texts_are_in_the_network_s_language_and_match_their_kind(
    network_factory: NetworkFactory, language: str
) -> None:
    network = network_factory(network__default_language=language)
    await _build(network, members=200)
    async with network.sessions() as session:
        reports = list(await session.scalars(select(Report)))
        titles = set(await session.scalars(select(getattr(ActionPlan, f"title_{language}"))))
    assert reports
    for report in reports:
        if report.kind is ReportKind.MENTION:
            assert report.subkind is not None
            assert report.text == MENTIONS[language][report.subkind]
        elif report.kind is ReportKind.SIGNAL:
            assert report.subkind is not None
            assert report.text in SIGNALS[language][report.subkind]
        else:
            assert report.text == SETTLEMENT[language]
    french = {"Partagez le festival de printemps", "Accueillez les nouveaux étudiants"}
    assert (french <= titles) is (language == "fr")


async def test_plans_campaigns_and_nudges_show_their_answers(network: Network) -> None:
    summary = await _build(network)
    assert summary.plans == 15 and summary.campaigns == 3 and summary.nudges > 0
    async with network.sessions() as session:
        answers = Counter(
            (subject, answer)
            for subject, answer in await session.execute(select(Answer.subject, Answer.answer))
        )
        plan = await session.scalar(select(ActionPlan).order_by(ActionPlan.id.desc()).limit(1))
        since = network.clock.now() - timedelta(weeks=12)
        nudges = list(
            await session.scalars(
                select(Nudge).where(
                    Nudge.step.in_((NudgeStep.GENTLE, NudgeStep.PERSONAL)), Nudge.sent_at >= since
                )
            )
        )
    assert plan is not None
    done = answers[(f"p{plan.id}", "d")]
    on_it = answers[(f"p{plan.id}", "o")]
    assert done + on_it > 0
    out = await network.play("@carol /plans")
    category = network.settings.category(plan.category)
    assert category is not None
    title = plan.title_en or plan.title_fr  # carol reads English, else the network's
    assert f"#{plan.id} “{title}” — {category.name.en}" in out
    assert f"Done {done} · I'm on it {on_it} ·" in out

    out = await network.play("@carol /campaigns")
    assert "every week — running" in out and "finished" in out and "scheduled for" in out
    assert "Delivery: 10 sent" in out and "Delivery: 5 sent" in out  # 5 runs × 2 categories
    campaign_answers = sum(n for (subject, _a), n in answers.items() if subject.startswith("c"))
    assert campaign_answers > 0
    out = await network.play("@carol /campaigns\n@carol [Results #1]")
    assert "Done" in out

    out = await network.play("@carol /nudges")
    by_variant = Counter(nudge.variant for nudge in nudges)
    for variant, count in by_variant.items():
        assert f": {count} nudges," in out, (variant, out)
    answered = Counter(nudge.answer for nudge in nudges if nudge.answer)
    assert answered["did"] and f"I did something {answered['did']}" in out

    out = await network.play("@carol /stats")
    assert "Members:" in out and "[image:" in out
