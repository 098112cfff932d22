"""``/r/<code>``: a member's tracked share link, redirecting (302) to the kit item's link.

A browser's visit is counted (:mod:`bot.animation.kit.clicks`: once per visitor and day,
by a keyed daily hash, nothing about the visitor stored); ``HEAD`` requests and link
previewers are redirected without being counted. An unknown code, or an item without a
link, gets a short 404 page in the visitor's language — never a stack trace.

Behind a reverse proxy every request comes from the proxy: the visitor's address is then
the first of ``X-Forwarded-For`` (only for a request from the loopback, where the proxy
is; it is hashed, never stored).
"""

from __future__ import annotations

import html
import logging

from aiohttp import web

from bot.animation.kit import clicks
from bot.core.i18n import N_
from bot.models import KitItem
from bot.web.context import CONTEXT, client_address

log = logging.getLogger(__name__)

TITLE = N_("Link not found")
UNKNOWN = N_("This link is not valid (any more).")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/r/{code}", follow)  # HEAD too (aiohttp adds it to a GET route)


def _not_found(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    language = context.language(request)
    title = context.translator.gettext(language, TITLE)
    text = context.translator.gettext(language, UNKNOWN)
    document = (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(text=document, content_type="text/html", charset="utf-8", status=404)


async def follow(request: web.Request) -> web.StreamResponse:
    context = request.app[CONTEXT]
    user_agent = request.headers.get("User-Agent", "")
    counted = request.method == "GET" and not clicks.is_robot(user_agent)
    async with context.sessions.begin() as session:
        share = await clicks.by_code(session, request.match_info["code"])
        item = await session.get(KitItem, share.item_id) if share is not None else None
        if share is None or item is None or not item.link:
            return _not_found(request)
        if counted:
            await clicks.record(
                session, context.settings, share, address=client_address(request),
                user_agent=user_agent, now=context.clock.now(),
            )  # fmt: skip
        target = item.link
    raise web.HTTPFound(target)
