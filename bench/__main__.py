"""``python -m bench [update_path|broadcast|broadcast_paid|scale|import_memory|flood|burst|
processes|desk ...]``: run the benchmarks, print their tables, and write them with the
machine's description to
``bench/last_run.md``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bench import broadcast, burst, desk, flood, import_memory, processes, scale, update_path
from bench.common import Table, machine

BENCHMARKS = {
    "update_path": update_path.main,
    "broadcast": broadcast.main,
    "broadcast_paid": broadcast.main_paid,
    "scale": scale.main,
    "import_memory": import_memory.main,
    "flood": flood.main,
    "burst": burst.main,
    "processes": processes.main,
    "desk": desk.main,
}


async def main(names: list[str]) -> None:
    description = machine()
    print(f"# Relais benchmarks\n\n{description}\n", flush=True)
    tables: list[Table] = []
    for name in names:
        tables.append(await BENCHMARKS[name]())
    output = Path(__file__).with_name("last_run.md")
    output.write_text(
        "# Relais benchmarks (last run)\n\n"
        + description
        + "\n\n"
        + "\n\n".join(table.render() for table in tables)
        + "\n",
        encoding="utf-8",
    )
    print(f"written to {output}")


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    asyncio.run(main(chosen))
