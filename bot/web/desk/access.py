"""Who is at the desk, and what they may open: every desk page goes through :func:`page`.

A page declares the least role it needs where its route is written
(``@page(Role.COORDINATOR)``), like a command in the command table; :func:`page` then

* finds the desk session from the ``relais_desk`` cookie (none, revoked, expired, or its
  member no longer acting with the role it was opened for: **401**, a page saying how to
  sign in);
* asks the bot's one gate (:func:`bot.conversation.gate.refusal`) whether the member may
  see the page (**403** otherwise);
* refuses any ``POST`` whose form does not carry the session's CSRF token (**403**);
* hands the page a :class:`Desk`: the member, the language, the categories they may see
  (all for a coordinator, their own for a referent) and ``render``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from aiohttp import web

from bot.conversation import gate
from bot.conversation.commands import Access
from bot.core.i18n import N_
from bot.members import desk_access, roles
from bot.models import DeskSession, Member, Role
from bot.web.context import CONTEXT, WebContext
from bot.web.render import page as render_page

COOKIE = "relais_desk"
PATH = "/desk"

SIGN_IN = N_("Sign in to the desk")
SIGNED_OUT = N_(
    "You are not signed in, or your session ended. Send /desk to the bot in a private "
    "chat: it answers with a sign-in link, valid 10 minutes."
)
FORBIDDEN = N_("This page is not for you")
NOT_ALLOWED = N_("Your role does not open this page. Go back to the desk's home page.")
BAD_FORM = N_("This form has expired. Go back, reload the page and try again.")


@dataclass(frozen=True, slots=True)
class PageRule:
    """A desk page's rule, in the gate's terms (:class:`bot.conversation.commands.Rule`)."""

    min_role: Role
    access: Access = Access.ACTIVE
    before_consent: bool = False


@dataclass(slots=True)
class Desk:
    """What a desk page knows about the person at the desk."""

    request: web.Request
    context: WebContext
    member: Member
    session: DeskSession
    role: Role
    language: str
    #: The categories this person may see: every category for a coordinator, their own
    #: for a referent, none for a member.
    categories: tuple[str, ...]

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    def _(self, message: str, **values: object) -> str:
        return self.context.translator.gettext(self.language, message, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self.context.translator.ngettext(self.language, singular, plural, n, **values)

    def category_name(self, key: str) -> str:
        category = self.context.settings.category(key)
        return category.name.get(self.language) if category else key

    def render(self, template: str, *, status: int = 200, **values: Any) -> web.Response:
        """A desk page: the layout's menu, the form token and the values."""
        shared = {
            "desk": self,
            "csrf": self.session.csrf,
            "network": self.context.settings.network.name,
            "menu": menu(self.role),
            "path": self.request.path,
        }
        return render_page(
            self.context.translator, self.language, template, {**shared, **values}, status=status
        )


#: The layout's menu: (path, label, least role). Labels are a word or two (pages' titles
#: may say more): the menu stays on one line at 1,000 pixels, in French too.
MENU = (
    ("/desk", N_("Home"), Role.REFERENT),
    ("/desk/members", N_("Members"), Role.REFERENT),
    ("/desk/applications", N_("Applications"), Role.COORDINATOR),
    ("/desk/audit", N_("Audit"), Role.COORDINATOR),
    ("/desk/signals", N_("Signals"), Role.COORDINATOR),
    ("/desk/campaigns", N_("Campaigns"), Role.REFERENT),
    ("/desk/plans", N_("Plans"), Role.REFERENT),
    ("/desk/data", N_("Data"), Role.COORDINATOR),
    ("/desk/me", N_("My space"), Role.MEMBER),
)


def menu(role: Role) -> list[tuple[str, str]]:
    return [(path, label) for path, label, least in MENU if role.rank >= least.rank]


def refuse(
    context: WebContext, request: web.Request, status: int, title: str, text: str, language: str
) -> web.Response:
    """A short page saying why (401, 403, 404), in the visitor's language."""
    return render_page(
        context.translator,
        language,
        "message.html",
        {"title": title, "text": text, "network": context.settings.network.name},
        status=status,
    )


DeskHandler = Callable[[Desk], Awaitable[web.StreamResponse]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page(min_role: Role) -> Callable[[DeskHandler], Handler]:
    """A desk route for ``min_role`` and above, checked as described in the module."""
    rule = PageRule(min_role)

    def wrap(handler: DeskHandler) -> Handler:
        @wraps(handler)
        async def run(request: web.Request) -> web.StreamResponse:
            context = request.app[CONTEXT]
            now = context.clock.now()
            async with context.sessions() as session:
                found = await desk_access.signed_in(session, request.cookies.get(COOKIE, ""), now)
                if found is None:
                    language = context.language(request)
                    return refuse(
                        context, request, 401,
                        context.translator.gettext(language, SIGN_IN),
                        context.translator.gettext(language, SIGNED_OUT),
                        language,
                    )  # fmt: skip
                member, identity = found.member, found.identity
                language = context.translator.resolve(member.language, None)
                why = gate.refusal(rule, member, identity, context.settings)
                categories = tuple(await roles.categories_of(session, context.settings, member))
            if why is not None:
                return refuse(
                    context, request, 403,
                    context.translator.gettext(language, FORBIDDEN),
                    context.translator.gettext(language, NOT_ALLOWED),
                    language,
                )  # fmt: skip
            desk = Desk(
                request=request,
                context=context,
                member=member,
                session=found.row,
                role=found.row.role,
                language=language,
                categories=categories if found.row.role is not Role.MEMBER else (),
            )
            if request.method == "POST":
                form = await request.post()
                token = form.get("csrf")
                if not isinstance(token, str) or not hmac.compare_digest(token, found.row.csrf):
                    return refuse(
                        context, request, 403,
                        context.translator.gettext(language, FORBIDDEN),
                        context.translator.gettext(language, BAD_FORM),
                        language,
                    )  # fmt: skip
            return await handler(desk)

        return run

    return wrap


def set_cookie(response: web.StreamResponse, context: WebContext, token: str, hours: int) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure behind an https public URL,
    limited to the desk's paths."""
    public = context.settings.web.public_url or ""
    response.set_cookie(
        COOKIE,
        token,
        max_age=hours * 3600,
        path=PATH,
        httponly=True,
        secure=public.startswith("https://"),
        samesite="Lax",
    )


def not_found(desk: Desk) -> web.Response:
    return refuse(
        desk.context,
        desk.request,
        404,
        desk._(N_("Not found")),
        desk._(N_("There is nothing here, or it is not for you.")),
        desk.language,
    )
