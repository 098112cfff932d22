"""The kit through the console: a coordinator adds an item with a preview, members
browse, search, share (counted once), copy, and coordinators see the reach."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import KitItem, KitShare, KitUse, PointsEntry, Report, ReportKind
from tests.support.harness import Network

ADD = """
@carol /kitadd
@carol [Ready-to-share post]
@carol Festival of Lights 2026
@carol Four nights of light in Lyon: come and see!
@carol https://fete.test/2026
@carol [Skip]
@carol festival, tourism
@carol [Everyone]
@carol [Confirm]
"""


async def _count(network: Network, model: type[object]) -> int:
    async with network.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_add_browse_search_share_once(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    out = await network.play(ADD)
    assert "Preview — this is how members will see it:" in out
    assert "Added to the kit (item #1)" in out
    out = await network.play("@alice /kit")
    assert "The kit: 1 items." in out and "#festival (1)" in out
    out = await network.play("@alice /kit lights lyon")
    assert "1 found" in out
    out = await network.play("@alice /kit nothing-like-it")
    assert "Nothing in the kit matches" in out
    out = await network.play("@alice /kit\n@alice [Festival of Lights 2026]")
    assert "Four nights of light in Lyon" in out and "[1] Share" in out
    assert "Retire" not in out  # a member does not manage the kit
    out = await network.play("@alice [Share]")
    assert "Four nights of light in Lyon: come and see!" in out
    assert "https://fete.test/2026" in out  # no public_url: the plain link
    assert "+2 points" in out
    out = await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [Share]")
    assert "+2 points" not in out  # the same link again, nothing counted
    assert await _count(network, KitShare) == 1
    async with network.sessions() as session:
        report = await session.scalar(select(Report))
        assert report is not None
        assert (report.kind, report.subkind, report.url) == (
            ReportKind.MENTION, "social", "https://fete.test/2026",
        )  # fmt: skip
        assert await session.scalar(select(func.sum(PointsEntry.points))) == 2
    out = await network.play("@alice /me")
    assert "Kit: 1 items shared, 0 clicks" in out
    out = await network.play(
        "@alice /kit\n@alice [Festival of Lights 2026]\n@alice [Copy the text]"
    )
    assert "Four nights of light in Lyon: come and see!" in out
    out = await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [I used it]")
    assert "Thank you for using it!" in out
    out = await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [I used it]")
    assert "Already counted: thank you for using it again!" in out
    assert await _count(network, KitUse) == 1
    out = await network.play("@carol /kit\n@carol [Festival of Lights 2026]")
    assert "Reach: 1 shares, 0 clicks, used by 1." in out and "Retire" in out
    assert "By category (shares / clicks / used):\n    · Business: 1 / 0 / 1" in out
    out = await network.play("@carol [Edit]\n@carol [Text in French]")
    assert "The new text in french." in out
    out = await network.play("@carol Quatre nuits de lumière à Lyon.")
    assert "Saved. This is how members see it now:" in out
    out = await network.play("@alice /kit\n@alice [Festival of Lights 2026]")
    assert "Four nights of light in Lyon" in out  # Alice reads English
    async with network.sessions() as session:
        item = await session.scalar(select(KitItem))
        assert item is not None and item.text_fr == "Quatre nuits de lumière à Lyon."
    out = await network.play("@carol /kit\n@carol [Festival of Lights 2026]")
    out = await network.play("@carol [Retire]")
    assert "Retired" in out
    out = await network.play("@alice /kit")
    assert "The kit is empty for now." in out


async def test_tracked_link_with_public_url(network_factory: object) -> None:
    network = network_factory(web__public_url="https://relais.test")  # type: ignore[operator]
    await network.join("carol")
    await network.join("alice")
    await network.play(ADD)
    out = await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [Share]")
    async with network.sessions() as session:
        share = await session.scalar(select(KitShare))
        assert share is not None and len(share.code) >= 12
        item = await session.scalar(select(KitItem))
        assert item is not None
    assert f"https://relais.test/r/{share.code}" in out
    assert "https://fete.test/2026" not in out.split("Your post")[1]


async def test_members_do_not_add_and_see_their_category_only(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    out = await network.play("@alice /kitadd")
    assert "Added to the kit" not in out
    await network.play(ADD.replace("[Everyone]", "[Tourism & culture]"))
    out = await network.play("@alice /kit")
    assert "The kit is empty for now." in out


async def test_exports_of_the_kit_and_the_shares(network: Network, database_url: str) -> None:
    from tests.support.cli import read_csv, relais

    await network.join("carol")
    await network.join("alice")
    await network.play(ADD.replace("Festival of Lights 2026", "=HYPERLINK(1)"))
    await network.play("@alice /kit\n@alice [=HYPERLINK(1)]\n@alice [Share]")
    [item] = read_csv((await relais(database_url, "export", "kit")).stdout)
    assert item["title"] == "'=HYPERLINK(1)"  # a formula stays text in a spreadsheet
    assert (item["kind"], item["tags"], item["shares"], item["clicks"], item["used"]) == (
        "post", "festival tourism", "1", "0", "0",
    )  # fmt: skip
    [share] = read_csv((await relais(database_url, "export", "shares")).stdout)
    assert (share["member_name"], share["item_id"], share["clicks"]) == ("Alice", "1", "0")
    assert "code" not in share  # the link's code is the member's, not the export's


async def test_a_referent_adds_for_their_category_and_manages_only_those(
    network: Network,
) -> None:
    await network.join("carol")
    await network.join("rita")  # the example config's referent of business
    await network.join("alice")
    await network.join("tom", category="Tourism & culture")
    out = await network.play(ADD.replace("@carol", "@rita").replace("@rita [Everyone]\n", ""))
    assert "Added to the kit (item #1)" in out  # one category: no audience question
    async with network.sessions() as session:
        item = await session.scalar(select(KitItem))
        assert item is not None and item.categories == "business"
    assert "Festival of Lights 2026" in await network.play("@alice /kit")
    assert "The kit is empty for now." in await network.play("@tom /kit")
    await network.play(ADD.replace("Festival of Lights 2026", "Lyon in figures"))  # everyone's
    out = await network.play("@rita /kit\n@rita [Festival of Lights 2026]")
    assert "Retire" in out and "Reach: 0 shares, 0 clicks, used by 0." in out
    out = await network.play("@rita /kit\n@rita [Lyon in figures]")
    assert "Retire" not in out and "Reach" not in out  # for everyone: coordinators run it


async def test_mydata_shows_the_kit_and_forget_erases_it(network: Network) -> None:
    import json

    await network.join("carol")
    await network.join("alice")
    await network.play(ADD)
    await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [Share]")
    await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [I used it]")
    await network.play("@alice /mydata")
    _name, content = network.console.history[-1].message.document  # type: ignore[misc]
    data = json.loads(content)
    assert [(s["item"], s["unique_clicks"]) for s in data["kit_shares"]] == [(1, 0)]
    assert [use["item"] for use in data["kit_used"]] == [1]
    await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert await _count(network, KitShare) == 0 and await _count(network, KitUse) == 0
