"""Operational failures through the real ``relais`` command: one line on standard error
that says what is wrong and what to do, no traceback, a non-zero exit code; and no
secret in clear on standard error, whatever failed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLE_CONFIG, ROOT

TOKEN = "123456:AAH-secret-token-of-the-bot_xyz"


def relais(
    *args: str,
    database: str,
    config: Path = EXAMPLE_CONFIG,
    cwd: Path | None = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("RELAIS_") or key == "RELAIS_REQUIRE_POSTGRES"
    }
    environ.update(RELAIS_DATABASE_URL=database, **env)
    if cwd is not None:
        environ["PYTHONPATH"] = str(cwd)
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        input="",
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("relais: ")
    for word in words:
        assert word in lines[0], lines[0]


COMMANDS = (("db", "upgrade"), ("console",), ("export", "members"), ("run",))


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_postgresql_down_is_one_line(command: tuple[str, ...]) -> None:
    result = relais(*command, database="postgresql+asyncpg://relais@127.0.0.1:9/relais")
    one_line(result, 4, "cannot connect to PostgreSQL at 127.0.0.1:9", "start it")


def test_postgresql_database_missing_or_host_unknown_is_one_line() -> None:
    missing = relais(
        "db", "upgrade", database="postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_db_x"
    )
    one_line(missing, 4, '"no_such_db_x" does not exist', "create it")
    unknown = relais("db", "upgrade", database="postgresql+asyncpg://u@no-such-host.invalid/r")
    one_line(unknown, 4, "cannot find the host 'no-such-host.invalid'")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_sqlite_folder_missing_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'relais.sqlite3'}"
    one_line(relais(*command, database=url), 4, "does not exist; create it")


def test_sqlite_folder_or_read_only_file_is_one_line(tmp_path: Path) -> None:
    folder = relais("db", "upgrade", database=f"sqlite+aiosqlite:///{tmp_path}")
    one_line(folder, 4, "names a folder")
    path = tmp_path / "read-only.sqlite3"
    sqlite3.connect(path).close()
    read_only = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    for command in (("db", "upgrade"), ("console",)):
        one_line(relais(*command, database=read_only), 4, "is read-only", "let Relais write")


def test_a_binary_file_or_a_folder_as_config_is_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "config.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}"
    one_line(relais("db", "upgrade", database=url, config=binary), 2, "not a text file")
    one_line(relais("db", "upgrade", database=url, config=tmp_path), 2, "is a folder")


def copy_of_relais(tmp_path: Path) -> Path:
    copy = tmp_path / "install"
    for folder in ("bot", "handlers", "jobs", "locale"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_broken_catalog_is_one_line(tmp_path: Path, damage: str) -> None:
    copy = copy_of_relais(tmp_path)
    catalog = copy / "locale" / "fr" / "LC_MESSAGES" / "relais.po"
    if damage == "missing":
        catalog.unlink()
    else:
        catalog.write_bytes(catalog.read_bytes()[:5000] + b'\nmsgid "unterminated\n\xff\xfe')
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}"
    result = relais("console", database=url, cwd=copy)
    one_line(result, 5, "fr translation catalog", "reinstall Relais")


@pytest.mark.parametrize("base_url", ["http:///bot", "http://bad host/bot"])
def test_a_malformed_bot_api_url_never_prints_the_token(tmp_path: Path, base_url: str) -> None:
    result = relais(
        "run",
        database=f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}",
        RELAIS_TELEGRAM_TOKEN=TOKEN,
        RELAIS_TELEGRAM__API_BASE_URL=base_url,
    )
    assert TOKEN not in result.stderr and TOKEN not in result.stdout
    assert "AAH-secret" not in result.stderr
    assert result.returncode in (2, 3), result.stderr
    one_line(result, result.returncode)


@pytest.mark.parametrize("speedup", ["inf", "nan", "-1", "0", "1e308"])
def test_a_speedup_that_turns_pacing_off_is_refused(tmp_path: Path, speedup: str) -> None:
    result = relais(
        "db",
        "upgrade",
        database=f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}",
        RELAIS_DELIVERY__SPEEDUP=speedup,
    )
    one_line(result, 2, "delivery.speedup")
