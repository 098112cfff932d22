"""``python -m bench.import_memory``: the peak memory of ``relais import members`` as the
file grows, and against another tree's code (issue #15: a million rows held ~770 MB).

Each import runs in its own ``relais`` process on a fresh SQLite database; its peak RSS
comes from ``wait4``. The figures are ratios to the same run's baseline (a 10-row import:
Python, SQLAlchemy and the migrations), so a busy machine moves them little.
``BENCH_IMPORT_ROWS`` sets the large file (default 200,000 rows; the middle one is a tenth
of it); ``BENCH_IMPORT_BEFORE=/path/to/tree`` also runs that tree's code (e.g. ``git
archive <commit> | tar -x -C /tmp/before``) on the same files, for a before/after.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Table

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "200000"))
CATEGORIES = ("business", "tourism", "research", "sport", "citizens")


def write_file(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("name,email,phone,category,language,role\r\n")
        for i in range(rows):
            role = "referent" if i % 500 == 0 else "member"
            out.write(
                f"Person {i},person{i}@example.org,06{i:08d},{CATEGORIES[i % 5]},"
                f"{'fr' if i % 3 else 'en'},{role}\r\n"
            )
    return path


def run_import(tree: Path, source: Path, database: Path) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of one import by the code of ``tree``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "RELAIS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }
    for name in ("RELAIS_TELEGRAM_TOKEN", "RELAIS_DISCORD_TOKEN"):
        env.pop(name, None)
    command = [sys.executable, "-m", "bot", "--config", str(tree / "config.example.toml")]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "import", "members", str(source)],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        assert process.stderr is not None
        raise RuntimeError(f"import failed in {tree}: {process.stderr.read().decode()[-500:]}")
    return usage.ru_maxrss / 1024, elapsed


def measure() -> Table:
    """Every import of the table, one after the other (blocking: run in a thread)."""
    trees = [("this tree", ROOT)]
    if os.environ.get("BENCH_IMPORT_BEFORE"):
        trees.append(("before", Path(os.environ["BENCH_IMPORT_BEFORE"]).resolve()))
    table = Table(
        f"Import memory ({ROWS:,} rows)",
        ["code", "rows", "peak RSS MB", "× 10-row baseline", "MB per 100k rows", "seconds"],
    )
    with tempfile.TemporaryDirectory() as folder:
        files = {n: write_file(Path(folder) / f"{n}.csv", n) for n in (10, ROWS // 10, ROWS)}
        for label, tree in trees:
            base = 0.0
            for count, source in files.items():
                database = Path(folder) / f"{label.replace(' ', '_')}-{count}.sqlite3"
                peak, seconds = run_import(tree, source, database)
                base = base or peak
                per_row = (peak - base) / count * 100_000 if count > 10 else float("nan")
                table.add(label, count, peak, peak / base, per_row, seconds)
    table.notes.append(
        "Each import is its own process on a fresh SQLite file; peak RSS from wait4. "
        "The time is informational (the machine is shared)."
    )
    return table


async def main() -> Table:
    table = await asyncio.to_thread(measure)
    table.print()
    return table


if __name__ == "__main__":
    asyncio.run(main())
