"""The weekly chart: actions per category over the last weeks, as one PNG.

Drawn headless (matplotlib's Agg backend, imported on first use so start-up stays
fast). Labels arrive translated: this module draws, it does not speak. Every post that
carries the chart also says its numbers in words, for screen readers and for platforms
without images.
"""

from __future__ import annotations

import io


def render(title: str, weeks: list[str], series: dict[str, list[int]], ylabel: str) -> bytes:
    """Stacked bars, one colour per category, one bar per week."""
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
