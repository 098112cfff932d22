"""The kit's button families, here so that what carries a kit item (an action plan's post)
can offer "Open in the kit" without knowing the chat handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.payloads import Payload

#: The "every topic" value of :class:`KitList` (tags are letters and digits only).
ALL = "_"


@dataclass(frozen=True)
class KitList(Payload, prefix="kit:l"):
    """A page of the items of one topic (or :data:`ALL`)."""

    tag: str
    page: int


@dataclass(frozen=True)
class KitOpen(Payload, prefix="kit:o"):
    item_id: int


@dataclass(frozen=True)
class KitAct(Payload, prefix="kit:a"):
    """s: share, c: copy the text, u: I used it."""

    action: Literal["s", "c", "u"]
    item_id: int


@dataclass(frozen=True)
class KitAdmin(Payload, prefix="kit:m"):
    """r: retire, e: edit (referents of the item's categories and coordinators)."""

    action: Literal["r", "e"]
    item_id: int
