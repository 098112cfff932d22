"""The directory through the console: opt-in profiles found by words, tags, categories and
towns (accents and case aside); a member who did not publish is never found; introductions
accepted, declined, ignored ("no answer" alike), limited per week; erasure. SQLite and
PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Introduction, MeetingPair, PointsEntry, Profile
from tests.support.actions import press
from tests.support.harness import Network
from tests.support.people import said_to


async def count(network: Network, model: type) -> int:
    async with network.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def write_profile(
    network: Network,
    name: str,
    *,
    organisation: str,
    town: str,
    job: str = "-",
    tags: tuple[str, ...] = (),
    publish: bool = True,
    contact: bool = True,
) -> str:
    lines = [
        f"@{name} /profile",
        f"@{name} [Create my profile]",
        f"@{name} {organisation}",
        f"@{name} {job}",
        f"@{name} {town}",
        f"@{name} [Skip]",  # languages
        f"@{name} [Skip]",  # presentation
        f"@{name} Meeting investors",
        f"@{name} [Skip]",  # seeks
    ]
    lines += [f"@{name} [#{tag}]" for tag in tags]
    lines += [f"@{name} [Done]", f"@{name} [{'Yes' if contact else 'No'}]"]
    if publish:
        lines.append(f"@{name} [Publish in the directory]")
    return await network.play("\n".join(lines))


async def test_profile_flow_and_search_by_every_criterion(network: Network) -> None:
    for name in ("alice", "bob", "dora"):
        await network.join(name)
    await network.join("sam", category="Sport")
    out = await write_profile(
        network, "alice", organisation="Brasserie Élan", town="Genève", job="Chef", tags=("export",)
    )
    assert "Your profile is in the directory" in out, out
    await write_profile(network, "sam", organisation="Club", town="Lyon", tags=("sport",))
    # Dora writes everything but never publishes: she is never found.
    await write_profile(
        network, "dora", organisation="Brasserie Élan", town="Genève", tags=("export",), publish=False
    )
    for search in ("", "geneve", "GENÈVE", "brasserie", "#export", "business", "Entreprises", "chef", "invest", "dora"):
        out = await network.play(f"@bob /directory {search}".strip())
        assert "Dora" not in out, (search, out)
    out = await network.play("@bob /directory geneve")
    assert "1 member found." in out and "Alice" in out and "Sam" not in out
    out = await network.play("@bob /annuaire #sport")
    assert "Sam" in out and "Alice" not in out
    out = await network.play("@bob /directory sport")  # a category
    assert "Sam" in out and "Alice" not in out
    out = await network.play("@bob /directory nobody-like-this")
    assert "Nobody in the directory matches this search." in out
    # Hiding takes effect at once.
    await network.play("@alice /profile\n@alice [Hide my profile]")
    out = await network.play("@bob /directory geneve")
    assert "Alice" not in out
