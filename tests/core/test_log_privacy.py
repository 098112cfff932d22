"""What the log record factory keeps of a library's record: its wording, numbers and
error types; never the text it filled in, a multi-line message's details or an error's
message. Relais' own records keep their arguments (ids)."""

from __future__ import annotations

import logging

import pytest

from bot.core import redaction

PERSONAL = "Zéphyrine 06 71 82 93 04"


@pytest.fixture(autouse=True)
def installed() -> None:
    redaction.install()


def test_library_records_keep_their_wording_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    library = logging.getLogger("telegram.ext.ExtBot")
    library.debug("Calling `%s` with `%s` (%d tries)", "sendMessage", {"text": PERSONAL}, 3)
    library.debug("Received %(data)r", {"data": PERSONAL})
    logging.getLogger("asyncio").error(f"Task exception was never retrieved\nfuture: {PERSONAL}")
    try:
        raise ValueError(PERSONAL)
    except ValueError:
        logging.getLogger("discord.client").exception("Ignoring %s", PERSONAL)
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "Calling `<…>` with `<…>` (3 tries)",
        "Received <…>",
        "Task exception was never retrieved [details withheld]",
        "Ignoring <…>",
    ]
    traceback = caplog.records[-1].exc_text or ""
    assert "raise ValueError(PERSONAL)" in traceback and "builtins.ValueError: <…>" in traceback
    assert PERSONAL not in caplog.text


def test_relais_records_keep_their_arguments(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("bot.app").info("update from %s failed", "telegram:1001")
    assert caplog.records[-1].getMessage() == "update from telegram:1001 failed"
