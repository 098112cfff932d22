"""A small progress line on standard error for long CLI work (import, export, demo).

Shown only on a terminal by default, so that scripts and CI logs stay clean; it redraws
at most ten times a second and ends with a newline.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 24


class Progress:
    def __init__(
        self, label: str, total: int, *, stream: TextIO | None = None, enabled: bool | None = None
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._drawn_at = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn_at >= 0.1 or self.done >= self.total:
            self._drawn_at = now
            self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        share = min(1.0, self.done / self.total) if self.total else 1.0
        bar = "#" * round(WIDTH * share)
        line = f"\r{self.label} [{bar:<{WIDTH}}] {self.done}/{self.total} {share:4.0%}"
        self.stream.write(line)
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
