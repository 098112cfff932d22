"""What a newcomer meets first, through the real command: the interactive console in a
pseudo-terminal (banner, line editing, history), ``make run`` picking config.toml, a
folder with no settings file, standard input that is not a terminal, a wrong environment
override, ``export --since`` in the bot's date form."""

from __future__ import annotations

import http.server
import os
import pty
import select
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLE_CONFIG, ROOT

UP, LEFT = "\x1b[A", "\x1b[D"


def _environ(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(extra)
    return environ


class Terminal:
    """``relais console`` in a pseudo-terminal: what a person at a keyboard sees."""

    def __init__(self, tmp_path: Path) -> None:
        self.master, slave = pty.openpty()
        url = f"sqlite+aiosqlite:///{tmp_path / 'tty.sqlite3'}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(EXAMPLE_CONFIG), "console"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=_environ(
                RELAIS_DATABASE_URL=url,
                TERM="xterm",
                # No terminal answers cursor position requests in a test.
                PROMPT_TOOLKIT_NO_CPR="1",
                COLUMNS="200",
                LINES="50",
            ),
            cwd=tmp_path,
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""
        self.position = 0

    def expect(self, text: str, timeout: float = 60) -> str:
        """Read until ``text`` appears after what earlier calls matched; the output from
        there to the end of ``text``."""
        deadline = time.monotonic() + timeout
        start = self.position
        while (found := self.seen.find(text, start)) < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} not seen in {self.seen[start:]!r}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536).decode("utf-8", "replace")
                except OSError:  # the other side closed
                    raise AssertionError(f"{text!r} not seen in {self.seen[start:]!r}") from None
        self.position = found + len(text)
        return self.seen[start : self.position]

    def prompt(self) -> None:
        """Wait for the prompt: prompt_toolkit turns bracketed paste on as it starts one."""
        self.expect("\x1b[?2004h")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> int:
        try:
            return self.process.wait(timeout=30)
        finally:
            os.close(self.master)


def test_the_console_in_a_terminal_edits_lines_and_recalls_them(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    try:
        banner = terminal.expect("/quit")
        assert "settings: " in banner and str(EXAMPLE_CONFIG) in banner
        assert "database: sqlite+aiosqlite:///" in banner and "@carol" in banner
        assert "@rita" in banner and "[3.2]" in banner and "~ +7d" in banner
        terminal.prompt()
        terminal.type("@alice /start\r")
        first = terminal.expect("Français")
        assert "→ @alice:" in first and "^[[A" not in first
        terminal.prompt()
        # History: the up arrow brings the last line back.
        terminal.type(UP + "\r")
        assert "Français" in terminal.expect("(message 2)")
        terminal.prompt()
        # Line editing: a letter forgotten, the cursor moved back, the letter inserted.
        terminal.type("@bob /hep" + LEFT + "l\r")
        helped = terminal.expect("/cancel")  # the help, not "unknown command"
        assert "→ @bob:" in helped and "[D" not in helped and "inconnue" not in helped
        terminal.type("/quit\r")
        assert terminal.close() == 0
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()


def _make_n(folder: Path) -> str:
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    (folder / "pyproject.toml").touch()  # what the virtual environment is made from
    result = subprocess.run(
        ["make", "-n", "run"], cwd=folder, capture_output=True, text=True, check=True
    )
    return next(line for line in result.stdout.splitlines() if line.rstrip().endswith(" run"))


def test_make_run_uses_config_toml_when_there_is_one(tmp_path: Path) -> None:
    assert "--config config.example.toml run" in _make_n(tmp_path)
    (tmp_path / "config.toml").write_text("")
    assert "--config config.toml run" in _make_n(tmp_path)


def _relais(cwd: Path, *args: str, input: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=input,
        capture_output=True,
        text=True,
        env=_environ(**env),
        cwd=cwd,
        check=False,
        timeout=120,
    )


def test_a_folder_without_settings_runs_on_built_in_defaults(tmp_path: Path) -> None:
    result = _relais(tmp_path, "console", input="@carol /stats\n")
    assert result.returncode == 0, result.stderr
    assert "built-in defaults" in result.stderr and "not found" not in result.stderr
    assert "→ @carol:" in result.stdout and (tmp_path / "relais.sqlite3").exists()


def test_the_built_in_defaults_agree_with_the_example() -> None:
    from bot.core.config import load_settings
    from bot.core.defaults import built_in

    example, defaults = load_settings(EXAMPLE_CONFIG, {}), built_in({})
    assert defaults.network == example.network and defaults.roles == example.roles
    assert defaults.categories == example.categories and defaults.levels == example.levels


def test_console_with_nothing_on_standard_input_says_so(tmp_path: Path) -> None:
    result = _relais(tmp_path, "--config", str(EXAMPLE_CONFIG), "console")
    assert result.returncode == 1
    assert result.stderr.startswith("relais: nothing to read: standard input is not a terminal")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("RELAIS_NETWORK__REGISTRATION", "approvals"), ("RELAIS_NUDGES__DORMANT_DAYS", "soon")],
)
def test_a_wrong_environment_override_names_its_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = _relais(
        tmp_path, "--config", str(EXAMPLE_CONFIG), "db", "upgrade", **{variable: value}
    )
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.startswith(f"relais: config error: {variable}: "), line
    assert "config.example.toml" not in line


def test_export_since_takes_the_day_as_the_bot_writes_it(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'e.sqlite3'}"
    common = ("--config", str(EXAMPLE_CONFIG), "export", "members", "--since")
    french = _relais(tmp_path, *common, "04/03/2026", RELAIS_DATABASE_URL=url)
    iso = _relais(tmp_path, *common, "2026-03-04", RELAIS_DATABASE_URL=url)
    assert french.returncode == iso.returncode == 0, french.stderr
    assert french.stdout == iso.stdout
    wrong = _relais(tmp_path, *common, "32/03/2026", RELAIS_DATABASE_URL=url)
    assert wrong.returncode == 2 and "write 2026-03-04 or 04/03/2026" in wrong.stderr


def test_save_through_the_command_writes_the_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}"
    joins = "@alice /start\n@alice [English]\n@alice [1]\n@alice [Business]\n@alice [Skip]\n"
    script = joins + "@alice /mydata\n"
    result = _relais(
        tmp_path,
        *("--config", str(EXAMPLE_CONFIG), "console", "--save", "charts"),
        input=script,
        RELAIS_DATABASE_URL=url,
    )
    assert result.returncode == 0, result.stderr
    saved = [line for line in result.stdout.splitlines() if "saved as charts/" in line]
    assert len(saved) == 1, result.stdout
    path = tmp_path / saved[0].split("saved as ")[1].rstrip("]")
    assert b'"Alice"' in path.read_bytes() and path.suffix == ".json"


class _ErrorPage(http.server.BaseHTTPRequestHandler):
    """A server that is not the Bot API: a proxy's or captive portal's HTML error page."""

    def do_POST(self) -> None:
        body = b"<html><body><h1>502 Bad Gateway</h1>" + b"<p>padding</p>" * 200 + b"</body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.mark.parametrize("server", ["refused", "error page"])
def test_an_unreachable_bot_api_is_one_short_line(tmp_path: Path, server: str) -> None:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ErrorPage)
    port = httpd.server_address[1]
    if server == "refused":
        httpd.server_close()
    else:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        result = _relais(
            tmp_path,
            *("--config", str(EXAMPLE_CONFIG), "run"),
            RELAIS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'b.sqlite3'}",
            RELAIS_TELEGRAM_TOKEN="123456:AAH-not-a-real-token",
            RELAIS_TELEGRAM__API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        )
    finally:
        if server != "refused":
            httpd.shutdown()
            httpd.server_close()
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relais: telegram: "), result.stderr
    assert len(lines[0]) < 400 and "Unclosed" not in result.stderr
