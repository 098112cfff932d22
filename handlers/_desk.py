"""The line under a chat list that opens the same list on the web desk, when the web is
configured (see :func:`bot.core.web_links.desk_url`)."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.core.web_links import desk_url


def desk_line(ctx: Context, path: str) -> str | None:
    """ "On the desk: <link>", or None while ``[web] public_url`` is unset."""
    url = desk_url(ctx.settings, path)
    return ctx._("On the desk: {url}", url=url) if url else None


def with_desk(ctx: Context, lines: list[str], path: str) -> list[str]:
    """``lines`` and, when there is one, the desk line."""
    line = desk_line(ctx, path)
    return [*lines, line] if line else lines
