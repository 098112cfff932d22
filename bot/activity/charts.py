"""The charts Relais posts, each one PNG drawn headless with matplotlib's Agg backend: the
/stats chart (:func:`render`) and the weekly posts' actions per category (:func:`weekly`).

matplotlib is imported on first use (it takes a moment), never at start-up. Labels come
in already translated: this module draws, it does not speak. Every post that carries a
chart also says its numbers in words, for screen readers and for platforms without images.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.activity.stats import Stats
from bot.models import MemberStatus


@dataclass(frozen=True, slots=True)
class ChartLabels:
    title: str
    trend: str
    actions: str
    actors: str
    members: str
    active: str
    dormant: str
    funnel: str
    funnel_steps: tuple[str, str, str, str]
    #: category key → name, in the reader's language.
    categories: dict[str, str]
    week_format: str = "%d/%m"


def render(stats: Stats, labels: ChartLabels, timezone: str) -> bytes:
    """Three panels: the 12-week trend, active vs dormant by category, the funnel."""
    import matplotlib

    matplotlib.use("Agg")
    from zoneinfo import ZoneInfo

    from matplotlib.figure import Figure

    zone = ZoneInfo(timezone)
    figure = Figure(figsize=(9, 9), dpi=80, layout="constrained")
    figure.suptitle(labels.title)
    trend, members, funnel = figure.subplots(3, 1)

    weeks = [week.start.astimezone(zone).strftime(labels.week_format) for week in stats.trend]
    trend.bar(weeks, [week.actions for week in stats.trend], color="#4c72b0", label=labels.actions)
    trend.plot(
        weeks,
        [week.actors for week in stats.trend],
        color="#dd8452",
        marker="o",
        label=labels.actors,
    )
    trend.set_title(labels.trend)
    trend.legend(loc="upper left")
    trend.tick_params(axis="x", labelsize=8)

    keys = sorted(stats.by_category, key=lambda key: labels.categories.get(key, key))
    names = [labels.categories.get(key, key) for key in keys]
    active = [stats.active_by_category.get(key, 0) for key in keys]
    dormant = [
        stats.by_category[key].get(MemberStatus.ACTIVE, 0) - acted
        for key, acted in zip(keys, active, strict=True)
    ]
    members.barh(names, active, color="#55a868", label=labels.active)
    members.barh(names, dormant, left=active, color="#c4c4c4", label=labels.dormant)
    members.set_title(labels.members)
    members.legend(loc="lower right")

    steps = [
        stats.funnel.joined,
        stats.funnel.acted_once,
        stats.funnel.acts_monthly,
        stats.funnel.referents,
    ]
    funnel.barh(list(labels.funnel_steps)[::-1], steps[::-1], color="#8172b3")
    for index, value in enumerate(steps[::-1]):
        funnel.annotate(
            str(value), (value, index), xytext=(3, 0), textcoords="offset points", va="center"
        )
    funnel.set_title(labels.funnel)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def weekly(title: str, weeks: list[str], series: dict[str, list[int]], ylabel: str) -> bytes:
    """The weekly chart: actions per category over the last weeks, stacked bars, one
    colour per category, one bar per week."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # Fixed margins: an automatic layout doubles the drawing time.
    figure = Figure(figsize=(8, 4.5), dpi=80)
    figure.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.1)
    axes = figure.subplots()
    bottom = [0] * len(weeks)
    for name, counts in series.items():
        axes.bar(weeks, counts, bottom=bottom, label=name)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelsize=8)
    if series:
        axes.legend(loc="upper left", fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
