"""``/start CODE`` with a code that does not work: said so in the person's language, with
a way to type it again or to join as a new applicant on purpose (never silently a
duplicate of their imported account); on the console and through the Telegram adapter."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import Identity, Member, MemberStatus, Role, Visibility
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import Network
from tests.support.telegram_network import TelegramNetwork

CODE = "KMNPQRST"


async def imported(sessions: object, clock: FrozenClock) -> int:
    """An imported member, not claimed yet, with the invitation code ``CODE``."""
    async with sessions() as session, session.begin():  # type: ignore[operator]
        member = Member(
            display_name="Éloïse Müller",
            email="eloise@example.org",
            status=MemberStatus.ACTIVE,
            role=Role.MEMBER,
            category="tourism",
            language="fr",
            visibility=Visibility.NAME,
            sponsor_code="SPNSR234",
            invite_code=CODE,
            import_key="email:eloise@example.org",
            joined_at=clock.now(),
        )
        session.add(member)
        await session.flush()
        return member.id


async def members(sessions: object) -> int:
    async with sessions() as session:  # type: ignore[operator]
        return int(await session.scalar(select(func.count()).select_from(Member)) or 0)


async def test_a_mistyped_code_is_refused_then_retyped_loosely(
    network: Network, clock: FrozenClock
) -> None:
    member_id = await imported(network.sessions, clock)
    out = await network.play("@eloise /start KMNPQRSX")
    assert "Le code KMNPQRSX ne fonctionne pas" in out  # the console speaks French
    assert "[1] M'inscrire comme nouveau candidat" in out
    assert "Choose your language" not in out
    out = await network.play("@eloise WRONG-1")
    assert "Le code WRONG1 ne fonctionne pas" in out
    # Spaces, dashes and case do not matter.
    out = await network.play(
        """
        @eloise kmnp-q rst
        @eloise [Français]
        @eloise [J'accepte]
        """
    )
    assert "Bienvenue parmi les ambassadeurs «\u00a0Tourisme & culture\u00a0»" in out
    assert await members(network.sessions) == 1
    async with network.sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.user_id == "eloise"))
        assert identity is not None and identity.member_id == member_id


async def test_joining_without_the_code_is_a_choice(network: Network, clock: FrozenClock) -> None:
    await imported(network.sessions, clock)
    out = await network.play(
        """
        @mallory /start NOPE
        @mallory [M'inscrire comme nouveau candidat]
        """
    )
    assert "Choose your language" in out
    await network.play(
        """
        @mallory [English]
        @mallory [I agree]
        @mallory [Business]
        @mallory [Skip]
        """
    )
    assert await members(network.sessions) == 2
    async with network.sessions() as session:
        unclaimed = await session.scalar(select(Member).where(Member.invite_code == CODE))
        assert unclaimed is not None  # the imported account still waits for its owner


async def test_a_used_code_says_so(network: Network, clock: FrozenClock) -> None:
    await imported(network.sessions, clock)
    await network.play(
        f"""
        @eloise /start {CODE}
        @eloise [English]
        @eloise [I agree]
        """
    )
    out = await network.play(f"@mallory /start {CODE}")
    assert f"Le code {CODE} ne fonctionne pas" in out
    assert await members(network.sessions) == 1


async def test_telegram_deep_link_with_a_wrong_code_is_answered_in_french(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> None:
    async with FakeTelegram() as fake:
        tg = TelegramNetwork(engine, database_url, clock, fake)
        await tg.platform.initialize()
        try:
            await imported(tg.sessions, clock)
            eloise = fake.user(2020, "Éloïse", language_code="fr")
            await tg.say(eloise, "/start KMNPQRSX")  # what t.me/bot?start=KMNPQRSX sends
            assert fake.texts(eloise)[-1].startswith("Le code KMNPQRSX ne fonctionne pas")
            assert await tg.count(Member) == 1
            await tg.say(eloise, "kmnpqrst")
            await tg.tap(eloise, "Français")
            await tg.tap(eloise, "J'accepte")
            member = await tg.member(eloise)
            assert (member.email, member.invite_code) == ("eloise@example.org", None)
            assert await tg.count(Member) == 1
            stranger = fake.user(3030, "Sam")
            await tg.say(stranger, "/start NOPE")
            await tg.tap(stranger, "Join as a new applicant")
            assert "Choose your language" in fake.texts(stranger)[-1]
        finally:
            await tg.platform.stop()
