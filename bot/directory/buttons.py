"""The directory's button families, here so that the jobs' messages (a meeting's "did you
meet?", nothing else) and the chat handlers share them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.payloads import Payload


@dataclass(frozen=True)
class ProfilePress(Payload, prefix="prof"):
    """On the profile's preview: ``e`` edit a field (``field``), ``show`` / ``hide`` in
    the directory, ``contact``, ``email`` and ``pairs`` switch a choice, ``new`` start
    the guided creation."""

    action: Literal["e", "show", "hide", "contact", "email", "pairs", "new"]
    field: str | None = None


@dataclass(frozen=True)
class DirectoryPage(Payload, prefix="dir:p"):
    """A page of a search; ``query`` is :meth:`bot.directory.search.Query.pack`'s."""

    page: int
    query: str


@dataclass(frozen=True)
class IntroAsk(Payload, prefix="dir:i"):
    """Ask for an introduction to a member (by number)."""

    member_id: int


@dataclass(frozen=True)
class IntroAnswer(Payload, prefix="dir:a"):
    """The person asked accepts (``y``) or declines (``n``) introduction ``intro_id``."""

    answer: Literal["y", "n"]
    intro_id: int


@dataclass(frozen=True)
class PairAnswer(Payload, prefix="dir:m"):
    """A member of pair ``pair_id`` says they met (``y``) or not (``n``)."""

    answer: Literal["y", "n"]
    pair_id: int
