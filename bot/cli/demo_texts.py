"""What the demo network's members wrote, in French and in English, and their reports.

The demo writes in the network's language (``[network] default_language``), as its
members would, and each text matches its kind: a film shoot is a "film" signal, a
newspaper interview a "press" mention. The French texts follow French typography (a
non-breaking space before ``:`` and in numbers).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from bot.activity.review import REJECTED, VERIFIED
from bot.activity.signals import Stage
from bot.core.config import MEDIUMS, SIGNAL_KINDS
from bot.models import ReportKind

#: How often each medium is reported (in the order of MEDIUMS).
MEDIUM_WEIGHTS = (3, 2, 8, 2, 1, 2, 4)

#: Opportunity signals by kind (see bot.core.config.SIGNAL_KINDS).
SIGNALS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "investor": ("A fund interested in biotech start-ups", "A family office looking at hotels"),
        "site": ("A company looking for 2,000 m² of offices", "A plant looking for a new site"),
        "event": ("A congress of 800 people in 2027", "A European sports final looking for a city"),
        "film": ("A director scouting for a period film", "A series looking for a market square"),
        "talent": (
            "An engineer thinking of moving here with her family",
            "A chef who wants a bistro",
        ),
        "other": ("A school looking for a twin city", "An embassy preparing a trade mission"),
    },
    "fr": {
        "investor": (
            "Un fonds intéressé par les start-up de biotech",
            "Un family office qui regarde des hôtels",
        ),
        "site": (
            "Une entreprise cherche 2\u00a0000\u00a0m² de bureaux",
            "Une usine cherche un nouveau site",
        ),
        "event": (
            "Un congrès de 800 personnes en 2027",
            "Une finale sportive européenne cherche une ville",
        ),
        "film": (
            "Un réalisateur cherche des décors pour un film d'époque",
            "Une série cherche une place de marché",
        ),
        "talent": (
            "Une ingénieure envisage de s'installer ici avec sa famille",
            "Un chef qui veut ouvrir un bistrot",
        ),
        "other": (
            "Une école cherche une ville jumelle",
            "Une ambassade prépare une mission économique",
        ),
    },
}

#: Mentions by medium (see bot.core.config.MEDIUMS).
MENTIONS: dict[str, dict[str, str]] = {
    "en": {
        "press": "Interviewed by the local paper about the old town",
        "blog": "A blog post about the river banks",
        "social": "Posted photos of the festival",
        "conference": "Presented the region at a trade fair",
        "video": "A short video of the old town",
        "organisation": "Presented the territory to my company's partners",
        "conversation": "Talked about the city at a dinner",
    },
    "fr": {
        "press": "Interviewé par le journal local sur le vieux quartier",
        "blog": "Un billet de blog sur les berges",
        "social": "Publié des photos du festival",
        "conference": "Présenté la région sur un salon professionnel",
        "video": "Une courte vidéo du vieux quartier",
        "organisation": "Présenté le territoire aux partenaires de mon entreprise",
        "conversation": "Parlé de la ville lors d'un dîner",
    },
}

SETTLEMENT = {
    "en": "A family settled in the territory",
    "fr": "Une famille s'est installée sur le territoire",
}


class Call(NamedTuple):
    """An action plan's or a campaign's words."""

    title: str
    text: str
    call_to_action: str


PLANS: dict[str, tuple[Call, ...]] = {
    "en": (
        Call(
            "Share the spring festival",
            "The festival programme is out: share it with the people you know.",
            "Share the programme once this week",
        ),
        Call(
            "Talk about the new tram line",
            "The new tram line opens next month: it changes how visitors get around.",
            "Mention it to one colleague or client",
        ),
        Call(
            "Welcome the new students",
            "A thousand students arrive in September: tell them what you love here.",
            "Post one tip for newcomers",
        ),
    ),
    "fr": (
        Call(
            "Partagez le festival de printemps",
            "Le programme du festival est sorti\u00a0: partagez-le autour de vous.",
            "Partagez le programme une fois cette semaine",
        ),
        Call(
            "Parlez de la nouvelle ligne de tram",
            "La nouvelle ligne ouvre le mois prochain\u00a0: elle change la visite.",
            "Parlez-en à un collègue ou à un client",
        ),
        Call(
            "Accueillez les nouveaux étudiants",
            "Mille étudiants arrivent en septembre\u00a0: dites-leur ce que vous aimez ici.",
            "Publiez un conseil pour les nouveaux venus",
        ),
    ),
}

CAMPAIGNS: dict[str, tuple[Call, ...]] = {
    "en": (
        Call("", "1 ambassador, 1 action: the city's new film is out.", "Share the film once"),
        Call("", "Every week, one photo of what you love here.", "Post one photo this week"),
        Call("", "The trade fair is coming: invite one contact.", "Invite one contact"),
    ),
    "fr": (
        Call(
            "",
            "1 ambassadeur, 1 action\u00a0: le nouveau film de la ville est sorti.",
            "Partagez le film une fois",
        ),
        Call(
            "",
            "Chaque semaine, une photo de ce que vous aimez ici.",
            "Publiez une photo cette semaine",
        ),
        Call("", "Le salon approche\u00a0: invitez un contact.", "Invitez un contact"),
    ),
}


def language(network_language: str) -> str:
    """The language the demo writes in: the network's, when the demo has its texts."""
    return network_language if network_language in SIGNALS else "en"


def report(
    rng: random.Random,
    member_id: int,
    created: datetime,
    now: datetime,
    language: str,
    kind: str = "",
) -> dict[str, Any]:
    """A report at ``created``: of ``kind`` when given, else drawn (three in four are
    mentions); its text in ``language`` matches its medium or signal kind."""
    draw = {"mention": 0.0, "signal": 0.8}.get(kind, rng.random())
    row: dict[str, Any] = {
        "member_id": member_id,
        "created_at": created,
        "review": None,
        "stage": None,
        "url": None,
        "contact": None,
        "assignee_id": None,
    }
    if draw < 0.75:
        medium = rng.choices(MEDIUMS, MEDIUM_WEIGHTS)[0]
        text = MENTIONS[language][medium]
        row |= {"kind": ReportKind.MENTION, "subkind": medium, "text": text}
        review = rng.random()
        row["review"] = VERIFIED if review < 0.15 else REJECTED if review < 0.18 else None
    elif draw < 0.9:
        age = (now - created) / timedelta(weeks=1)
        stages = list(Stage)
        weights = (4, 3, 3, 1 + age / 3, 1 + age / 3, 1 + age / 4)
        signal_kind = rng.choice(SIGNAL_KINDS)
        row |= {
            "kind": ReportKind.SIGNAL,
            "subkind": signal_kind,
            "text": rng.choice(SIGNALS[language][signal_kind]),
            "stage": rng.choices(stages, weights)[0].value,
        }
    else:
        row |= {
            "kind": ReportKind.SETTLEMENT,
            "subkind": None,
            "text": SETTLEMENT[language],
        }
    return row
