"""Joining through the console: open, approval and sponsor registration modes."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Identity, Member, MemberStatus, Role
from tests.support.harness import Network, NetworkFactory


async def count(network: Network, model: type) -> int:
    async with network.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_open_registration_makes_an_active_member(network: Network) -> None:
    out = await network.join("alice")
    assert "Welcome to the Business ambassadors!" in out
    async with network.sessions() as session:
        member = await session.scalar(select(Member))
        assert member is not None
        assert (member.status, member.category, member.language) == (
            MemberStatus.ACTIVE,
            "business",
            "en",
        )
        identity = await session.scalar(select(Identity))
        assert identity is not None and identity.user_id == "alice"


async def test_french_speaker_is_answered_in_french(network: Network) -> None:
    out = await network.join("bruno", category="Sport", language="Français")
    assert "Bienvenue" in out
    out = await network.play("@bruno /help")
    assert "Ce que vous pouvez faire" in out


async def test_declining_consent_writes_nothing(network: Network) -> None:
    out = await network.play(
        """
        @alice /start
        @alice [English]
        @alice [I do not agree]
        """
    )
    assert "nothing was saved" in out
    assert await count(network, Member) == 0


async def test_pending_member_is_told_and_refused(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="approval")
    out = await network.join("paul")
    assert "waiting for a coordinator's approval" in out
    out = await network.play("@paul /report")
    assert "waiting for a coordinator's approval" in out
    assert "What would you like to report?" not in out


async def test_config_coordinator_is_active_even_under_approval(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__registration="approval")
    await network.join("carol")
    async with network.sessions() as session:
        member = await session.scalar(select(Member))
        assert member is not None
        assert (member.status, member.role) == (MemberStatus.ACTIVE, Role.COORDINATOR)


async def test_sponsor_mode_requires_a_valid_code(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="sponsor")
    await network.join("carol")  # a coordinator: active without a sponsor
    async with network.sessions() as session:
        code = await session.scalar(select(Member.sponsor_code))
    out = await network.play(
        """
        @dan /start
        @dan [English]
        @dan [I agree]
        @dan [Sport]
        @dan [Skip]
        @dan NOPE1234
        """
    )
    assert "Send the sponsor code an ambassador gave you." in out
    assert "no button 'Skip'" in out
    assert "This code is unknown" in out
    out = await network.play(f"@dan {code.lower()}")
    assert "waiting for a coordinator's approval" in out
    async with network.sessions() as session:
        dan = await session.scalar(select(Member).where(Member.display_name == "Dan"))
        assert dan is not None and dan.sponsor_id is not None and dan.status is MemberStatus.PENDING


async def test_start_twice_does_not_register_twice(network: Network) -> None:
    await network.join("alice")
    out = await network.play("@alice /start")
    assert "already a member" in out
    assert await count(network, Member) == 1


async def test_stale_join_button_is_refused(network: Network) -> None:
    await network.play(
        """
        @alice /start
        @alice [English]
        """
    )
    # Forge a press on the first prompt (version 1) while the flow is at version 2.
    from bot.core.port import Event

    event = Event(
        platform="console",
        user_id="alice",
        chat_id="alice",
        is_private=True,
        payload="f:join:1:fr",
        message_id="1",
    )
    await network.app.dispatch(event, network.console)
    assert "This button is no longer active." in network.out.getvalue()
    assert await count(network, Member) == 0


async def test_newcomer_in_a_category_channel_is_greeted_once(network: Network) -> None:
    await network.join("alice")
    out = await network.play(
        """
        @alice +#business
        @zoe +#business
        @zoe +#sport
        """
    )
    assert out.count("→ #") == 1
    # A stranger's language is unknown on the console: the network's default, French.
    assert "→ #business: Bienvenue, Zoe\u00a0! Pour rejoindre les ambassadeurs Entreprises" in out
    out = await network.play("@zoe #business [Rejoindre]")
    assert "→ @zoe: Bienvenue dans Lyon Ambassadors\u00a0! Choisissez votre langue." in out


async def test_start_from_a_group_moves_to_the_private_chat(network: Network) -> None:
    out = await network.play(
        """
        @zoe #business /start
        @zoe #business [1]
        """
    )
    assert "→ #business: Continuons en privé" in out
    assert "[1] Ouvrir une discussion privée ↗" in out
    assert "→ @zoe: Bienvenue dans Lyon Ambassadors\u00a0!" in out


async def test_newcomer_in_the_general_channel_is_invited_to_the_network_once(
    network: Network,
) -> None:
    await network.join("alice")
    out = await network.play(
        """
        @alice +#general
        @zoe +#general
        @zoe +#business
        @zoe +#general
        """
    )
    assert out.count("→ #") == 1
    assert (
        "→ #general: Bienvenue, Zoe\u00a0! Pour rejoindre Lyon Ambassadors, envoyez /start "
        "ou ouvrez une discussion privée avec moi." in out
    )
