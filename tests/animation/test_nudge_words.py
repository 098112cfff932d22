"""The nudges' words: the brief wording asks about the territory (``[network]
territory``), not the network's name; /nudges names each wording by its label."""

from __future__ import annotations

from bot.animation import nudging
from bot.core.config import LocalizedName, LocalizedText, NudgeSettings, NudgeVariant
from bot.core.i18n import Translator
from bot.models import NudgeStep
from tests.support.harness import Network, NetworkFactory
from tests.support.people import said_to


def test_the_question_names_the_territory_in_each_language(network: Network) -> None:
    translator = Translator("fr")
    settings = network.settings  # the example config: territory = Lyon
    for language, expected in (
        (
            "fr",
            "Anne, une petite question\u00a0: Lyon, vous en avez parlé ces derniers temps\u00a0?",
        ),
        ("en", "Anne, a quick one: did you speak about Lyon lately?"),
    ):
        text = nudging.text(
            translator,
            settings.nudges,
            "brief",
            NudgeStep.GENTLE,
            language,
            name="Anne",
            network=settings.network.name,
            territory=nudging.territory(translator, settings, language),
            category="Sport",
        )
        assert text.startswith(expected) and settings.network.name not in text
    unset = settings.model_copy(
        update={"network": settings.network.model_copy(update={"territory": None})}
    )
    assert nudging.territory(translator, unset, "fr") == "notre territoire"


def test_labels_of_wordings() -> None:
    translator = Translator("fr")
    built_in = NudgeSettings()
    assert (
        nudging.variant_label(translator, built_in, "brief", "fr") == "Brève (une seule question)"
    )
    assert nudging.variant_label(translator, built_in, "warm", "en") == "Warm (“we miss you”)"
    text = LocalizedText(fr="Bonjour {name}, parlez-nous de {territory}", en="Hi {name}")
    configured = NudgeSettings(
        variants=[
            NudgeVariant(
                key="coffee",
                label=LocalizedName(fr="Un café", en="A coffee"),
                gentle=text,
                personal=text,
            ),
            NudgeVariant(key="plain", gentle=text, personal=text),
        ]
    )
    assert nudging.variant_label(translator, configured, "coffee", "fr") == "Un café"
    assert nudging.variant_label(translator, configured, "plain", "fr") == "plain"


async def test_nudges_lists_wordings_by_label(network_factory: NetworkFactory) -> None:
    network = network_factory(network__default_language="en")
    for name in ("alice", "bob", "dora", "eric"):
        await network.join(name)
    out = await network.play("~ +30d")
    assert "did you speak about Lyon lately?" in "".join(said_to(out, "@bob"))  # brief
    for name in ("alice", "bob", "dora", "eric"):
        nudge = said_to(out, f"@{name}")[0]
        assert "Lyon Ambassadors" not in nudge or "Hello" in nudge  # brief asks about Lyon
        if "a quick one" in nudge:
            assert "did you speak about Lyon lately?" in nudge
    await network.join("carol")
    out = await network.play("@carol /nudges")
    assert "• Warm (“we miss you”): " in out or "• Brief (one quick question): " in out
    assert "• warm:" not in out and "• brief:" not in out
