"""Built-in settings: what ``relais`` runs on in a folder with no settings file.

Someone who installed Relais and typed ``relais`` should meet the bot, not "file not
found": these are the example configuration's essentials (its network, five categories,
four levels, ``console:carol`` as coordinator and ``console:rita`` as referent), so the
README's tour works as written; every other setting keeps its default. Environment
overrides apply as with a file. tests/core/test_config_sources.py checks that they still
agree with ``config.example.toml``.
"""

from __future__ import annotations

import os
from typing import Any

from bot.core.config import Settings, settings_from

#: How the command names the source of the settings when there is no file.
SOURCE = "built-in defaults"


def _names(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


BUILT_IN: dict[str, Any] = {
    "network": {
        "name": "Lyon Ambassadors",
        "timezone": "Europe/Paris",
        "default_language": "fr",
        "registration": "open",
        "territory": _names("Lyon", "Lyon"),
    },
    "database": {"url": "sqlite+aiosqlite:///relais.sqlite3"},
    "categories": [
        {
            "key": "business",
            "name": _names("Entreprises", "Business"),
            "of": _names("des entreprises", "of Business"),
        },
        {
            "key": "tourism",
            "name": _names("Tourisme & culture", "Tourism & culture"),
            "of": _names("du tourisme et de la culture", "of Tourism & culture"),
        },
        {
            "key": "research",
            "name": _names("Recherche & enseignement", "Research & education"),
            "of": _names("de la recherche et de l'enseignement", "of Research & education"),
        },
        {"key": "sport", "name": _names("Sport", "Sport"), "of": _names("du sport", "of Sport")},
        {"key": "citizens", "name": _names("Citoyens", "Citizens")},
    ],
    "levels": [
        {"points": 0, "name": _names("Ambassadeur", "Ambassador")},
        {
            "points": 50,
            "name": _names("Ambassadeur engagé", "Committed ambassador"),
            "brings": _names(
                "Vous recevez désormais les invitations aux rencontres des partenaires.",
                "You are now invited to the partners' meetings.",
            ),
        },
        {"points": 200, "name": _names("Ambassadeur d'or", "Gold ambassador")},
        {"points": 500, "name": _names("Grand ambassadeur", "Grand ambassador")},
    ],
    "roles": {"coordinators": ["console:carol"], "referents": {"business": ["console:rita"]}},
}


def built_in(environ: dict[str, str] | None = None) -> Settings:
    """The built-in settings with the environment's ``RELAIS_*`` overrides."""
    return settings_from(BUILT_IN, SOURCE, dict(os.environ) if environ is None else environ)
