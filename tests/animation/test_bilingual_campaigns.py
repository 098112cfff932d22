"""Campaigns and plans in French and English: each member reads their language (else the
network's), channel posts carry both; segments narrow private messages and e-mails;
repeats end at a date or after a number of runs; members choose chat, e-mail or both,
or channel posts only — on the console, through Telegram, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.activity.engagement import State
from bot.animation import campaigns
from bot.animation.segments import Segments
from bot.core.bilingual import Bilingual
from bot.core.clock import FrozenClock
from bot.delivery import queue
from bot.models import (
    Campaign,
    CampaignReach,
    CampaignRun,
    CampaignStatus,
    Delivery,
    Member,
    MemberStatus,
    NudgePreference,
    PointsEntry,
    Repeat,
)
from bot.scheduling import runner
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import Network, NetworkFactory
from tests.support.mail import mailing
from tests.support.people import count, member_id, said_to
from tests.support.smtp import smtp_server, text_part
from tests.support.telegram_network import TelegramNetwork

FR = "Lyon est dans le top 10 des destinations européennes !"
FR_CALL = "Partagez l'article avec votre réseau"
EN = "Lyon is in the top 10 of European destinations!"
EN_CALL = "Share the article with your network"

BILINGUAL = f"""
@carol /campaign
@carol [Business]
@carol [Tourism & culture]
@carol [Continue]
@carol {FR}
@carol {FR_CALL}
@carol [Now]
@carol [Once]
@carol [Yes, privately too]
@carol [Add the English text]
@carol {EN}
@carol {EN_CALL}
@carol [Confirm]
"""


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory(jobs__leaderboard="off", jobs__digest="off", jobs__nudges="off")


async def _people(network: Network) -> Network:
    await network.join("carol")
    await network.join("alice", category="Business")
    await network.join("tina", category="Tourisme & culture", language="Français")
    return network


def _draft(**changes: object) -> campaigns.Draft:
    values: dict[str, object] = {
        "categories": (),
        "text": Bilingual(fr=FR, en=EN),
        "call_to_action": Bilingual(fr=FR_CALL, en=EN_CALL),
        "starts_at": None,
        "repeat": Repeat.NONE,
        "direct": True,
    }
    values.update(changes)
    return campaigns.Draft(**values)  # type: ignore[arg-type]


async def _run(
    network: Network, draft: campaigns.Draft, platforms: tuple[str, ...] = ("console",)
) -> int:
    """Save ``draft`` as carol's campaign and run it now; its id."""
    carol = await member_id(network, "Carol")
    async with network.sessions.begin() as session:
        campaign = campaigns.save(None, draft, author_id=carol, now=network.clock.now())
        session.add(campaign)
        await session.flush()
        await campaigns.run(
            session,
            network.settings,
            network.app.translator,
            campaign,
            platforms=platforms,
            now=network.clock.now(),
        )
        return campaign.id


async def _recipients(network: Network, platform: str = "console") -> list[str]:
    async with network.sessions() as session:
        rows = await session.scalars(
            select(Member.display_name)
            .join(Delivery, Delivery.member_id == Member.id)
            .where(Delivery.private.is_(True), Delivery.platform == platform)
            .order_by(Member.display_name)
        )
        return list(rows)


async def test_a_bilingual_campaign_reaches_each_member_in_their_language(
    network: Network,
) -> None:
    network = await _people(network)
    out = await network.play(BILINGUAL)
    # The preview shows the channel post and the private message in each language.
    assert "Preview — as a private message (French):" in out
    assert "Preview — as a private message (English):" in out
    assert "Languages: French, English" in out
    # The channel: the network's language (French) first, English below, French buttons.
    post = said_to(out, "#business")[0]
    assert post.startswith(f"{FR}\n\n→ {FR_CALL}\n\n— English —\n{EN}\n\n→ {EN_CALL}")
    assert post.endswith("[1] Fait  [2] Je m'en occupe  [3] Pas pour moi")
    # Privately, each in their language: header, text, call and buttons.
    assert said_to(out, "@alice")[0] == (
        f"A campaign from the network's coordinators:\n\n{EN}\n\n→ {EN_CALL}\n"
        "[1] Done  [2] I'm on it  [3] Not for me"
    )
    assert said_to(out, "@tina")[0] == (
        f"Une campagne des coordinateurs du réseau\u00a0:\n\n{FR}\n\n→ {FR_CALL}\n"
        "[1] Fait  [2] Je m'en occupe  [3] Pas pour moi"
    )
    # Written in French only: an English reader gets the network's French, English buttons.
    french_only = _draft(
        text=Bilingual(fr="Seulement en français"),
        call_to_action=Bilingual(fr=FR_CALL),
        categories=("business",),
    )
    await _run(network, french_only)
    out = await network.play("~ +1m")
    assert said_to(out, "@alice")[0].startswith(
        "A campaign from the network's coordinators:\n\nSeulement en français"
    )
    assert said_to(out, "@alice")[0].endswith("[1] Done  [2] I'm on it  [3] Not for me")


async def test_rendered_once_per_language_not_once_per_member(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = await _people(network)
    for name in ("bob", "dan", "eve"):
        await network.join(name)
    rendered: list[str] = []
    original = campaigns.render

    def counting(*args: object, **kwargs: object) -> object:
        rendered.append(str(args[1]))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("bot.animation.campaigns.render", counting)
    await _run(network, _draft())
    assert sorted(rendered) == ["en", "fr", "fr"]  # the post, then one per language
    assert len(await _recipients(network)) == 6


async def test_segments_pick_the_right_members(network: Network) -> None:
    network = await _people(network)
    await network.join("bob")
    await network.join("dan", category="Entreprises", language="Français")
    now = network.clock.now()
    async with network.sessions.begin() as session:
        ids = {
            name: await session.scalar(select(Member.id).where(Member.display_name == name))
            for name in ("Alice", "Bob", "Dan", "Tina", "Carol")
        }
        # Alice and Dan reached 200 points; Bob and Tina have been quiet for 40 days.
        for name in ("Alice", "Dan"):
            session.add(
                PointsEntry(
                    member_id=ids[name], points=200, reason="test",
                    unique_key=f"seed:{name}", created_at=now,
                )
            )  # fmt: skip
        await session.execute(
            update(Member)
            .where(Member.id.in_([ids["Bob"], ids["Tina"]]))
            .values(joined_at=now - timedelta(days=40), last_action_at=None)
        )
        # An imported member who never claimed the account, with an e-mail address.
        session.add(
            Member(
                display_name="Ivy", status=MemberStatus.ACTIVE, category="business", language="en",
                sponsor_code="IVY1", joined_at=now, email="ivy@example.test",
            )
        )  # fmt: skip
    network.clock.advance(timedelta(days=1))

    cases = [
        (Segments(min_points=200), ["Alice", "Dan"]),
        (Segments(languages=("fr",)), ["Dan", "Tina"]),
        (Segments(activity=(State.DORMANT,)), ["Bob", "Tina"]),
        (Segments(activity=(State.ACTIVE,)), ["Alice", "Carol", "Dan"]),
        (Segments(platforms=("console",), languages=("en",)), ["Alice", "Bob", "Carol"]),
        (Segments(min_points=50, languages=("en",)), ["Alice"]),
    ]
    for segments, expected in cases:
        async with network.sessions.begin() as session:
            await session.execute(Delivery.__table__.delete())
        await _run(network, _draft(segments=segments))
        assert await _recipients(network) == expected, segments
    # The never activated are a segment of their own: reachable by e-mail only.
    async with network.sessions.begin() as session:
        await session.execute(Delivery.__table__.delete())
    never = Segments(activity=(State.NEVER_ACTIVATED,))
    await _run(network, _draft(segments=never, email=True), ("console", "email"))
    assert await _recipients(network) == []
    assert await _recipients(network, "email") == ["Ivy"]
    # /campaign's count leaves them out of "targeted" and says so.
    out = await network.play(
        """
        @carol /campaign
        @carol [Business]
        @carol [Continue]
        @carol Texte
        @carol Appel
        @carol [Now]
        @carol [Once]
        @carol [Yes, privately too]
        @carol [Narrow the audience]
        @carol [Dormant]
        @carol [Continue]
        """
    )
    before, narrowed = out.split("@carol [Narrow the audience]")
    narrowed = narrowed.split("@carol [Dormant]")[1]
    assert "Active members targeted: 3\n    + 1 not reachable yet: imported, never joined" in before
    assert "Private messages and e-mails to: Dormant" in narrowed
    assert "Active members targeted: 1\n" in narrowed  # Bob
    assert "not reachable yet" not in narrowed  # Ivy is never activated, not dormant


async def test_end_date_and_number_of_runs_stop_a_repeating_campaign(network: Network) -> None:
    network = await _people(network)
    start = network.clock.now() + timedelta(hours=1)
    carol = await member_id(network, "Carol")
    async with network.sessions.begin() as session:
        by_runs = campaigns.save(
            None,
            _draft(starts_at=start, repeat=Repeat.WEEKLY, max_runs=2, direct=False),
            author_id=carol,
            now=network.clock.now(),
        )
        by_date = campaigns.save(
            None,
            _draft(
                starts_at=start,
                repeat=Repeat.WEEKLY,
                ends_at=start + timedelta(weeks=2, hours=1),
                direct=False,
            ),
            author_id=carol,
            now=network.clock.now(),
        )
        session.add_all([by_runs, by_date])
    for _week in range(5):
        network.clock.advance(timedelta(weeks=1))
        await runner.run_due(network.app)
    async with network.sessions() as session:
        runs = dict(
            (
                await session.execute(
                    select(CampaignRun.campaign_id, CampaignRun.occurrence).order_by(
                        CampaignRun.occurrence
                    )
                )
            ).all()
        )
        done = list(await session.scalars(select(Campaign.status).order_by(Campaign.id)))
    assert runs == {by_runs.id: 2, by_date.id: 3}  # weeks 0, 1 — and 0, 1, 2
    assert done == [CampaignStatus.DONE, CampaignStatus.DONE]


async def test_a_member_keeps_channel_posts_only_and_comes_back(network: Network) -> None:
    network = await _people(network)
    out = await network.play(
        """
        @alice /reminders
        @alice [Channel posts only]
        """
    )
    assert "Campaigns reach you by private message." in out
    assert "Campaigns: channel posts only, no private message or e-mail" in out
    await _run(network, _draft(categories=("business",)))
    out = await network.play("~ +1m")
    assert said_to(out, "@alice") == [] and said_to(out, "#business")
    out = await network.play(
        """
        @alice /reminders
        @alice [Campaign messages on]
        """
    )
    assert "Campaigns reach you by private message." in out
    await _run(network, _draft(categories=("business",)))
    out = await network.play("~ +1m")
    assert said_to(out, "@alice")[0].startswith("A campaign from the network's coordinators:")
    alice = await member_id(network, "Alice")
    async with network.sessions() as session:
        preference = await session.get(NudgePreference, alice)
    assert preference is not None and preference.campaigns_off_at is None
    # /forget erases how she asked to be reached.
    out = await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert "Your data was erased." in out
    assert await count(network, NudgePreference, NudgePreference.member_id == alice) == 0


async def test_email_copies_follow_each_members_choice(network: Network) -> None:
    network = await _people(network)
    await network.join("bob")
    now = network.clock.now()
    async with network.sessions.begin() as session:
        names = ("Alice", "Bob", "Tina")
        ids = {
            n: await session.scalar(select(Member.id).where(Member.display_name == n))
            for n in names
        }
        await session.execute(
            update(Member).where(Member.id.in_(ids.values())).values(email="x@example.test")
        )
        chosen = {
            "Alice": {"campaign_reach": CampaignReach.EMAIL},
            "Tina": {"campaign_reach": CampaignReach.BOTH},
            "Bob": {"campaigns_off_at": now},
        }
        for name, values in chosen.items():
            session.add(NudgePreference(member_id=ids[name], updated_at=now, **values))
    await _run(network, _draft(), ("console", "email"))
    assert await _recipients(network) == ["Carol", "Tina"]
    assert await _recipients(network, "email") == ["Alice", "Tina"]
    async with network.sessions() as session:
        rows = list(
            await session.scalars(
                select(Delivery).where(Delivery.platform == "email").order_by(Delivery.member_id)
            )
        )
    alice, tina = rows
    assert alice.chat_id == str(ids["Alice"])
    english = queue.decode(alice.message, None)
    assert english.language == "en" and english.buttons == ()
    subject, *body = english.text.splitlines()
    assert subject.endswith(EN) and EN in body
    assert "send /answer c1-1 to the bot" in english.text
    assert FR in queue.decode(tina.message, None).text
    # The reply code brings the answer buttons, in private.
    out = await network.play("@alice /answer c1-1\n@alice [Done]")
    assert "Your answer: Done. Thank you!" in out
    out = await network.play("@alice /answer nonsense")
    assert "Send the code from the e-mail, like /answer c5-2." in out


async def test_a_plan_in_two_languages(network: Network) -> None:
    await network.join("carol")
    await network.join("tina", language="Français")
    out = await network.play(
        """
        @carol /plan business
        @carol Partagez la vidéo du festival
        @carol Le festival a fait une vidéo de la ville.
        @carol Partagez-la cette semaine
        @carol [Skip]
        @carol [Add the English text]
        @carol Share the festival video
        @carol The festival made a video of the city.
        @carol Share it this week
        @carol [Confirm]
        @carol /plans
        """
    )
    post = said_to(out, "#business")[0]
    assert post.startswith("📌 Partagez la vidéo du festival\n\nLe festival a fait")
    assert "— English —\n📌 Share the festival video\n\nThe festival made a video" in post
    assert post.endswith("[1] Fait  [2] Je m'en occupe  [3] Pas pour moi")
    assert "“Share the festival video”" in said_to(out, "@carol")[-1]


def _labels(message: dict[str, Any]) -> list[str]:
    rows = message["reply_markup"]["inline_keyboard"]
    return [str(button["text"]) for row in rows for button in row]


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> AsyncIterator[tuple[TelegramNetwork, FakeTelegram]]:
    async with FakeTelegram() as fake:
        network = TelegramNetwork(engine, database_url, clock, fake)
        await network.platform.initialize()
        yield network, fake
        await network.platform.stop()


async def test_a_bilingual_campaign_through_telegram(
    tg: tuple[TelegramNetwork, FakeTelegram],
) -> None:
    network, fake = tg
    alice, bruno = fake.user(1001, "Alice"), fake.user(1002, "Bruno")
    await network.join(alice)
    await network.join(bruno)
    async with network.sessions.begin() as session:
        await session.execute(
            update(Member).where(Member.display_name == "Bruno").values(language="fr")
        )
        campaign = campaigns.save(None, _draft(), author_id=1, now=network.clock.now())
        session.add(campaign)
        await session.flush()
        await campaigns.run(
            session,
            network.settings,
            network.app.translator,
            campaign,
            platforms=("telegram",),
            now=network.clock.now(),
        )
    await network.app.sender.drain()
    english = fake.last_message(alice, with_buttons=True)
    french = fake.last_message(bruno, with_buttons=True)
    assert EN in english["text"] and FR not in english["text"]
    assert _labels(english) == ["Done", "I'm on it", "Not for me"]
    assert FR in french["text"] and "Une campagne des coordinateurs" in french["text"]
    assert _labels(french) == ["Fait", "Je m'en occupe", "Pas pour moi"]
    assert await network.count(CampaignRun) == 1


async def test_a_bilingual_campaign_by_email_over_smtp(network_factory: NetworkFactory) -> None:
    """By e-mail, through the e-mail platform and a real SMTP server on loopback: each
    member gets the campaign in their language."""
    with smtp_server() as mailbox:
        network = mailing(
            network_factory, mailbox,
            jobs__leaderboard="off", jobs__digest="off", jobs__nudges="off",
        )  # fmt: skip
        network = await _people(network)
        clock = network.clock
        async with network.sessions.begin() as session:
            for name, address in (("Alice", "alice@example.test"), ("Tina", "tina@example.test")):
                member = await session.scalar(select(Member).where(Member.display_name == name))
                assert member is not None
                member.email = address
                session.add(
                    NudgePreference(
                        member_id=member.id,
                        campaign_reach=CampaignReach.EMAIL,
                        updated_at=clock.now(),
                    )
                )
        await _run(network, _draft(), ("console", "email"))
        await network.app.sender.drain()
    english = text_part(mailbox.to("alice@example.test")[0])
    french = text_part(mailbox.to("tina@example.test")[0])
    assert EN in english and FR not in english
    assert FR in french and "Une campagne des coordinateurs" in french
