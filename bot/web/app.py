"""The aiohttp application: its shared context, its middlewares and its route list.

* **Context**: handlers read :data:`~bot.web.context.CONTEXT` from the application
  (settings, database sessions, clock, translator): no globals, and tests build it on
  their own database.
* **Security headers** on every answer, errors included: no sniffing, no framing, no
  referrer (a token in a URL must not leak to another site), a content security policy
  that allows the pages' own inline style and forms posting to themselves only, and no
  caching (a page may show a person's state).
* **Access log**: method, the *route* (``/u/{token}``, never the token or a query
  string), status and time — nothing that identifies a visitor, not even their IP.
* **Bodies** of :data:`~bot.web.context.FORM_BODY` at most (413 beyond), but for the
  routes that declare more (:func:`~bot.web.context.accepts_body`).
* **New pages**: a module with ``def add_routes(router)``, listed in :data:`ROUTES`; desk
  pages are in :mod:`bot.web.desk` (docs/development.md, "Adding a desk page").
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.web import card_check, kit_redirect, signup, unsubscribe
from bot.web.context import CONTEXT, FORM_BODY, WebContext
from bot.web.desk import (
    applications,
    audit_log,
    bulk,
    campaign_compose,
    campaign_list,
    me,
    member,
    members,
    overview,
    plan_compose,
    plan_list,
    plan_page,
    signal_board,
    signal_figures,
    signal_page,
    signin,
    transfers,
)

__all__ = ["CONTEXT", "AccessLogger", "WebContext", "build"]

log = logging.getLogger(__name__)


#: Every page module; each adds its routes to the application's router.
ROUTES: tuple[Callable[[web.UrlDispatcher], None], ...] = (
    unsubscribe.add_routes,
    kit_redirect.add_routes,
    card_check.add_routes,
    signup.add_routes,
    signin.add_routes,
    overview.add_routes,
    members.add_routes,
    member.add_routes,
    bulk.add_routes,
    applications.add_routes,
    audit_log.add_routes,
    me.add_routes,
    signal_board.add_routes,
    signal_page.add_routes,
    signal_figures.add_routes,
    campaign_list.add_routes,
    campaign_compose.add_routes,
    plan_list.add_routes,
    plan_compose.add_routes,
    plan_page.add_routes,
    transfers.add_routes,
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.update(SECURITY_HEADERS)
        raise
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)  # a page may tighten or widen its own CSP
    return response


class AccessLogger(AbstractAccessLogger):
    """One line per request, without anything personal (see the module's docstring)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        route = "?"
        match_info = getattr(request, "match_info", None)
        if match_info is not None and match_info.route.resource is not None:
            route = match_info.route.resource.canonical
        self.logger.info("%s %s %s %.1fms", request.method, route, response.status, time * 1000)


def build(context: WebContext) -> web.Application:
    """The application with every page of :data:`ROUTES`."""
    application = web.Application(middlewares=[security_headers], client_max_size=FORM_BODY)
    application[CONTEXT] = context
    for add_routes in ROUTES:
        add_routes(application.router)
    return application
