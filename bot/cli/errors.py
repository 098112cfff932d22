"""The one way the ``relais`` command reports an operational error: one line on standard
error, through the redaction, and an exit code.

A message is printed, not logged, so the log record factory of :mod:`bot.core.redaction`
never sees it: a library's error that quotes a URL would otherwise print the bot token in
clear. Secrets from the environment are masked even before the settings could be read.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from bot.core import redaction

#: Where the secrets come from before the settings are loaded (see bot.core.config).
SECRET_VARIABLES = (
    "RELAIS_TELEGRAM_TOKEN",
    "RELAIS_TELEGRAM_WEBHOOK_SECRET",
    "RELAIS_DISCORD_TOKEN",
)


def protect_environment() -> None:
    """Mask the secrets the environment holds, whatever the settings file says."""
    redaction.add(value for name in SECRET_VARIABLES if (value := os.environ.get(name)))


def one_line(message: str) -> str:
    """``message`` redacted, on one line (a library's message may span several)."""
    return " ".join(redaction.redact(message).split())


def say(message: str, *, file: TextIO | None = None) -> None:
    """Print a message of the command (a summary, a problem line) through the redaction:
    whatever Relais prints passes it, as whatever it logs does."""
    print(redaction.redact(message), file=file or sys.stdout)


def fail(message: str, code: int = 1, *, stream: TextIO | None = None) -> int:
    """Print ``relais: message`` as one redacted line on standard error; return ``code``."""
    print(f"relais: {one_line(message)}", file=stream or sys.stderr)
    return code
