"""``/u/<token>``: stop e-mail to one address, from the link every mail carries.

* ``GET`` shows a small page in the person's language with one button (a GET never
  unsubscribes: mail scanners and link previews open links on their own).
* ``POST`` unsubscribes: the page's button, or a mail client's one-click request
  (RFC 8058: body ``List-Unsubscribe=One-Click``, answered with a short 200). The token
  is the secret (128 random bits, one per address), so no other check is needed, and a
  form from another site cannot guess it.
* An unknown token gets a 404 page that says so, nothing more.

Unsubscribed means nothing more by e-mail, ever (see :mod:`bot.mailing.addresses`).
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.core.i18n import N_
from bot.mailing import addresses
from bot.models import EmailAddress, Member
from bot.web.context import CONTEXT

ONE_CLICK = "List-Unsubscribe=One-Click"

TITLE = N_("E-mail from {network}")
ASK = N_("Do you want to stop receiving e-mail from {network}?")
BUTTON = N_("Unsubscribe")
DONE = N_("Done: you will receive no more e-mail from {network}.")
UNKNOWN = N_("This link is not valid (any more). Nothing was changed.")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/u/{token}", page)
    router.add_post("/u/{token}", confirm)


def _page(language: str, title: str, body: str, status: int = 200) -> web.Response:
    document = (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em">'
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return web.Response(text=document, content_type="text/html", charset="utf-8", status=status)


async def _find(request: web.Request) -> tuple[EmailAddress | None, str | None]:
    """The address state of the link's token, and its owner's language."""
    context = request.app[CONTEXT]
    async with context.sessions() as session:
        state = await addresses.by_token(session, request.match_info["token"])
        if state is None:
            return None, None
        member = await session.get(Member, state.member_id)
        return state, member.language if member is not None else None


async def page(request: web.Request) -> web.Response:
    """The confirmation page (changes nothing)."""
    context = request.app[CONTEXT]
    state, preferred = await _find(request)
    language = context.language(request, preferred)
    network = context.settings.network.name

    def _(text: str) -> str:
        return context.translator.gettext(language, text, network=network)

    if state is None:
        return _page(language, _(TITLE), f"<p>{html.escape(_(UNKNOWN))}</p>", status=404)
    if state.unsubscribed_at is not None:
        return _page(language, _(TITLE), f"<p>{html.escape(_(DONE))}</p>")
    form = (
        f"<p>{html.escape(_(ASK))}</p>"
        '<form method="post"><button type="submit" style="font-size:1.2em;padding:.4em 1em">'
        f"{html.escape(_(BUTTON))}</button></form>"
    )
    return _page(language, _(TITLE), form)


async def confirm(request: web.Request) -> web.Response:
    """Unsubscribe: from the page's button or a one-click request."""
    context = request.app[CONTEXT]
    body = await request.text() if request.can_read_body else ""
    preferred: str | None = None
    async with context.sessions.begin() as session:
        state = await addresses.by_token(session, request.match_info["token"])
        if state is not None:
            await addresses.unsubscribe(session, state, context.clock.now())
            member = await session.get(Member, state.member_id)
            preferred = member.language if member is not None else None
    if ONE_CLICK in body:  # a mail client, not a person: a short answer is enough
        if state is None:
            raise web.HTTPNotFound(text="unknown link")
        return web.Response(text="unsubscribed")
    language = context.language(request, preferred)
    network = context.settings.network.name
    title = context.translator.gettext(language, TITLE, network=network)
    if state is None:
        text = context.translator.gettext(language, UNKNOWN)
        return _page(language, title, f"<p>{html.escape(text)}</p>", status=404)
    text = context.translator.gettext(language, DONE, network=network)
    return _page(language, title, f"<p>{html.escape(text)}</p>")
