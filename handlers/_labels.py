"""Translated names for the network's fixed vocabularies (mediums, signal kinds...)."""

from __future__ import annotations

import dataclasses

from bot.activity.signals import Stage
from bot.conversation.context import Context
from bot.core.config import MEDIUMS, SIGNAL_KINDS
from bot.core.i18n import N_
from bot.models import ReportKind

KIND = {
    ReportKind.MENTION: N_("Mention"),
    ReportKind.SIGNAL: N_("Opportunity signal"),
    ReportKind.SETTLEMENT: N_("Settlement"),
}
MEDIUM = {
    "press": N_("Press"),
    "blog": N_("Blog"),
    "social": N_("Social post"),
    "conference": N_("Conference"),
    "video": N_("Video"),
    "organisation": N_("My organisation's material"),
    "conversation": N_("Conversation"),
}
SIGNAL_KIND = {
    "investor": N_("Investor"),
    "site": N_("Company looking for a site"),
    "event": N_("Event or congress"),
    "film": N_("Film shoot"),
    "talent": N_("Talent"),
    "other": N_("Other"),
}
STAGE = {
    Stage.NEW: N_("new"),
    Stage.QUALIFIED: N_("qualified"),
    Stage.IN_PROGRESS: N_("in progress"),
    Stage.WON: N_("won"),
    Stage.LOST: N_("lost"),
    Stage.NOT_RELEVANT: N_("not relevant"),
}
assert set(MEDIUM) == set(MEDIUMS) and set(SIGNAL_KIND) == set(SIGNAL_KINDS)


def speaking(ctx: Context, language: str) -> Context:
    """The same context speaking another person's language, to write to them (the
    outbox is shared, so what is sent still leaves after commit)."""
    return dataclasses.replace(ctx, language=language)


def short(text: str | None, limit: int = 60) -> str:
    """A one-line excerpt of a member's text."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def category_name(ctx: Context, key: str) -> str:
    category = ctx.settings.category(key)
    return category.name.get(ctx.language) if category else key


def category_of(ctx: Context, key: str) -> str:
    """The category after "of", as in "referent of …": the config's own phrase (French
    contracts "de les" into "des" and elides "de E…"), else a phrase that reads well
    whatever the name ("de la catégorie « Entreprises »")."""
    category = ctx.settings.category(key)
    if category is not None and category.of is not None:
        return category.of.get(ctx.language)
    return ctx._("of the category “{category}”", category=category_name(ctx, key))


def subkind_name(ctx: Context, kind: ReportKind, subkind: str | None) -> str:
    table = MEDIUM if kind is ReportKind.MENTION else SIGNAL_KIND
    return ctx._(table[subkind]) if subkind in table else ""


def invalid_input(ctx: Context, reason: str) -> str:
    """One line telling the person what to send instead."""
    if reason == "bad_link":
        return ctx._(
            "That link does not look right. Send a full link (https://...) or a few words."
        )
    if reason == "too_long":
        return ctx._("That is too long. Please keep it under 500 characters.")
    return ctx._("That is too short. Please write a few words.")


#: Platforms' own names (brands, not translated).
PLATFORM_NAMES = {"console": "Console", "telegram": "Telegram", "discord": "Discord"}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.capitalize())
