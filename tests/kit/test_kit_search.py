"""/kit WORDS: SQLite's FTS5 index (prefixes, accents and case ignored, kept in step with
edits and retirements by its triggers), the substring fallback where SQLite lacks FTS5,
PostgreSQL's full-text search; typed quotes and operators are words, never syntax."""

from __future__ import annotations

from sqlalchemy import text

from bot.animation.kit import search
from bot.models import KitItem, KitKind
from tests.support.harness import Network


async def _seed(network: Network) -> None:
    now = network.clock.now()
    async with network.sessions.begin() as session:
        for title, text_fr, tags in (
            ("Fête des Lumières", "Quatre nuits de lumières à Lyon.", "festival tourisme"),
            ("Lyon en chiffres", "1,4 million d'habitants dans la métropole.", "chiffres"),
            ("Vélo le long du Rhône", "La ViaRhôna traverse la ville.", "velo tourisme"),
        ):
            session.add(
                KitItem(kind=KitKind.POST, title=title, text_fr=text_fr, tags=tags, created_at=now)
            )


async def _found(network: Network, words: str) -> str:
    return await network.play(f"@alice /kit {words}")


async def test_search_by_words_prefixes_and_topics(network: Network) -> None:
    await network.join("alice")
    await _seed(network)
    if _sqlite(network):
        async with network.sessions() as session:
            assert await search.has_index(session)  # this SQLite has FTS5
    out = await _found(network, "lyon")
    assert "2 found" in out
    out = await _found(network, "TOURISME")  # a topic, any case
    assert "2 found" in out and "Lyon en chiffres" not in out
    out = await _found(network, "lum lyon")  # every word, each may be a word's start
    assert "1 found" in out and "Fête des Lumières" in out
    out = await _found(network, 'lyon" OR "velo')  # not query syntax
    assert "Nothing in the kit matches" in out
    out = await _found(network, "***")
    assert "Nothing in the kit matches" in out
    async with network.sessions.begin() as session:  # an edit reaches the index
        item = await session.get(KitItem, 2)
        assert item is not None
        item.text_fr = "La métropole compte 1,4 million d'habitants et 160 000 étudiants."
    assert "1 found" in await _found(network, "etudiants" if _sqlite(network) else "étudiants")
    assert "Nothing in the kit matches" in await _found(network, "habitants dans")


async def test_sqlite_search_ignores_accents(network: Network) -> None:
    if not _sqlite(network):
        return  # PostgreSQL's simple configuration keeps accents (no unaccent built in)
    await network.join("alice")
    await _seed(network)
    out = await _found(network, "fete rhone")
    assert "Nothing in the kit matches" in out  # both words must be in one item
    assert "Fête des Lumières" in await _found(network, "FETE")
    assert "Vélo le long du Rhône" in await _found(network, "rhone")


async def test_without_fts5_sqlite_falls_back_to_substrings(network: Network) -> None:
    if not _sqlite(network):
        return
    await network.join("alice")
    await _seed(network)
    async with network.sessions.begin() as session:  # as on a SQLite built without FTS5
        for trigger in ("insert", "delete", "update"):
            await session.execute(text(f"DROP TRIGGER kit_search_{trigger}"))
        await session.execute(text("DROP TABLE kit_search"))
        assert not await search.has_index(session)
    assert "1 found" in await _found(network, "chiffres lyon")
    assert "2 found" in await _found(network, "tourisme")
    assert "Nothing in the kit matches" in await _found(network, "paris")


def _sqlite(network: Network) -> bool:
    return network.settings.database.url.startswith("sqlite")
