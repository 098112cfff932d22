"""Applications reach the coordinators, one decision wins, the applicant hears it in their
language, the sponsor is credited once; /pending; /invite."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.core.db import session_factory
from bot.core.port import Address, Event
from bot.models import AuditEntry, MemberStatus, PointsEntry
from bot.runtime import build_app
from tests.support.fakes import RecordingPlatform
from tests.support.harness import Network, NetworkFactory
from tests.support.people import count, member, member_id, said_to, with_roles


def press(user: str, payload: str, chat: str | None = None, message_id: str = "1") -> Event:
    chat = chat or user
    return Event(
        platform="console",
        user_id=user,
        user_name=user.capitalize(),
        chat_id=chat,
        is_private=not chat.startswith("#"),
        payload=payload,
        message_id=message_id,
    )


async def sponsor_code(network: Network, name: str) -> str:
    return (await member(network, name)).sponsor_code


async def apply(network: Network, name: str, language: str, code: str | None = None) -> str:
    skip = "Skip" if language == "English" else "Passer"
    return await network.play(
        f"""
        @{name} /start {code or ""}
        @{name} [{language}]
        @{name} [1]
        @{name} [Sport]
        @{name} [{skip}]
        """
    )


async def test_approval_card_decision_language_and_sponsor_credit(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__registration="approval")
    await network.join("carol")
    await network.join("alice")  # carol approves alice first (she is pending too)
    alice = await member_id(network, "Alice")
    out = await network.play("@carol #coordinators [Accepter]")  # the network speaks French
    assert f"New application #{alice}: Alice" in out and "→ Alice approved by Carol." in out
    out = await apply(network, "dan", "Français", await sponsor_code(network, "Alice"))
    card = said_to(out, "#coordinators")[-1]
    dan = await member_id(network, "Dan")
    assert card.startswith(f"Nouvelle candidature #{dan}\u00a0: Dan\nCatégorie\u00a0: Sport")
    assert f"Parrain\u00a0: Alice (#{alice})" in card
    out = await network.play("@carol #coordinators [Accepter]")
    assert said_to(out, "@dan") == [
        "Bonne nouvelle\u00a0: votre candidature a été acceptée. Bienvenue chez les ambassadeurs "
        "Sport\u00a0! Envoyez /help pour voir ce que vous pouvez faire."
    ]
    assert "Their sponsor earns 10 points." in out  # carol speaks English
    # The same card pressed again (an old copy), and /pending afterwards.
    mark = len(network.out.getvalue())
    await network.app.dispatch(press("carol", f"apv:y:{dan}", "#coordinators"), network.console)
    await network.app.dispatch(press("carol", f"apv:n:{dan}", "#coordinators"), network.console)
    out = network.out.getvalue()[mark:]
    assert out.count("Dan was already approved by Carol.") == 2
    assert "No application is waiting." in await network.play("@carol /pending")
    assert await count(network, PointsEntry, PointsEntry.reason == "sponsor") == 1
    assert (await member(network, "Dan")).status is MemberStatus.ACTIVE
    assert await count(network, AuditEntry, AuditEntry.target_member_id == dan) == 1
    assert said_to(out, "@dan") == []  # told once, above


async def test_two_coordinators_at_once_make_one_decision(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="sponsor")
    network = with_roles(network, coordinators=["console:carol", "console:dora"])
    await network.join("carol")
    await network.join("dora")
    code = await sponsor_code(network, "Carol")
    for name in ("eve", "fred"):
        await network.play(
            f"""
            @{name} /start {code}
            @{name} [English]
            @{name} [1]
            @{name} [Sport]
            """
        )
    eve, fred = await member_id(network, "Eve"), await member_id(network, "Fred")
    app = network.app
    mark = len(network.out.getvalue())
    await asyncio.gather(
        app.dispatch(press("carol", f"apv:y:{eve}", "#coordinators", "7"), network.console),
        app.dispatch(press("dora", f"apv:y:{eve}", "#coordinators", "7"), network.console),
        app.dispatch(press("carol", f"apv:y:{fred}", "#coordinators", "8"), network.console),
        app.dispatch(press("dora", f"apv:n:{fred}", "#coordinators", "8"), network.console),
    )
    await app.sender.drain()
    out = network.out.getvalue()[mark:]
    assert len(said_to(out, "@eve")) == 1 and len(said_to(out, "@fred")) == 1
    assert out.count("was already") == 2
    for applicant in (eve, fred):
        assert await count(network, AuditEntry, AuditEntry.target_member_id == applicant) == 1
    fred_status = (await member(network, "Fred")).status
    assert (await member(network, "Eve")).status is MemberStatus.ACTIVE
    assert fred_status in (MemberStatus.ACTIVE, MemberStatus.REJECTED)
    approved = 1 + (fred_status is MemberStatus.ACTIVE)
    async with network.sessions() as session:
        credits = list(
            await session.scalars(select(PointsEntry.points).where(PointsEntry.reason == "sponsor"))
        )
    assert credits == [10] * approved


async def test_rejection_is_told_in_the_applicants_language(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__registration="approval")
    await network.join("carol")
    await apply(network, "gus", "English")
    gus = await member_id(network, "Gus")
    out = await network.play(
        f"""
        @carol /pending
        @carol [Reject #{gus}]
        @gus /start
        @gus /report
        """
    )
    assert f"#{gus} Gus — Sport — sponsor: none" in out
    assert "Gus rejected by Carol." in said_to(out, "@carol")
    # The list is not rewritten (it may hold other applicants' buttons).
    assert "(edited)" not in out
    assert said_to(out, "@gus")[0].startswith("Your application was not accepted.")
    assert said_to(out, "@gus")[1:] == ["Your membership is not active. Contact a coordinator."] * 2


async def test_without_a_coordinators_channel_each_coordinator_gets_the_card_privately(
    network: Network,
) -> None:
    settings = with_roles(network, coordinators=["telegram:1", "telegram:2"]).settings
    settings = settings.model_copy(
        update={"network": settings.network.model_copy(update={"registration": "approval"})}
    )
    sessions = session_factory(network.engine)
    app = build_app(settings=settings, sessions=sessions, clock=network.clock)
    telegram = RecordingPlatform("telegram")
    app.attach(telegram)

    async def join(user: str, *labels: str) -> None:
        await app.dispatch(
            Event(
                platform="telegram", user_id=user, chat_id=user, is_private=True, command="start"
            ),
            telegram,
        )
        for label in labels:
            buttons = [b for row in telegram.sent[-1].message.buttons for b in row]
            payload = next(b.payload for b in buttons if b.label == label)
            event = Event(
                platform="telegram", user_id=user, chat_id=user, is_private=True, payload=payload
            )
            await app.dispatch(event, telegram)
        await app.sender.drain()

    # Coordinators by config: asked neither a category nor a sponsor code.
    await join("1", "English", "I agree")
    await join("2", "Français", "J'accepte")
    await join("3", "English", "I agree", "Sport", "Skip")
    assert telegram.by_chat["1"][-1].startswith("New application #3: 3\nCategory: Sport")
    assert telegram.by_chat["2"][-1].startswith(
        "Nouvelle candidature #3\u00a0: 3\nCatégorie\u00a0: Sport"
    )
    # Once a coordinators' group is bound, cards go there only.
    bind = Event(
        platform="telegram", user_id="1", chat_id="-100", is_private=False, command="bind",
        args=("coordinators",),
    )  # fmt: skip
    await app.dispatch(bind, telegram)
    before = (len(telegram.by_chat["1"]), len(telegram.by_chat["2"]))
    await join("4", "English", "I agree", "Sport", "Skip")
    assert (len(telegram.by_chat["1"]), len(telegram.by_chat["2"])) == before
    assert telegram.by_chat["-100"][-1].startswith("Nouvelle candidature #4")
    assert telegram.sent[-1].address == Address("telegram", "-100")


async def test_invite_gives_the_code_and_a_telegram_link(network: Network) -> None:
    await network.join("alice")
    code = await sponsor_code(network, "Alice")
    out = await network.play("@alice /invite")
    assert code in out and "t.me" not in out
    telegram = network.settings.telegram.model_copy(update={"username": "LyonBot"})
    network = with_roles(network, telegram=telegram)
    out = await network.play("@alice /invite")
    assert f"On Telegram: https://t.me/LyonBot?start={code}" in out
    # The link's code works with /start.
    out = await network.play(f"@zed /start {code}\n@zed [English]\n@zed [1]\n@zed [Sport]")
    assert (await member(network, "Zed")).sponsor_id == await member_id(network, "Alice")
