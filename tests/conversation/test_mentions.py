"""Commands named in texts read the way the reader types them: ``/déclarer`` for a
French reader on Discord, ``/report`` on Telegram and the console; and the catalogs name
only commands that exist, the same ones in every language."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from babel.messages.pofile import read_po
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.conversation.commands import BY_NAME
from bot.conversation.mentions import MENTION, CommandNames
from bot.core.clock import FrozenClock
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator, catalog_path
from bot.platforms.discord.adapter import DiscordPlatform
from tests.support.discord_fake import GUILD_ID, FakeDiscord, Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import Network, NetworkFactory
from tests.support.telegram_network import TelegramNetwork

BRUNO = Person(500000000000000002, "Bruno", locale="fr")
ANNA = Person(500000000000000003, "Anna")


def test_mentions_are_rewritten_and_nothing_else() -> None:
    names = CommandNames(Translator("en"))
    text = "Send /report, or /leaderboard week. See https://x.test/report, 20/03/2026, /nope."
    assert names.rewrite(text, "fr") == (
        "Send /déclarer, or /classement week. See https://x.test/report, 20/03/2026, /nope."
    )
    assert names.rewrite(text, "en") == text
    assert names.rewrite(text, None) == text


def _mentions(text: str) -> Counter[str]:
    return Counter(match[1] for match in MENTION.finditer(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_name_real_commands_the_same_in_every_language(language: str) -> None:
    with catalog_path(language).open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    for message in catalog:
        if not message.id or message.context == "command name":
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source in ids:
            unknown = set(_mentions(source)) - set(BY_NAME)
            assert not unknown, f"{source!r} names commands not in the table: {unknown}"
        for translated in strings:
            assert _mentions(translated) == _mentions(ids[0]), (
                f"{language}: {translated!r} does not name the commands of {ids[0]!r}"
            )


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_french_reader_on_discord_sees_the_french_command_names(
    network_factory: NetworkFactory,
    discord_fake: FakeDiscord,
) -> None:
    network: Network = network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")
    platform = DiscordPlatform(network.app, "fake-token", retry_delay=0)
    await platform.login()
    discord_fake.guild_create(platform)
    try:
        # The slash commands' French descriptions name French commands too.
        [sync] = discord_fake.requests("PUT", rf"/guilds/{GUILD_ID}/commands")
        link = next(command for command in sync.body if command["name"] == "link")
        code = link["options"][0]["description_localizations"]["fr"]
        assert code == "Le code que /lier vous a donné ailleurs"
        await discord_fake.slash(platform, BRUNO, "help")
        shown = discord_fake.seen_by(BRUNO)[-1].content
        assert "Envoyez /rejoindre pour rejoindre le réseau." in shown
        assert "/aide — " in shown and "/help" not in shown
        # In a DM, typed out: the answer names the command he can type, /aide.
        await discord_fake.dm(platform, BRUNO, "bonjour")
        assert "Envoyez /aide pour voir" in discord_fake.seen_by(BRUNO)[-1].content
        # An English reader on the same server reads the table's names.
        await discord_fake.slash(platform, ANNA, "help")
        assert "Send /start to join the network." in discord_fake.seen_by(ANNA)[-1].content
    finally:
        await platform.stop()


async def test_telegram_readers_see_the_french_aliases(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> None:
    async with FakeTelegram() as fake:
        tg = TelegramNetwork(engine, database_url, clock, fake)
        await tg.platform.initialize()
        try:
            bruno = fake.user(1010, "Bruno", language_code="fr")
            await tg.say(bruno, "bonjour")
            # Telegram allows no accents: French texts name the table's French aliases,
            # the names of his menu.
            assert fake.texts(bruno)[-1] == (
                "Je n'ai pas compris. Envoyez /aide pour voir ce que vous pouvez faire."
            )
        finally:
            await tg.platform.stop()
