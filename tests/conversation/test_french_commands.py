"""French commands and arguments on the console (Telegram: tests/platforms/telegram), and
what newcomers with a role, applicants and people asked to consent again read.

The example config speaks French by default; its categories say "des entreprises", "du
sport" after "référent" (``of``), citizens do not (the neutral "de la catégorie « … »").
"""

from __future__ import annotations

from sqlalchemy import select

from bot.conversation.commands import COMMANDS, resolve
from bot.conversation.mentions import NAME_CONTEXT
from bot.core.config import LocalizedText
from bot.core.i18n import Translator
from bot.core.text import fold
from bot.models import Member, MemberStatus, ReferentCategory, Role, Visibility
from tests.support.harness import Network, NetworkFactory
from tests.support.people import said_to

NB = "\u00a0"


def test_every_alias_is_telegram_valid_and_names_one_command() -> None:
    translator = Translator("fr")
    seen: dict[str, str] = {}
    for command in COMMANDS:
        for name in (command.name, *command.aliases):
            assert name.isascii() and name.replace("_", "").isalnum() and len(name) <= 32
            assert seen.setdefault(name, command.name) == command.name, name
        # The French name Discord shows is reachable here too, with or without accents.
        french = translator.pgettext("fr", NAME_CONTEXT, command.name)
        assert resolve(french) is command and resolve(fold(french)) is command
    assert resolve("aide") is resolve("help") and resolve("signaler") is resolve("report")
    assert resolve("nope") is None


async def test_french_aliases_and_arguments(network: Network) -> None:
    await network.join("alice", category="Entreprises", language="Français")
    await network.join("carol", language="Français")
    out = await network.play(
        """
        @alice /aide
        @alice /moi
        @alice /signaler
        @alice /annuler
        @alice /déclarer
        @alice /annuler
        @alice /classement mois
        @alice /classement entreprises tout
        @alice /classement hier
        @carol /signaux nouveau
        @carol /signaux qualifié investisseur
        @carol /signaux bientôt
        """
    )
    alice, carol = said_to(out, "@alice"), said_to(out, "@carol")
    assert alice[0].startswith(f"Ce que vous pouvez faire{NB}:")
    assert any(f"Points{NB}: 0 cette semaine" in text for text in alice)
    assert sum(f"Que souhaitez-vous déclarer{NB}?" in text for text in alice) == 2
    assert any("ce mois-ci" in text for text in alice)
    assert any("Entreprises" in text and "depuis le début" in text for text in alice)
    assert any("[semaine|mois|tout]" in text for text in alice)
    assert carol[:2] == ["Aucun signal ne correspond."] * 2
    assert "Étapes" in carol[2] and "nouveau, qualifié" in carol[2] and "investisseur" in carol[2]


async def test_roles_are_said_without_guessing_gender_or_elision(network: Network) -> None:
    await network.join("carol", language="Français")
    await network.join("bob", category="Sport")
    out = await network.play(
        """
        @carol /referent bob sport
        @carol /référent bob citoyens
        @carol /referent retirer bob sport
        @carol /coordinateur bob
        """
    )
    carol = said_to(out, "@carol")
    assert "Bob a maintenant le rôle de référent du sport." in carol
    assert f"Bob a maintenant le rôle de référent de la catégorie «{NB}Citoyens{NB}»." in carol
    assert "Bob n'a plus le rôle de référent du sport." in carol
    assert "Bob a maintenant le rôle de coordinateur." in carol
    # Bob reads English: the config's "of Sport".
    assert "Bob is now a referent of Sport." not in out  # said to Carol, in French
    assert any("You are now a referent of the Sport ambassadors" in t for t in said_to(out, "@bob"))


async def test_a_configured_coordinator_is_asked_neither_category_nor_sponsor(
    network: Network,
) -> None:
    out = await network.play(
        """
        @carol /start
        @carol [Français]
        @carol [1]
        """
    )
    carol = said_to(out, "@carol")
    assert not any("catégorie d'ambassadeurs" in text for text in carol)
    assert "parrainage" not in out
    assert any(f"Vous avez le rôle de coordinateur du réseau{NB}: /help" in text for text in carol)
    out = await network.play("@rita /start\n@rita [English]\n@rita [1]\n@rita [Sport]")
    welcome = said_to(out, "@rita")[-1]
    assert "sponsor code" not in out  # a referent by config needs no sponsor either
    assert "You have the role of referent of Business: /plan posts" in welcome


async def test_claimed_import_is_greeted_by_first_name_and_told_the_role(
    network: Network,
) -> None:
    async with network.sessions() as session, session.begin():
        member = Member(
            display_name="Éloïse Müller",
            status=MemberStatus.ACTIVE,
            role=Role.REFERENT,
            category="tourism",
            language="fr",
            visibility=Visibility.NAME,
            sponsor_code="SPNSR234",
            invite_code="KMNPQRST",
            joined_at=network.clock.now(),
        )
        session.add(member)
        await session.flush()
        session.add(
            ReferentCategory(
                member_id=member.id, category="tourism", appointed_at=network.clock.now()
            )
        )
    out = await network.play(
        """
        @eloise /start KMNPQRST
        @eloise [Français]
        @eloise [J'accepte]
        """
    )
    welcome = said_to(out, "@eloise")[-1]
    assert welcome.startswith(f"Bonjour Éloïse{NB}!")
    assert "Vous avez le rôle de référent du tourisme et de la culture" in welcome


async def test_an_applicants_help_shows_what_they_can_do(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="approval")
    await network.join("dan")
    out = await network.play("@dan /help")
    help_text = said_to(out, "@dan")[-1]
    assert "/language" in help_text and "/mydata" in help_text and "/forget" in help_text
    assert "/report" not in help_text and "/leaderboard" not in help_text
    assert "/me " not in help_text and "/invite" not in help_text
    assert "Your application is waiting for a coordinator's approval." in help_text
    assert "[1]" not in help_text  # no quick buttons for commands they cannot use


async def test_sponsor_mode_says_how_to_get_a_code(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="sponsor")
    out = await network.play("@dan /start\n@dan [English]\n@dan [1]\n@dan [Business]")
    assert "No code? Ask an ambassador you know: /invite gives every member theirs." in out
    text = LocalizedText(fr="Écrivez à contact@example.org.", en="Write to contact@example.org.")
    settings = network.settings
    configured = Network(
        network.engine,
        settings.model_copy(
            update={"network": settings.network.model_copy(update={"sponsor_help": text})}
        ),
        network.clock,
    )
    out = await configured.play("@eve /start\n@eve [English]\n@eve [1]\n@eve [Business]")
    assert "Write to contact@example.org." in out and "No code?" not in out


async def test_the_command_sent_before_a_new_consent_is_carried_out(
    network_factory: NetworkFactory,
) -> None:
    first = network_factory()
    await first.join("alice")
    updated = network_factory(privacy__consent_version="2026-06")
    out = await updated.play("@alice /leaderboard month")
    assert "The consent text has changed." in out and "Leaderboard" not in out
    out = await updated.play("@alice [I agree]")
    assert "Thank you!" in out and "Leaderboard — All categories — this month" in out
    async with updated.sessions() as session:
        alice = await session.scalar(select(Member))
        assert alice is not None and alice.consent_version == "2026-06"


def test_categories_are_typed_by_key_name_or_start_of_name(network: Network) -> None:
    settings = network.settings
    typed = {
        "business": "business",
        "Entreprises": "business",
        "TOURISME": "tourism",  # the start of "Tourisme & culture", a single word
        "recherche": "research",
        "Citizens": "citizens",
        "re": None,  # too short, and the start of two names
        "nope": None,
    }
    for word, key in typed.items():
        found = settings.category_named(word)
        assert (found.key if found else None) == key, word
