"""A campaign may carry a kit item: the flow offers the items every targeted member sees,
the post (and the private message) names it with an "Open in the kit" button that gives
a member the item, ready to share; an item retired before a run is left out of it."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Campaign
from tests.kit.test_kit_chat import ADD
from tests.support.harness import Network
from tests.support.people import said_to

CAMPAIGN = """
@carol /campaign
{targets}
@carol The festival is coming: tell your circles!
@carol Share the post from the kit
@carol [Now]
@carol [Once]
@carol [Yes, privately too]
{kit}
@carol [Confirm]
"""


async def test_a_campaign_carries_a_kit_item(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    await network.join("tom", category="Tourism & culture")
    await network.play(ADD)  # for everyone
    await network.play(
        ADD.replace("Festival of Lights 2026", "Business breakfast").replace(
            "[Everyone]", "[Business]"
        )
    )
    out = await network.play(
        CAMPAIGN.format(
            targets="@carol [Business]\n@carol [Tourism & culture]\n@carol [Continue]",
            kit="@carol [Festival of Lights 2026]",
        )
    )
    offer = next(t for t in said_to(out, "@carol") if "Should members share an item" in t)
    assert "Festival of Lights 2026" in offer
    assert "Business breakfast" not in offer  # Tourism's members would not see it
    assert "Campaign #1 is going out now." in out
    async with network.sessions() as session:
        campaign = await session.scalar(select(Campaign))
        assert campaign is not None and campaign.kit_item_id == 1
    post = said_to(out, "#business")[-1]
    assert "À partager, dans le kit\u00a0: Festival of Lights 2026" in post  # the network's
    assert "Ouvrir dans le kit" in post
    private = said_to(out, "@alice")[-1]
    assert "To share, in the kit: Festival of Lights 2026" in private
    out = await network.play("@alice [Open in the kit]")
    assert "Four nights of light in Lyon: come and see!" in said_to(out, "@alice")[-1]
    out = await network.play("@alice [Share]")
    assert "+2 points" in out


async def test_without_a_matching_item_the_flow_is_unchanged(network: Network) -> None:
    await network.join("carol")
    await network.play(ADD.replace("[Everyone]", "[Sport]"))
    out = await network.play(
        CAMPAIGN.format(targets="@carol [Business]\n@carol [Continue]", kit="")
    )
    assert "Should members share an item of the kit?" not in out
    assert "Campaign #1 is going out now." in out
