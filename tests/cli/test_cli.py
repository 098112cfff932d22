"""The ``relais`` command end to end: a transcript replayed by the real CLI on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import EXAMPLE_CONFIG

TRANSCRIPT = """\
# alice joins and reports a mention
@alice /start
@alice [English]
@alice [I agree]
@alice [Tourism & culture]
@alice [Skip]
@alice /report
@alice [1]
@alice [Blog]
@alice https://blog.test/lyon-food
~ +1h
@alice #tourism /leaderboard
"""


def run_cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RELAIS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"}
    env.pop("RELAIS_TELEGRAM_TOKEN", None)
    env.pop("RELAIS_DISCORD_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(EXAMPLE_CONFIG), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_console_replays_a_transcript_from_stdin(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "console", "--start", "2026-03-04T10:00+01:00", stdin=TRANSCRIPT)
    assert result.returncode == 0, result.stderr
    assert "→ @alice: Welcome to the Tourism & culture ambassadors!" in result.stdout
    assert "+3 points" in result.stdout
    assert "→ #tourism: Leaderboard — Tourism & culture — this week" in result.stdout
    assert "1. Alice — 3" in result.stdout


def test_console_script_and_restart_keep_state(tmp_path: Path) -> None:
    script = tmp_path / "first.txt"
    script.write_text(TRANSCRIPT)
    assert run_cli(tmp_path, "console", "--script", str(script)).returncode == 0
    again = run_cli(tmp_path, "console", stdin="@alice /me\n")
    assert "Points: 3 this week" in again.stdout


def test_run_without_tokens_uses_the_console(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", stdin="@zoe /help\n")
    assert result.returncode == 0, result.stderr
    assert "/start" in result.stdout


def test_unreadable_transcript_line_fails(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "console", stdin="hello there\n")
    assert result.returncode == 1
    assert "start with @name" in result.stderr
