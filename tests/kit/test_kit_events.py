"""An event may carry a kit item: the flow offers the items its members see, the card
says there is something to share with an "Open in the kit" button, kept when the card is
updated; a member who presses it gets the item in private, ready to share."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Event
from tests.kit.test_kit_chat import ADD
from tests.support.events_chat import CREATE, events_network
from tests.support.harness import Network
from tests.support.people import said_to


async def test_an_event_carries_a_kit_item(network: Network) -> None:
    network = await events_network(network)
    await network.play(ADD)
    script = CREATE.format(capacity="[Skip]", invites="Channels only").replace(
        "@carol [Confirm]", "@carol [Festival of Lights 2026]\n@carol [Confirm]"
    )
    out = await network.play(script)
    assert "Should members share an item of the kit?" in out
    preview = out.split("Preview — this is how members will see it:")[1]
    assert "Ouvrir dans le kit" in preview  # the network's language, as in the channel
    async with network.sessions() as session:
        event = await session.scalar(select(Event))
        assert event is not None and event.kit_item_id == 1
    card = said_to(out, "#business")[-1]
    assert "📎 Quelque chose à partager" in card and "Ouvrir dans le kit" in card
    out = await network.play("@alice #business [Ouvrir dans le kit]")
    assert "Four nights of light in Lyon: come and see!" in said_to(out, "@alice")[-1]
    out = await network.play("@alice #business [J'y serai]")  # the card is updated
    assert "Ouvrir dans le kit" in said_to(out, "#business")[-1]


async def test_without_kit_items_the_event_flow_is_unchanged(network: Network) -> None:
    network = await events_network(network)
    out = await network.play(CREATE.format(capacity="[Skip]", invites="Channels only"))
    assert "Should members share an item of the kit?" not in out
    assert "Open in the kit" not in out and "Ouvrir dans le kit" not in out
