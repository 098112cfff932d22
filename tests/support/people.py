"""Importable helpers for the animation tests: networks with chosen roles, members by
name, and what a table holds."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from bot.models import Base, Member
from tests.support.harness import Network


def with_roles(
    network: Network,
    /,
    *,
    coordinators: list[str] | None = None,
    referents: dict[str, list[str]] | None = None,
    **sections: Any,
) -> Network:
    """The same network (database, clock) with other ``[roles]`` and settings."""
    roles = network.settings.roles.model_copy(
        update={
            "coordinators": coordinators if coordinators is not None else ["console:carol"],
            "referents": referents if referents is not None else {"business": ["console:rita"]},
        }
    )
    settings = network.settings.model_copy(update={"roles": roles, **sections})
    return Network(network.engine, settings, network.clock)


async def member_id(network: Network, name: str) -> int:
    async with network.sessions() as session:
        found = await session.scalar(select(Member.id).where(Member.display_name == name))
    assert found is not None, name
    return int(found)


async def member(network: Network, name: str) -> Member:
    async with network.sessions() as session:
        found = await session.scalar(select(Member).where(Member.display_name == name))
    assert found is not None, name
    return found


async def count(network: Network, model: type, *where: Any) -> int:
    async with network.sessions() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int(await session.scalar(query) or 0)


async def snapshot(network: Network) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that something wrote nothing. When a person
    last wrote in private (``identities.last_private_at``, where nudges go) is not a
    business fact: any private message may move it."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with network.sessions() as session:
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns if column.name != "last_private_at"]
            rows = await session.execute(select(*columns).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in rows]
    return tables


#: What the console prints after a message's buttons: ``   (message 12)``.
MESSAGE_NUMBER = re.compile(r"   \(message \d+\)$")


def said_to(out: str, who: str) -> list[str]:
    """The texts the bot sent to ``who`` (``@alice`` or ``#business``) in a transcript
    output, each with its continuation lines joined (without the message number the
    console prints after a message's buttons)."""
    texts: list[str] = []
    current: list[str] | None = None
    for line in out.splitlines():
        if line.startswith("→ "):
            current = None
            target, _, text = line[2:].partition(": ")
            if target.removesuffix(" (edited)") == who:
                current = [text]
                texts.append("")
        elif line.startswith("    ") and current is not None:
            current.append(MESSAGE_NUMBER.sub("", line[4:]))
        else:
            current = None
        if current is not None:
            texts[-1] = "\n".join(current)
    return texts
