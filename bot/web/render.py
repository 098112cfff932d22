"""Pages from templates (Jinja2, autoescaped), every text through the bot's catalogs.

Templates live in ``bot/web/templates/`` (package data: the wheel ships them). They
call ``_("…", name=value)`` and ``ngettext("…", "…", n)`` exactly like the Python code,
in the reader's language; ``make locale`` extracts those strings from the ``.html`` files
too (:mod:`bot.core.catalogs`). Values are escaped unless a template says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.core.i18n import Translator


@cache
def environment() -> Environment:
    """One environment per process; templates are compiled once."""
    return Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page(
    translator: Translator,
    language: str,
    template: str,
    values: Mapping[str, Any],
    *,
    status: int = 200,
) -> web.Response:
    """The template rendered in ``language`` as an HTML answer."""

    def _(message: str, **named: object) -> str:
        return translator.gettext(language, message, **named)

    def ngettext(singular: str, plural: str, n: int, **named: object) -> str:
        return translator.ngettext(language, singular, plural, n, **named)

    text = (
        environment()
        .get_template(template)
        .render(_=_, ngettext=ngettext, language=language, **values)
    )
    return web.Response(text=text, content_type="text/html", charset="utf-8", status=status)
