"""``/v/<token>``: the page a member card's QR code opens, for a partner at the counter.

* ``GET`` shows only what a partner needs: the network, the holder's first name, whether
  the card is valid, their level and the benefits it unlocks today — no contact, no
  number. A forged or unknown link gets a 404 page saying the card is not valid; a
  replaced, cancelled or expired card a page saying so. Never a stack trace.
* ``POST`` records that a benefit was used: the partner picks it and types their partner
  code (:mod:`bot.cards.uses`: once per card, benefit and day; wrong codes limited per
  card). The form carries a token signed with the card key for this card and day, so a
  form posted from elsewhere, or kept from another day, records nothing.

Pages are in the visitor's language (their browser's, else the network's).
"""

from __future__ import annotations

import hashlib
import hmac
import html
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from babel.dates import format_date

from bot.cards import partners, tokens, uses
from bot.cards.verification import Checked, State, by_token
from bot.core.i18n import N_
from bot.web.context import CONTEXT, WebContext

TITLE = N_("Member card — {network}")
VALID = N_("Valid card")
NOT_VALID = N_("This card is not valid.")
UNKNOWN = N_("This link does not match any card. Ask the holder to show their card again.")
EXPIRED = N_("It expired on {date}; its holder can renew it in the chat with /card.")
REVOKED = N_("It was replaced by a newer card, or cancelled.")
LEVEL = N_("Level: {level}")
UNTIL = N_("Valid until {date}")
BENEFITS = N_("Benefits this card unlocks")
NONE = N_("No partner benefit for this level at the moment.")
FOR_PARTNERS = N_("For partners: record a use")
BENEFIT = N_("Benefit")
PARTNER_CODE = N_("Your partner code")
RECORD = N_("Record")
RECORDED = N_("Recorded. Thank you!")
ALREADY = N_("Already recorded today for this card.")
WRONG_CODE = N_("This is not the code of this benefit's partner.")
LOCKED = N_("Too many wrong codes on this card. Please try again in an hour.")
EXPIRED_FORM = N_("This form is out of date: the page was reloaded, please try again.")
STYLE = "font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em;line-height:1.4"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v/{token}", page)
    router.add_post("/v/{token}", record)


def _day(moment: datetime, context: WebContext, language: str) -> str:
    local = moment.astimezone(ZoneInfo(context.settings.network.timezone)).date()
    return format_date(local, "d MMMM y", locale=language)


def _form_token(secret: bytes, token: str, day: str) -> str:
    digest = hmac.new(secret, f"form:{token}:{day}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _document(context: WebContext, language: str, body: str, status: int) -> web.Response:
    title = context.translator.gettext(language, TITLE, network=context.settings.network.name)
    band = context.settings.cards.color
    document = (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{html.escape(title)}</title></head>"
        f'<body style="{STYLE}"><h1 style="background:{band};color:#fff;padding:.4em .6em;'
        f'font-size:1.3em">{html.escape(context.settings.network.name)}</h1>{body}</body></html>'
    )
    return web.Response(text=document, content_type="text/html", charset="utf-8", status=status)


async def _check(request: web.Request) -> tuple[Checked, str, bytes]:
    context = request.app[CONTEXT]
    async with context.sessions.begin() as session:
        now = context.clock.now()
        checked = await by_token(session, context.settings, request.match_info["token"], now)
        secret = await tokens.key(session, context.settings, now)
    day = partners.today(context.settings, context.clock.now()).isoformat()
    return checked, day, secret


def _body(
    context: WebContext, language: str, checked: Checked, form: str, notice: str = ""
) -> tuple[str, int]:
    def _(text: str, **values: object) -> str:
        return html.escape(context.translator.gettext(language, text, **values))

    if not checked.valid or checked.level is None or checked.card is None:
        reason = _(UNKNOWN)
        if checked.state is State.EXPIRED and checked.card is not None:
            reason = _(EXPIRED, date=_day(checked.card.valid_until, context, language))
        elif checked.state is State.REVOKED:
            reason = _(REVOKED)
        status = 404 if checked.state is State.UNKNOWN else 200
        return (
            f'<p style="font-size:1.3em">❌ <strong>{_(NOT_VALID)}</strong></p><p>{reason}</p>',
            status,
        )
    default = context.settings.network.default_language
    parts = [
        f'<p style="font-size:1.3em;color:#1a7f37">✅ <strong>{_(VALID)}</strong></p>',
        f'<p style="font-size:1.6em;margin:.2em 0">{html.escape(checked.first_name)}</p>',
        f"<p>{_(LEVEL, level=checked.level.name.get(language))}<br>"
        f"{_(UNTIL, date=_day(checked.card.valid_until, context, language))}</p>",
    ]
    if notice:
        parts.append(f'<p style="background:#fff3cd;padding:.5em"><strong>{notice}</strong></p>')
    parts.append(f"<h2>{_(BENEFITS)}</h2>")
    if not checked.offers:
        parts.append(f"<p>{_(NONE)}</p>")
        return "".join(parts), 200
    items = "".join(
        f"<li><strong>{html.escape(o.partner.name)}</strong> — "
        f"{html.escape(o.text(language, default))}</li>"
        for o in checked.offers
    )
    options = "".join(
        f'<option value="{o.benefit.id}">{html.escape(o.partner.name)} — '
        f"{html.escape(o.text(language, default))}</option>"
        for o in checked.offers
    )
    parts.append(f"<ul>{items}</ul>")
    parts.append(
        f"<h2>{_(FOR_PARTNERS)}</h2>"
        f'<form method="post"><input type="hidden" name="form" value="{form}">'
        f'<p><label>{_(BENEFIT)}<br><select name="benefit">{options}</select></label></p>'
        f'<p><label>{_(PARTNER_CODE)}<br><input name="code" autocomplete="off" '
        'autocapitalize="characters" maxlength="16" required></label></p>'
        f'<p><button type="submit" style="font-size:1.1em;padding:.3em 1em">{_(RECORD)}'
        "</button></p></form>"
    )
    return "".join(parts), 200


async def page(request: web.Request) -> web.Response:
    """The card's state and benefits (changes nothing)."""
    context = request.app[CONTEXT]
    language = context.language(request)
    checked, day, secret = await _check(request)
    form = _form_token(secret, request.match_info["token"], day)
    body, status = _body(context, language, checked, form)
    return _document(context, language, body, status)


MESSAGES = {
    uses.Outcome.RECORDED: RECORDED,
    uses.Outcome.ALREADY: ALREADY,
    uses.Outcome.WRONG_CODE: WRONG_CODE,
    uses.Outcome.LOCKED: LOCKED,
    uses.Outcome.NOT_OFFERED: EXPIRED_FORM,
}


async def record(request: web.Request) -> web.Response:
    """A partner records a use; the page again, with what happened."""
    context = request.app[CONTEXT]
    language = context.language(request)
    token = request.match_info["token"]
    posted = await request.post()
    async with context.sessions.begin() as session:
        now = context.clock.now()
        checked = await by_token(session, context.settings, token, now)
        secret = await tokens.key(session, context.settings, now)
        day = partners.today(context.settings, now).isoformat()
        form = _form_token(secret, token, day)
        notice = ""
        if checked.valid and checked.card is not None:
            sent = str(posted.get("form", ""))
            benefit = str(posted.get("benefit", ""))
            if (
                not hmac.compare_digest(sent.encode(), form.encode())
                or not benefit.isascii()
                or not benefit.isdigit()
            ):
                outcome = uses.Outcome.NOT_OFFERED
            else:
                outcome = await uses.record(
                    session, context.settings, checked.card, list(checked.offers),
                    benefit_id=int(benefit), partner_code=str(posted.get("code", "")), now=now,
                )  # fmt: skip
            notice = html.escape(context.translator.gettext(language, MESSAGES[outcome]))
    body, status = _body(context, language, checked, form, notice)
    return _document(context, language, body, status)
