"""A referent's categories are the ones they were appointed to, not the one they belong
to: the desk (/review, /stats) follows them too; /mydata shows them with the member's
answers; /forget removes them."""

from __future__ import annotations

import json

from bot.models import ReferentCategory, Role
from tests.support.harness import Network
from tests.support.people import count, member, said_to, with_roles

MENTION = """
@{name} /report
@{name} [Mention]
@{name} [Blog]
@{name} https://{name}.test/post
"""


async def test_review_and_stats_follow_referent_categories(network: Network) -> None:
    network = with_roles(network, referents={"business": ["console:rita"]})
    await network.join("rita", category="Sport")
    await network.join("alice")
    await network.join("sam", category="Sport")
    await network.play(MENTION.format(name="alice") + MENTION.format(name="sam"))
    out = await network.play(
        """
        @rita /review
        @rita /stats sport
        @rita /stats
        """
    )
    said = said_to(out, "@rita")
    assert any("alice.test" in text for text in said)
    assert not any("sam.test" in text for text in said)
    assert "You can see the statistics of your category: /stats business" in said
    assert any(text.startswith("Network health — Business") for text in said)


async def test_mydata_shows_referent_categories_and_answers_forget_removes_them(
    network: Network,
) -> None:
    await network.join("carol")
    await network.join("bob")
    out = await network.play(
        """
        @carol /referent bob business
        @carol /plan
        @carol [Business]
        @carol Share the video
        @carol Please share it.
        @carol Share it this week
        @carol [Skip]
        @carol [Confirm]
        @bob #business [Je m'en occupe]
        @bob /mydata
        """
    )
    assert "Bob is now a referent of Business." in out
    _name, content = network.console.history[-1].message.document  # type: ignore[misc]
    data = json.loads(content)
    assert data["referent_of"] == ["business"]
    assert [(a["to"], a["answer"]) for a in data["answers"]] == [("p1", "o")]
    await network.play(
        """
        @bob /forget
        @bob [Yes, erase my data]
        """
    )
    assert await count(network, ReferentCategory) == 0
    assert (await member(network, "")).role is Role.MEMBER
