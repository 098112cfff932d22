"""``/join``: the public sign-up form (``[web] signup = true``; off, the page is a 404).

``GET`` shows the form in the visitor's language (``?lang=fr|en``, else their browser's):
name, category, language, the consent of ``/start``, an optional sponsor code (required
when the network joins by sponsorship). ``POST`` makes the application as ``/start`` does
(:mod:`bot.members.web_signup`), tells the coordinators with the same card, and answers
with how to claim it: a Telegram link and its QR code (when the bot's Telegram username is
known), and the code to send with ``/start`` on Discord or Telegram.

A form refused (a field missing, an unknown sponsor code) is shown again with what to fix;
an expired or foreign form token gets a page that says to reload. Spam: see
:mod:`bot.members.web_signup` (rate limit per address hash, honeypot, single-use token).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.core.config import LANGUAGES, RegistrationMode
from bot.core.i18n import N_
from bot.core.text import clean_name
from bot.mailing import invitations
from bot.members import application_card, membership, web_signup
from bot.models import Member, MemberStatus
from bot.web.context import CONTEXT, WebContext, client_address
from bot.web.render import page as render_page

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
#: The answer's policy: the application's (bot.web.app), plus the QR code's inline image.
DONE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
#: The field people do not see (a robot fills every field).
HONEYPOT = "website"

NOT_FOUND = N_("Not found")
NOT_OPEN = N_("There is nothing here.")
EXPIRED = N_("This form has expired. Go back, reload the page and try again.")
TOO_MANY = N_("Too many applications were sent from here today. Try again tomorrow.")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/join", form)
    router.add_post("/join", submit)


def _language(context: WebContext, request: web.Request) -> str:
    asked = request.query.get("lang")
    return context.language(request, asked if asked in LANGUAGES else None)


def _message(
    context: WebContext, language: str, title: str, text: str, status: int
) -> web.Response:
    values = {
        "title": context.translator.gettext(language, title),
        "network": context.settings.network.name,
        "text": context.translator.gettext(language, text),
    }
    return render_page(context.translator, language, "message.html", values, status=status)


def _closed(context: WebContext, request: web.Request) -> web.Response | None:
    if context.settings.web.signup:
        return None
    return _message(context, context.language(request), NOT_FOUND, NOT_OPEN, 404)


def _form_page(
    context: WebContext, language: str, token: str, values: Mapping[str, str],
    errors: list[str], status: int = 200,
) -> web.Response:  # fmt: skip
    settings = context.settings
    translator = context.translator
    page = {
        "title": translator.gettext(language, N_("Join {network}"), network=settings.network.name),
        "network": settings.network.name,
        "token": token,
        "honeypot": HONEYPOT,
        "categories": [(c.key, c.name.get(language)) for c in settings.categories],
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "consent": membership.consent_text(settings, translator, language).split("\n"),
        "sponsor_required": settings.network.registration is RegistrationMode.SPONSOR,
        "form": {"language": language, **values},
        "errors": errors,
    }
    return render_page(translator, language, "join.html", page, status=status)


async def form(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    closed = _closed(context, request)
    if closed is not None:
        return closed
    language = _language(context, request)
    async with context.sessions.begin() as session:
        token = await web_signup.form_token(session, context.clock.now())
    return _form_page(context, language, token, {}, [])


def _field(posted: Mapping[str, Any], name: str) -> str:
    value = posted.get(name, "")
    return value.strip()[:200] if isinstance(value, str) else ""


async def submit(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    closed = _closed(context, request)
    if closed is not None:
        return closed
    posted = await request.post()
    values = {name: _field(posted, name) for name in ("name", "category", "language", "sponsor")}
    chosen = values["language"]
    language = chosen if chosen in LANGUAGES else _language(context, request)
    settings, now, address = context.settings, context.clock.now(), client_address(request)

    def _(message: str) -> str:
        return context.translator.gettext(language, message)

    async with context.sessions.begin() as session:
        nonce = await web_signup.token_nonce(session, _field(posted, "token"), now)
        if nonce is None:
            return _message(context, language, N_("Join"), EXPIRED, 403)
        used, earlier = await web_signup.earlier_outcome(session, nonce)
        if used:  # a double click or a resent form: the first post's outcome
            return _done(context, language, earlier.invite_code if earlier else None)
        if await web_signup.over_limit(session, settings, address, now):
            return _message(context, language, N_("Join"), TOO_MANY, 429)
        if _field(posted, HONEYPOT):
            decoy = await web_signup.pretend(
                session, settings, context.clock, address=address, nonce=nonce
            )
            return _done(context, language, decoy)
        errors: list[str] = []
        if not clean_name(values["name"]):
            errors.append(_(N_("Write your name.")))
        if settings.category(values["category"]) is None:
            errors.append(_(N_("Choose your category.")))
        if _field(posted, "consent") != "yes":
            errors.append(_(N_("To join, tick the box to agree.")))
        sponsor: Member | None = None
        if values["sponsor"]:
            sponsor = await membership.find_sponsor(session, values["sponsor"])
            if sponsor is None:
                errors.append(_(N_("This sponsor code is unknown. Check it and write it again.")))
        elif settings.network.registration is RegistrationMode.SPONSOR:
            errors.append(_(N_("Write the sponsor code an ambassador gave you.")))
        if errors:
            token = await web_signup.form_token(session, now)
            return _form_page(context, language, token, values, errors, status=400)
        member = await web_signup.apply(
            session, settings, context.clock,
            web_signup.WebApplication(
                name=values["name"], category=values["category"], language=language,
                sponsor_id=sponsor.id if sponsor else None,
            ),
            address=address, nonce=nonce,
        )  # fmt: skip
        if member.status is MemberStatus.PENDING:  # as /start: an open network has no card
            await application_card.announce(
                session, settings, context.translator,
                now=now, platforms=context.platforms(), member=member,
            )  # fmt: skip
        code = member.invite_code
    await context.after_commit(session)
    return _done(context, language, code)


def _done(context: WebContext, language: str, code: str | None) -> web.Response:
    """How to claim the application; ``code`` None: it was claimed (or erased) since."""
    links = invitations.Links.of(context.start_links())
    telegram = links.telegram_link(code) if code else None
    qr = base64.b64encode(invitations.qr_png(telegram)).decode() if telegram else None
    values = {
        "title": context.translator.gettext(language, N_("Thank you!")),
        "network": context.settings.network.name,
        "code": code,
        "telegram": telegram,
        "qr": qr,
        "discord": (
            invitations.discord_command(context.translator, language, code) if code else None
        ),
    }
    response = render_page(context.translator, language, "join_done.html", values)
    response.headers["Content-Security-Policy"] = DONE_CSP
    return response
