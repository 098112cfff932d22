"""What each kind of data of :mod:`bot.members.privacy` provides, and what erasing one
member hands to each of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.models import Member


@dataclass(frozen=True, slots=True)
class Erasure:
    """One member's erasure under way, in the caller's transaction."""

    session: AsyncSession
    member: Member
    clock: Clock
    #: Who asked: the member themselves, or the coordinator erasing on their request.
    actor_id: int | None
    #: Their accounts' (platform, user id) pairs, read before anything goes: the accounts
    #: go with their own kind of data, and other kinds still need them.
    accounts: tuple[tuple[str, str], ...]


class Kind(Protocol):
    """One kind of data (a module of the package): what ``/mydata`` shows of it, what
    ``/forget`` does to it, and which tables it erases and keeps, with the reasons."""

    #: Tables whose rows about the member this kind deletes or anonymises, and why.
    ERASES: dict[str, str]
    #: Tables whose rows about the member this kind leaves (or writes), and why they may.
    KEEPS: dict[str, str]

    async def export(self, session: AsyncSession, member: Member) -> dict[str, Any]:
        """This kind's part of ``/mydata``: keys of the JSON object, JSON-ready values."""
        ...

    async def erase(self, erasure: Erasure) -> None:
        """This kind's part of ``/forget``."""
        ...


def when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
