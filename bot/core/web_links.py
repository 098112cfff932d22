"""Links from the chat to the coordinators' desk (the web pages of :mod:`bot.web`).

A list in the chat stops where a phone's screen does; the same list on the desk can be
searched, filtered and acted on in bulk. Every chat answer that has a desk page links to
it through :func:`desk_url`, so the address of each page is written here once, and no
link appears while the web is not configured (``[web] public_url`` unset).
"""

from __future__ import annotations

from bot.core.config import Settings

MEMBERS = "/desk/members"
APPLICATIONS = "/desk/applications"
SIGNALS = "/desk/signals"
CAMPAIGNS = "/desk/campaigns"
PLANS = "/desk/plans"


def member_path(member_id: int) -> str:
    """The desk page of one member."""
    return f"{MEMBERS}/{member_id}"


def desk_url(settings: Settings, path: str) -> str | None:
    """The desk page at ``path`` (``/desk/...``) as the world reaches it, or None when the
    web has no public address."""
    base = settings.web.public_url
    if not base:
        return None
    return base.rstrip("/") + "/" + path.lstrip("/")
