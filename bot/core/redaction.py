"""Secrets never reach a log line: tokens, the webhook secret and the database password
are replaced by ``***`` in every record, whoever logs it.

Libraries log what they see: the HTTP transport under python-telegram-bot logs each
request's URL (:mod:`bot.platforms.telegram.http`, at DEBUG), and the Bot API puts the
token in the URL. A filter on one logger would miss the
next library, so the redaction sits in the log record factory: a record's message (and
its traceback, formatted once here) is cleaned when the record is made, before any
handler — ours, pytest's, a user's — formats it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import make_url

from bot.core.config import Settings

MASK = "***"
#: Shorter strings would mask ordinary words; real secrets are longer.
MIN_SECRET_LENGTH = 6

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def protect(settings: Settings) -> None:
    """Mask this configuration's secrets in every log record from now on."""
    values = [
        secret.get_secret_value()
        for secret in (
            settings.telegram_token,
            settings.telegram_webhook_secret,
            settings.discord_token,
        )
        if secret is not None
    ]
    try:
        password = make_url(settings.database.url).password
    except Exception:  # an unparsable URL holds no password we could find
        password = None
    if password:
        values.append(str(password))
    add(values)


def add(values: Iterable[str]) -> None:
    with _lock:
        _secrets.update(value for value in values if len(value) >= MIN_SECRET_LENGTH)
    _install()


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not _secrets:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
