"""/bind and /unbind: who may, what is stored, and where broadcasts then go."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.port import Address, Event
from bot.delivery import channels
from bot.models import AuditEntry, ChannelBinding
from tests.support.fakes import RecordingPlatform
from tests.support.harness import Network, NetworkFactory


async def bindings(network: Network) -> list[tuple[str, str, str, str]]:
    async with network.sessions() as session:
        rows = await session.scalars(select(ChannelBinding).order_by(ChannelBinding.id))
        return [(r.platform, r.chat_id, r.thread_id, r.scope) for r in rows]


def group_command(
    user: str, chat: str, command: str, *args: str, thread: str | None = None
) -> Event:
    return Event(
        platform="telegram",
        user_id=user,
        chat_id=chat,
        thread_id=thread,
        is_private=False,
        command=command,
        args=args,
    )


async def join_on_telegram(network: Network, telegram: RecordingPlatform, user: str) -> None:
    """Register a Telegram identity through the join flow, pressing the newest buttons (a
    coordinator named in config is asked no category and no sponsor code: the steps that
    do not come are not pressed)."""
    start = Event(platform="telegram", user_id=user, chat_id=user, is_private=True, command="start")
    await network.app.dispatch(start, telegram)
    for label in ("English", "I agree", "Business", "Skip"):
        buttons = [b for row in telegram.sent[-1].message.buttons for b in row]
        payload = next((b.payload for b in buttons if b.label == label), None)
        if payload is None:
            assert label in ("Business", "Skip"), f"no {label!r} button"
            continue
        press = Event(
            platform="telegram", user_id=user, chat_id=user, is_private=True, payload=payload
        )
        await network.app.dispatch(press, telegram)


def with_coordinator(network: Network, identity: str) -> Network:
    roles = network.settings.roles.model_copy(update={"coordinators": [identity]})
    return Network(
        network.engine, network.settings.model_copy(update={"roles": roles}), network.clock
    )


async def test_coordinator_binds_a_group_and_a_forum_topic(network: Network) -> None:
    network = with_coordinator(network, "telegram:42")
    telegram = RecordingPlatform("telegram")
    network.app.attach(telegram)
    await join_on_telegram(network, telegram, "42")
    await network.app.dispatch(
        group_command("42", "-100500", "bind", "business", thread="7"), telegram
    )
    await network.app.dispatch(group_command("42", "-100600", "bind", "general"), telegram)
    assert await bindings(network) == [
        ("telegram", "-100500", "7", "category:business"),
        ("telegram", "-100600", "", "general"),
    ]
    async with network.sessions() as session:
        scope = await channels.scope_of(
            session, network.settings, Address("telegram", "-100500", "7")
        )
        assert scope == "category:business"
        other_topic = Address("telegram", "-100500", "8")
        assert await channels.scope_of(session, network.settings, other_topic) is None
        found = await channels.addresses_for(
            session, network.settings, "category:business", ["telegram", "console"]
        )
        assert found == [Address("console", "#business"), Address("telegram", "-100500", "7")]
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 2
    # Rebinding the scope elsewhere moves it; unbinding removes it.
    await network.app.dispatch(group_command("42", "-100700", "bind", "business"), telegram)
    await network.app.dispatch(group_command("42", "-100600", "unbind"), telegram)
    assert await bindings(network) == [("telegram", "-100700", "", "category:business")]
    assert telegram.by_chat["-100500"] == ["This chat is now the channel for: Business."]
    assert telegram.by_chat["-100600"][-1] == "This chat is no longer the channel for: General."


async def test_members_cannot_bind(network: Network) -> None:
    await network.join("alice")
    out = await network.play("@alice #sport /bind sport")
    assert "This command is for coordinators or referents." in out
    await network.join("carol")
    out = await network.play(
        """
        @carol /bind sport
        @carol #sport /bind nowhere
        """
    )
    assert "Send /bind in the group" in out
    assert "Usage: /bind" in out
    assert await bindings(network) == []


async def test_group_migration_follows_the_new_chat_id(network: Network) -> None:
    async with network.sessions.begin() as session:
        await channels.bind(
            session, Address("telegram", "-500"), "general", by=None, now=network.clock.now()
        )
    async with network.sessions.begin() as session:
        await channels.migrate_chat(session, "telegram", "-500", "-100500")
    assert await bindings(network) == [("telegram", "-100500", "", "general")]


async def test_config_declared_channels(network_factory: NetworkFactory) -> None:
    network = network_factory()
    settings = network.settings.model_copy(update={"channels": {"sport": ["discord:99"]}})
    async with network.sessions() as session:
        assert await channels.addresses_for(session, settings, "category:sport", ["discord"]) == [
            Address("discord", "99")
        ]
        assert (
            await channels.scope_of(session, settings, Address("discord", "99")) == "category:sport"
        )
