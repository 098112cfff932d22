"""The job table: which jobs exist, their default schedules and the one-off kinds.

The composition root (:mod:`bot.runtime`) hands the app the table built by the top-level
``jobs`` package; :mod:`bot.scheduling.runner` reads it from the app. Nothing here knows a
job, so the runner never imports the jobs it runs (and they may import the runner).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

#: What a job receives: the app, in practice (the table does not name it, to stay below it).
A = TypeVar("A")


@dataclass(frozen=True)
class JobTable(Generic[A]):
    """Job id → ``run(app)``, in registry order (it breaks ties between jobs due at the same
    instant); job id → default schedule when config names none (absent: every minute);
    one-off kind → ``run(app, args)``."""

    jobs: dict[str, Callable[[A], Awaitable[None]]] = field(default_factory=dict)
    schedules: dict[str, str] = field(default_factory=dict)
    one_off: dict[str, Callable[[A, dict[str, Any]], Awaitable[None]]] = field(default_factory=dict)
