"""An action plan may carry a kit item: the plan flow offers the category's items, the
post in the channel names it with an "Open in the kit" button, and a member who presses
it gets the item privately, ready to share."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import ActionPlan
from tests.kit.test_kit_chat import ADD
from tests.support.harness import Network
from tests.support.people import said_to

PLAN = """
@carol /plan business
@carol Share the festival
@carol The festival is coming: tell your circles.
@carol Share the post from the kit this week
@carol [Skip]
@carol [Festival of Lights 2026]
@carol [Confirm]
"""


async def test_a_plan_carries_a_kit_item(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    await network.play(ADD)
    out = await network.play(PLAN)
    assert "Should members share an item of the kit?" in out
    post = said_to(out, "#business")[-1]
    assert "À partager, dans le kit\u00a0: Festival of Lights 2026" in post
    assert "Ouvrir dans le kit" in post
    async with network.sessions() as session:
        plan = await session.scalar(select(ActionPlan))
        assert plan is not None and plan.kit_item_id == 1
    out = await network.play("@alice #business [Ouvrir dans le kit]")
    assert "Four nights of light in Lyon: come and see!" in said_to(out, "@alice")[-1]


async def test_without_kit_items_the_plan_flow_is_unchanged(network: Network) -> None:
    await network.join("carol")
    out = await network.play(PLAN.replace("@carol [Festival of Lights 2026]\n", ""))
    assert "Should members share an item of the kit?" not in out
    assert "Posted (plan #1)." in out
