"""Secrets and personal data never reach a log line, at any level, whoever logs it.

Secrets (tokens, the webhook secret, the database password) are replaced by ``***`` in
every record. Personal data (names, texts, phone numbers, e-mail addresses) is kept out of
records by who logs them: Relais' own loggers (``bot``, ``handlers``, ``jobs``) log ids
only, and SQLAlchemy logs statements without their parameters; every other library
(python-telegram-bot, discord.py, aiohttp, asyncio…) logs whatever it sees, from request
bodies to raw updates, so its records keep their wording but not their arguments: each
argument that is not a number becomes ``<…>`` (an exception, ``<TypeName>``), a message
written out beforehand keeps its first line, and a traceback keeps its frames and
exception types but not the exceptions' messages.

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
import traceback
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from sqlalchemy.engine import make_url

from bot.core.config import Settings

MASK = "***"
#: Shorter strings would mask ordinary words; real secrets are longer.
MIN_SECRET_LENGTH = 6
#: Loggers whose records are known to hold ids, never personal data: Relais' own, and
#: SQLAlchemy's (statements only: Relais' engines hide their parameters).
TRUSTED_LOGGERS = ("bot", "handlers", "jobs", "sqlalchemy", "alembic")
WITHHELD = "<…>"

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
            settings.email_password,
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


def trusted(logger_name: str) -> bool:
    return any(
        logger_name == name or logger_name.startswith(f"{name}.") for name in TRUSTED_LOGGERS
    )


class _Withheld:
    """Stands for an argument, the same through ``%s`` and ``%r``."""

    def __init__(self, text: str = WITHHELD) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _placeholder(value: object) -> object:
    """What stands for one argument of a library's record."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, BaseException):
        return _Withheld(f"<{type(value).__name__}>")
    return _Withheld()


def _withhold(record: logging.LogRecord) -> None:
    """Keep a library's wording, drop what it filled in."""
    args = record.args
    if not args:
        # Written out before logging (asyncio adds the failed task and its exception's
        # text on the lines after the first): the first line says what happened.
        text = str(record.msg)
        if "\n" in text:
            record.msg = text.split("\n", 1)[0] + " [details withheld]"
        return
    if isinstance(args, Mapping):
        masked: object = {key: _placeholder(value) for key, value in args.items()}
    else:
        masked = tuple(_placeholder(value) for value in args)
    try:
        message = str(record.msg) % masked
    except (TypeError, ValueError, KeyError):
        message = f"{record.msg} [arguments withheld]"
    record.msg, record.args = message, None


def _bare_traceback(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None],
) -> str:
    """Frames and exception types, without the messages (they may quote what was sent)."""
    lines = ["Traceback (most recent call last):\n"]
    _, error, tb = exc_info
    lines.extend(traceback.format_tb(tb))
    if error is not None:
        lines.append(f"{type(error).__module__}.{type(error).__qualname__}: {WITHHELD}")
    return "".join(lines)


def install() -> None:
    """Clean every record from now on (idempotent); the app and the CLI call it first."""
    _install()


def _install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        own = trusted(record.name)
        if not own:
            _withhold(record)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            text = (
                logging.Formatter().formatException(record.exc_info)
                if own
                else _bare_traceback(record.exc_info)
            )
            record.exc_text = redact(text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
