"""The parts of /campaign that narrow and bound a campaign: its segments (level, activity,
language, platform) as toggle buttons, their description, and the end of its repeats.

Pure helpers over the flow's data (a JSON dict); the steps themselves are in
:mod:`handlers.campaigns`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.activity.engagement import State
from bot.animation import campaigns, plans, segments
from bot.animation.segments import EMAIL, Segments
from bot.animation.wording import LABELS
from bot.conversation.context import Context
from bot.core.config import LANGUAGES
from handlers._labels import platform_name

#: A repeating campaign runs at most this many times when a number is given.
MAX_RUNS = 520
DONE = ">"
CLEAR = "*"


def of(data: dict[str, Any]) -> Segments:
    return Segments.of(data.get("segments"))


def _activity_names(ctx: Context) -> dict[State, str]:
    return {
        State.ACTIVE: ctx._("Active"),
        State.DORMANT: ctx._("Dormant"),
        State.NEVER_ACTIVATED: ctx._("Never activated"),
    }


def _level_name(ctx: Context, points: int) -> str:
    for level in ctx.settings.levels:
        if level.points == points:
            return level.name.get(ctx.language)
    return str(points)


def _platform_label(platform: str, ctx: Context) -> str:
    return ctx._("E-mail") if platform == EMAIL else platform_name(platform)


def describe(ctx: Context, chosen: Segments) -> str:
    """One line naming the segments, or "everyone in these categories"."""
    parts = []
    if chosen.min_points:
        parts.append(ctx._("level {level} and above", level=_level_name(ctx, chosen.min_points)))
    if chosen.activity:
        names = _activity_names(ctx)
        parts.append(" / ".join(names[state] for state in chosen.activity))
    if chosen.languages:
        parts.append(" / ".join(ctx._(LABELS[language]) for language in chosen.languages))
    if chosen.platforms:
        parts.append(" / ".join(_platform_label(p, ctx) for p in chosen.platforms))
    return ", ".join(parts) if parts else ctx._("everyone in these categories")


def choices(ctx: Context, data: dict[str, Any]) -> list[tuple[str, str]]:
    """Toggle buttons: ``l.<points>``, ``a.<state>``, ``g.<language>``, ``p.<platform>``;
    a tick marks what is chosen."""
    chosen = of(data)

    def tick(on: bool, label: str) -> str:
        return ("✓ " if on else "") + label

    found = [
        (f"l.{points}", tick(chosen.min_points == points, "≥ " + _level_name(ctx, points)))
        for points in segments.level_points(ctx.settings)
    ]
    found += [
        (f"a.{state.value}", tick(state in chosen.activity, name))
        for state, name in _activity_names(ctx).items()
    ]
    found += [
        (f"g.{lang}", tick(lang in chosen.languages, ctx._(LABELS[lang]))) for lang in LANGUAGES
    ]
    found += [
        (f"p.{platform}", tick(platform in chosen.platforms, _platform_label(platform, ctx)))
        for platform in ctx.platforms
    ]
    return [*found, (CLEAR, ctx._("Everyone")), (DONE, ctx._("Continue"))]


def toggle(chosen: Segments, value: str) -> Segments:
    """The segments after pressing ``value`` (see :func:`choices`)."""
    if value == CLEAR:
        return Segments()
    kind, _, item = value.partition(".")
    data = chosen.to_json()

    def flip(key: str) -> None:
        current = list(data.get(key, []))
        data[key] = [x for x in current if x != item] if item in current else [*current, item]

    if kind == "l" and item.isascii() and item.isdigit():
        data["min_points"] = None if chosen.min_points == int(item) else int(item)
    elif kind == "a":
        flip("activity")
    elif kind == "g":
        flip("languages")
    elif kind == "p":
        flip("platforms")
    return Segments.of(data)


def parse_end(ctx: Context, text: str) -> dict[str, Any] | None:
    """A number of runs (``4``) or a last date (``30/06/2026``: runs on that day still go
    out) as flow data; None if neither."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        runs = int(text)
        return {"max_runs": runs, "ends_at": None} if 1 <= runs <= MAX_RUNS else None
    today = plans.local_today(ctx.settings, ctx.clock.now())
    day = plans.parse_date(text, today)
    if day is None:
        return None
    last = plans.at_local(ctx.settings, day + timedelta(days=1), 0) - timedelta(seconds=1)
    return {"ends_at": last.isoformat(), "max_runs": None}


def end_text(ctx: Context, data: dict[str, Any]) -> str:
    """ ", until 30/06/2026", ", 4 runs" or nothing."""
    if data.get("max_runs"):
        runs = int(data["max_runs"])
        return ", " + ctx.ngettext("{n} run", "{n} runs", runs)
    if data.get("ends_at"):
        last = datetime.fromisoformat(str(data["ends_at"]))
        return ", " + ctx._("until {date}", date=campaigns.local(ctx.settings, last)[:10])
    return ""
