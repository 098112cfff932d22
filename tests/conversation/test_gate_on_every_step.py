"""The one gate runs on every step of a flow and every press, not only on commands: a
flow whose person lost the role or the current consent on the way ends, and sends nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.conversation.flows import FlowPress
from bot.core.port import Event
from bot.models import Conversation, Delivery, Nudge, NudgeStep, Report
from tests.support.harness import Network, NetworkFactory
from tests.support.people import member_id


async def _open_note(network: Network, writer: str, to: int, name: str) -> None:
    """``writer`` is in the "Write to …" flow for the dormant member ``to``, as after
    pressing the digest's button."""
    now = network.clock.now()
    async with network.sessions.begin() as session:
        nudge = Nudge(
            member_id=to, spell_start=now, ordinal=3, step=NudgeStep.REFERENT, sent_at=now
        )
        session.add(nudge)
        await session.flush()
        session.add(
            Conversation(
                platform="console",
                user_id=writer,
                flow="referent_note",
                step="text",
                data={"nudge": nudge.id, "name": name},
                version=1,
                updated_at=now,
            )
        )


async def _notes(network: Network) -> int:
    async with network.sessions() as session:
        found = (
            select(func.count()).select_from(Delivery).where(Delivery.key.like("referent-note%"))
        )
        return int(await session.scalar(found) or 0)


async def _flows(network: Network) -> int:
    async with network.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Conversation)) or 0)


async def test_a_removed_referents_open_note_sends_nothing(network: Network) -> None:
    await network.join("carol")
    await network.join("bob")
    await network.join("alice")
    bob, alice = await member_id(network, "Bob"), await member_id(network, "Alice")
    await network.play(f"@carol /referent #{bob} business")
    await _open_note(network, "bob", alice, "Alice")
    await network.play(f"@carol /referent remove #{bob} business")
    out = await network.play("@bob We miss you!")
    assert "What you were doing was stopped; nothing was sent." in out
    assert "writes to you" not in out
    assert await _notes(network) == 0 and await _flows(network) == 0


async def test_a_referent_moved_to_another_category_sends_nothing(network: Network) -> None:
    await network.join("carol")
    await network.join("bob")
    await network.join("alice")
    bob, alice = await member_id(network, "Bob"), await member_id(network, "Alice")
    await network.play(f"@carol /referent #{bob} business\n@carol /referent #{bob} sport")
    await _open_note(network, "bob", alice, "Alice")
    await network.play(f"@carol /referent remove #{bob} business")
    out = await network.play("@bob We miss you!")
    assert "You no longer speak for this member's category; nothing was sent." in out
    assert await _notes(network) == 0 and await _flows(network) == 0


async def test_a_new_consent_version_stops_open_flows_and_buttons(
    network_factory: NetworkFactory,
) -> None:
    before = network_factory()
    await before.join("alice")
    await before.play("@alice /report")  # the flow is open, its first prompt shown
    after = network_factory(privacy__consent_version="2")
    press = Event(
        platform="console",
        user_id="alice",
        chat_id="alice",
        is_private=True,
        payload=FlowPress("report", 1, "mention").pack(),
    )
    await after.app.dispatch(press, after.console)
    out = after.out.getvalue()
    assert "The consent text has changed." in out
    assert "What you were doing was stopped; nothing was sent." in out
    assert await _flows(after) == 0
    # A command: the same answer until the member agrees.
    assert "The consent text has changed." in await after.play("@alice /report")
    await after.play("@alice [I agree]")
    out = await after.play("@alice /report\n@alice [Settlement]\n@alice A new family")
    assert "The consent text has changed." not in out
    async with after.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 1
