"""Two scheduler processes on PostgreSQL: one leads (advisory lock) and runs each
occurrence once; killing it hands the scheduler over to the other.

Processes run in real time, so this test waits for them (a few seconds); the probe job
is due every second.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support.paths import ROOT, WORKERS

WORKER = WORKERS / "scheduler_worker.py"


def lines(log: Path) -> list[tuple[int, str]]:
    if not log.exists():
        return []
    found = []
    for line in log.read_text().splitlines():
        pid, moment = line.split()
        found.append((int(pid), moment))
    return found


async def wait_for(condition, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_one_leader_runs_each_occurrence_once_and_a_kill_hands_over(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs a single process")
    log = tmp_path / "runs.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(WORKER), database_url, str(log)]
    first = await asyncio.create_subprocess_exec(*command, env=env)
    second = None
    try:
        await wait_for(lambda: len(lines(log)) >= 2)
        second = await asyncio.create_subprocess_exec(*command, env=env)
        await asyncio.sleep(3)
        before = lines(log)
        assert {pid for pid, _ in before} == {first.pid}
        assert max(Counter(moment for _, moment in before).values()) == 1
        first.send_signal(signal.SIGKILL)
        await first.wait()
        killed_at = len(lines(log))
        await wait_for(lambda: any(pid == second.pid for pid, _ in lines(log)))
        await asyncio.sleep(2)
        after = lines(log)
        taken = [moment for pid, moment in after[killed_at:]]
        assert {pid for pid, _ in after[killed_at:]} == {second.pid}
        assert len(taken) >= 2
        # Each occurrence once; only the one in flight at the kill may run twice.
        assert sum(n - 1 for n in Counter(m for _, m in after).values()) <= 1
        assert taken == sorted(taken)
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()
