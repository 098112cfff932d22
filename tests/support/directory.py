"""Importable helpers for the directory's tests: a member's profile written through the
console's /profile flow, and counting a table's rows."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support.harness import Network


async def count(network: Network, model: type) -> int:
    async with network.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def write_profile(
    network: Network,
    name: str,
    *,
    organisation: str,
    town: str,
    job: str = "-",
    tags: tuple[str, ...] = (),
    publish: bool = True,
    contact: bool = True,
    pairs: bool | None = None,
) -> str:
    lines = [
        f"@{name} /profile",
        f"@{name} [Create my profile]",
        f"@{name} {organisation}",
        f"@{name} {job}",
        f"@{name} {town}",
        f"@{name} [Skip]",  # languages
        f"@{name} [Skip]",  # presentation
        f"@{name} Meeting investors",
        f"@{name} [Skip]",  # seeks
    ]
    lines += [f"@{name} [#{tag}]" for tag in tags]
    lines += [f"@{name} [Done]", f"@{name} [{'Yes' if contact else 'No'}]"]
    if pairs is not None:
        lines.append(f"@{name} [{'Yes' if pairs else 'No'}]")
    if publish:
        lines.append(f"@{name} [Publish in the directory]")
    return await network.play("\n".join(lines))
