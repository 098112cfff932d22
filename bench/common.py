"""What every benchmark shares: the fake server's process, fresh databases, tables."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.core.config import Settings
from bot.core.db import create_engine, upgrade
from tests.support.harness import create_postgres_database, settings_for

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


class FakeProcess:
    """``python -m bench.fake_server`` as a child process, and its control API."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0
        self.token = ""
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> FakeProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.fake_server",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.process.stdout is not None
        hello = json.loads(await self.process.stdout.readline())
        self.port, self.token = int(hello["port"]), str(hello["token"])
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self._http is not None
        url = f"http://127.0.0.1:{self.port}/control/{path}"
        if body is None:
            async with self._http.get(url) as response:
                return await response.json()
        async with self._http.post(url, json=body) as response:
            return await response.json()


# -- databases ------------------------------------------------------------------------


class SqliteFiles:
    """Fresh migrated SQLite files (copies of one migrated template) in a temp folder."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="relais-bench-"))
        self._template: Path | None = None
        self._count = 0

    async def fresh(self) -> str:
        if self._template is None:
            self._template = self.folder / "template.sqlite3"
            engine = create_engine(f"sqlite+aiosqlite:///{self._template}")
            await upgrade(engine)
            await engine.dispose()
        self._count += 1
        path = self.folder / f"run{self._count}.sqlite3"
        shutil.copy(self._template, path)
        return f"sqlite+aiosqlite:///{path}"

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


async def postgres_database(name: str) -> str | None:
    """A new migrated PostgreSQL database, or None when the server is unreachable."""
    import asyncpg

    try:
        return await create_postgres_database(name)
    except (OSError, asyncpg.PostgresError):
        return None


def bench_settings(database_url: str, **env: str) -> Settings:
    return settings_for(database_url, **env)


# -- figures and tables -------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Table:
    """Rows of (name, figures...), printed with aligned columns."""

    title: str
    columns: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([_cell(cell) for cell in cells])

    def render(self) -> str:
        header = list(self.columns)
        widths = [max(len(str(row[i])) for row in [header, *self.rows]) for i in range(len(header))]
        lines = [f"## {self.title}", ""]
        lines.append(
            "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
        )
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for row in self.rows:
            cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.extend(["", *self.notes] if self.notes else [])
        return "\n".join(lines)

    def print(self) -> None:
        print(self.render() + "\n", flush=True)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "n/a"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine() -> str:
    """One paragraph about where the figures come from."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except (OSError, ValueError, IndexError):
        memory = 0
    load = os.getloadavg()
    import sqlalchemy
    import telegram

    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {memory} GiB, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"python-telegram-bot {telegram.__version__}, SQLAlchemy {sqlalchemy.__version__}; "
        f"load average at start {load[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


def peak_rss_mb() -> float:
    """This process's own peak resident memory. ``VmHWM`` where Linux gives it: on Linux
    ``ru_maxrss`` survives ``exec``, so a child started by a big parent (the scale
    benchmark's generator) would report the parent's peak as its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
