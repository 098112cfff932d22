"""Signing in to the desk and out of it.

* ``GET /desk/signin/{token}``: the one-time link ``/desk`` sent. Opening it changes
  nothing (chat apps fetch links to show previews): it shows one button.
* ``POST /desk/signin/{token}``: the button; uses the link (once, within 10 minutes, for
  the role it was sent for), sets the session cookie and goes to the desk. The token is
  the secret, so this form needs no other check.
* ``GET /desk/miniapp``: the page the bot's Mini App button opens inside Telegram; its
  small script (``/desk/miniapp.js``, the desk's only script) posts the launch data that
  Telegram put in the page's address to ``POST /desk/miniapp``, which checks Telegram's
  signature (:mod:`bot.web.desk.miniapp`) and signs the account in.
* ``POST /desk/signout``: ends this browser's session.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web
from sqlalchemy import select

from bot.core.i18n import N_
from bot.members import desk_access
from bot.models import Identity, Member, Role
from bot.web.context import CONTEXT, WebContext
from bot.web.desk import miniapp
from bot.web.desk.access import COOKIE, PATH, Desk, page, refuse, set_cookie
from bot.web.render import page as render_page

TITLE = N_("Sign in to the desk")
ASK = N_("Sign in to the desk of {network}? This link works once, for 10 minutes.")
BUTTON = N_("Sign in")
REFUSED = {
    desk_access.Refusal.UNKNOWN: N_("This sign-in link is not valid. Send /desk to the bot again."),
    desk_access.Refusal.USED: N_(
        "This sign-in link was already used: each link works once. Send /desk to the bot "
        "for a new one."
    ),
    desk_access.Refusal.EXPIRED: N_(
        "This sign-in link has expired (links last 10 minutes). Send /desk to the bot for "
        "a new one."
    ),
    desk_access.Refusal.CHANGED: N_(
        "Your role in the network changed since this link was sent. Send /desk to the bot "
        "for a new one."
    ),
}
MINIAPP_FAILED = N_(
    "Telegram's sign-in could not be checked. Close the desk and open it again from the "
    "bot's button, or send /desk for a link."
)
OPENING = N_("Opening the desk…")
SIGNED_OUT = N_("You are signed out. Send /desk to the bot to sign in again.")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/signin/{token}", ask)
    router.add_post("/desk/signin/{token}", sign_in)
    router.add_get("/desk/miniapp", miniapp_page)
    router.add_get("/desk/miniapp.js", miniapp_script)
    router.add_post("/desk/miniapp", miniapp_sign_in)
    router.add_post("/desk/signout", sign_out)


def _plain(
    context: WebContext, language: str, template: str, status: int = 200, **values: object
) -> web.Response:
    return render_page(
        context.translator,
        language,
        template,
        {"network": context.settings.network.name, **values},
        status=status,
    )


async def ask(request: web.Request) -> web.Response:
    """The sign-in button (a GET never signs in)."""
    context = request.app[CONTEXT]
    language = context.language(request)
    title = context.translator.gettext(language, TITLE)
    return _plain(context, language, "signin.html", title=title)


def _signed_in(context: WebContext, opened: desk_access.Opened) -> web.Response:
    """To the desk (a member to their own space), with the session's cookie."""
    target = PATH if opened.row.role is not Role.MEMBER else f"{PATH}/me"
    response = web.Response(status=303, headers={"Location": target})
    set_cookie(response, context, opened.token, context.settings.web.session_hours)
    return response


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Use the one-time link and open a session."""
    context = request.app[CONTEXT]
    now = context.clock.now()
    async with context.sessions.begin() as session:
        result = await desk_access.redeem(
            session, request.match_info["token"], now, hours=context.settings.web.session_hours
        )
    if isinstance(result, desk_access.Refusal):
        language = context.language(request)
        _ = context.translator.gettext
        title, text = _(language, TITLE), _(language, REFUSED[result])
        return refuse(context, request, 403, title, text, language)
    return _signed_in(context, result)


async def miniapp_page(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    language = context.language(request)
    title = context.translator.gettext(language, TITLE)
    response = _plain(context, language, "miniapp.html", title=title)
    # The desk's one script, from this server only.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response


async def miniapp_script(request: web.Request) -> web.Response:
    script = (resources.files("bot.web") / "templates" / "miniapp.js").read_text()
    return web.Response(text=script, content_type="text/javascript", charset="utf-8")


async def miniapp_sign_in(request: web.Request) -> web.StreamResponse:
    """Sign in the Telegram account whose signed launch data the Mini App posted."""
    context = request.app[CONTEXT]
    now = context.clock.now()
    form = await request.post()
    init_data = form.get("init_data")
    token = context.settings.telegram_token
    user = (
        miniapp.validate(init_data, token.get_secret_value(), now)
        if isinstance(init_data, str) and token is not None
        else None
    )
    opened: desk_access.Opened | None = None
    if user is not None:
        async with context.sessions.begin() as session:
            identity = await session.scalar(
                select(Identity).where(
                    Identity.platform == "telegram", Identity.user_id == user.user_id
                )
            )
            member = await session.get(Member, identity.member_id) if identity is not None else None
            if member is not None and identity is not None and desk_access.may_open(member):
                opened = await desk_access.open_session(
                    session, member, identity, now,
                    hours=context.settings.web.session_hours, via="miniapp",
                )  # fmt: skip
    if opened is None:
        language = context.language(request, user.language_code if user else None)
        _ = context.translator.gettext
        title, text = _(language, TITLE), _(language, MINIAPP_FAILED)
        return refuse(context, request, 403, title, text, language)
    return _signed_in(context, opened)


@page(Role.MEMBER)
async def sign_out(desk: Desk) -> web.StreamResponse:
    context = desk.context
    async with context.sessions.begin() as session:
        await desk_access.revoke(session, desk.session.id, context.clock.now())
    response = refuse(context, desk.request, 200, desk._(TITLE), desk._(SIGNED_OUT), desk.language)
    response.del_cookie(COOKIE, path=PATH)
    return response
