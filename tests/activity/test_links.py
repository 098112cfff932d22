"""Links: the same page however it is written (RFC 3986 normalization, tracking parameters,
parameters added to earn again), and links that hide where they go shown to reviewers
with their real host. Database tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.activity import links
from tests.support.actions import mention, reports_and_points
from tests.support.harness import Network

BASE = "https://blog.test/lyon/post"
SAME_PAGE = (
    "HTTPS://Blog.TEST/lyon/post",
    "https://www.blog.test:443/lyon/post/",
    "http://blog.test:80/lyon/post#comments",
    "https://blog.test/lyon/./post",
    "https://blog.test/lyon/x/../post",
    "https://blog.test/%6Cyon/%70ost",
    "https://blog.test/lyon/post?utm_source=x&fbclid=abc&gclid=1&msclkid=2&_ga=3",
)


@pytest.mark.parametrize("variant", SAME_PAGE)
def test_spellings_of_one_page_have_one_key(variant: str) -> None:
    assert links.link_key(variant) == links.link_key(BASE)


def test_what_names_another_page_keeps_its_key() -> None:
    assert links.link_key("https://blog.test/a.php?id=5") != links.link_key(
        "https://blog.test/a.php?id=6"
    )
    assert links.link_key("https://blog.test/Lyon/post") != links.link_key(BASE)  # paths: case
    assert links.link_key("https://blog.test:8443/lyon/post") != links.link_key(BASE)
    assert links.link_key("https://blog.test/a%2Fb") != links.link_key("https://blog.test/a/b")
    # Sorted parameters; international names in their IDNA form.
    assert links.link_key("https://blog.test/?b=2&a=1") == links.link_key(
        "https://blog.test/?a=1&b=2"
    )
    assert links.link_key("https://bücher.test/x") == links.link_key("https://xn--bcher-kva.test/x")


def test_added_or_left_out_parameters_are_the_same_page() -> None:
    page = links.page("https://blog.test/a.php?id=5")
    assert links.same_page(page, links.page("https://blog.test/a.php?id=5&x=1"))
    assert links.same_page(page, links.page("https://blog.test/a.php"))
    assert not links.same_page(page, links.page("https://blog.test/a.php?id=6"))
    assert not links.same_page(page, links.page("https://blog.test/b.php?id=5"))


def test_hidden_hosts() -> None:
    assert links.hidden_host("https://lyon.fr@evil.example/") == "evil.example"
    assert links.hidden_host("https://lyon.fr:pw@evil.example/x") == "evil.example"
    assert links.hidden_host("https://lyоn.fr/") == "xn--lyn-ted.fr"  # a Cyrillic "о"
    assert links.hidden_host("https://lyon.fr/") is None


async def test_a_member_cannot_earn_twice_for_one_page(network: Network) -> None:
    await network.join("alice")
    await mention(network, "alice", "Blog", BASE)
    for variant in (
        *SAME_PAGE,
        f"{BASE}?x=1",
        f"{BASE}?x=2&y=3",
        "https://blog.test/lyon/%2E/post",
    ):
        await mention(network, "alice", "Blog", variant)
    reports, points = await reports_and_points(network)
    assert (reports, points) == (len(SAME_PAGE) + 4, 3)
    # Another page of the same site, and a page told apart by its parameter, earn.
    await mention(network, "alice", "Blog", "https://blog.test/a.php?id=5")
    await mention(network, "alice", "Blog", "https://blog.test/a.php?id=6")
    assert (await reports_and_points(network))[1] == 9


async def test_reviewers_see_where_a_link_really_goes(network: Network) -> None:
    for name in ("carol", "alice"):
        await network.join(name)
    await mention(network, "alice", "Press", "https://lyon.fr@evil.example/article")
    out = await network.play("@carol /review")
    assert "https://lyon.fr@evil.example/article (⚠ this link really goes to evil.example)" in out
