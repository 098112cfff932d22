"""The one rule for texts written in two languages (bot/core/bilingual.py)."""

from bot.core.bilingual import Bilingual


def test_the_reader_gets_their_language_first() -> None:
    text = Bilingual(fr="Bonjour", en="Hello")
    assert text.pick("en", "fr") == ("Hello", "en")
    assert text.pick("fr", "en") == ("Bonjour", "fr")


def test_else_the_network_language_else_whichever_exists() -> None:
    assert Bilingual(fr="Bonjour").pick("en", "fr") == ("Bonjour", "fr")
    assert Bilingual(en="Hello").pick("fr", "fr") == ("Hello", "en")
    assert Bilingual().pick("fr", "en") == ("", "fr")


def test_blank_counts_as_not_written() -> None:
    text = Bilingual.of({"fr": "  ", "en": "Hi"})
    assert text.written() == ("en",)
    assert bool(Bilingual.of({"fr": None})) is False
