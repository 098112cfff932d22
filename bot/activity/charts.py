"""The charts Relais posts, each one PNG drawn headless with matplotlib's Agg backend: the
/stats chart (:func:`render`) and the weekly posts' actions per category (:func:`weekly`).

matplotlib is imported on first use (it takes a moment), never at start-up. Labels come
in already translated: this module draws, it does not speak. A week that is not over is
never drawn like the others (it would read as a drop): the /stats trend draws the current
week hatched and pale, labelled as partial; the weekly posts draw complete weeks only.
Every post that carries a chart also says its numbers in words, for screen readers and for
platforms without images.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.activity.stats import Stats, Week

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True, slots=True)
class ChartLabels:
    title: str
    trend: str
    actions: str
    actors: str
    members: str
    active: str
    dormant: str
    never_activated: str
    #: The legend of the current, unfinished week.
    partial: str
    funnel: str
    funnel_steps: tuple[str, str, str, str]
    #: category key → name, in the reader's language.
    categories: dict[str, str]
    week_format: str = "%d/%m"
    #: The reach series' legend: clicks on shared kit links (drawn when there are any).
    clicks: str = ""


def render(stats: Stats, labels: ChartLabels, timezone: str) -> bytes:
    """Three panels: the 12-week trend, active vs dormant by category, the funnel."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    zone = ZoneInfo(timezone)
    figure = Figure(figsize=(9, 9), dpi=80, layout="constrained")
    figure.suptitle(labels.title)
    trend, members, funnel = figure.subplots(3, 1)

    draw_trend(trend, stats.trend, labels, zone)

    keys = sorted(stats.by_category, key=lambda key: labels.categories.get(key, key))
    names = [labels.categories.get(key, key) for key in keys]
    active = [stats.active_by_category.get(key, 0) for key in keys]
    dormant = [stats.dormant_in(key) for key in keys]
    never = [stats.never_activated_by_category.get(key, 0) for key in keys]
    members.barh(names, active, color="#55a868", label=labels.active)
    members.barh(names, dormant, left=active, color="#c4c4c4", label=labels.dormant)
    members.barh(
        names,
        never,
        left=[a + d for a, d in zip(active, dormant, strict=True)],
        color="#eeeeee",
        hatch="..",
        label=labels.never_activated,
    )
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


def draw_trend(axes: Axes, trend: Sequence[Week], labels: ChartLabels, zone: ZoneInfo) -> None:
    """Actions (bars) and members who acted (line) per week, and the kit's reach (clicks
    on shared links, a dashed line on its own axis) when there is any; the current week,
    not over, hatched and pale with its own legend entry, its point left off the lines."""
    weeks = [week.start.astimezone(zone).strftime(labels.week_format) for week in trend]
    done = [(name, week) for name, week in zip(weeks, trend, strict=True) if week.complete]
    partial = [(name, week) for name, week in zip(weeks, trend, strict=True) if not week.complete]
    axes.bar(
        [name for name, _ in done],
        [week.actions for _, week in done],
        color="#4c72b0",
        label=labels.actions,
    )
    if partial:
        axes.bar(
            [name for name, _ in partial],
            [week.actions for _, week in partial],
            color="#4c72b0",
            alpha=0.35,
            hatch="//",
            label=labels.partial,
        )
    axes.plot(
        [name for name, _ in done],
        [week.actors for _, week in done],
        color="#dd8452",
        marker="o",
        label=labels.actors,
    )
    axes.set_title(labels.trend)
    handles, names = axes.get_legend_handles_labels()
    if any(week.clicks for week in trend):
        # Clicks live on another scale than actions: their own axis, on the right.
        reach = axes.twinx()
        reach.plot(
            [name for name, _ in done],
            [week.clicks for _, week in done],
            color="#55a868",
            linestyle="--",
            marker="s",
            label=labels.clicks,
        )
        reach.set_ylim(bottom=0)
        reach.tick_params(axis="y", labelsize=8, colors="#55a868")
        more_handles, more_names = reach.get_legend_handles_labels()
        handles, names = handles + more_handles, names + more_names
    axes.legend(handles, names, loc="upper left")
    axes.tick_params(axis="x", labelsize=8)


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
