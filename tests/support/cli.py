"""Running the real ``relais`` command line against a test database, and reading its CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys

from tests.support.paths import EXAMPLE_CONFIG


async def relais(database_url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "RELAIS_DATABASE_URL": database_url}
    env.pop("RELAIS_TELEGRAM_TOKEN", None)
    env.pop("RELAIS_DISCORD_TOKEN", None)
    command = [sys.executable, "-m", "bot", "--config", str(EXAMPLE_CONFIG), *args]
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, env=env, check=False, timeout=120
    )


def read_csv(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
