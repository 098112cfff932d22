"""E-mail through the delivery queue against a real SMTP server on loopback: a 4xx is
retried later, a 5xx marks the address unreachable for good, an invalid address too,
and nothing personal reaches the log."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import data
from bot.models import DeliveryStatus
from tests.support.harness import NetworkFactory
from tests.support.mail import (
    SHEET,
    deliveries,
    imported,
    invite,
    mailing,
    member_by_email,
    state_of,
)
from tests.support.smtp import smtp_server


async def test_a_4xx_is_retried_later_and_sent_once(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        mailbox.refuse["bob@example.test"] = [451, 421]
        await invite(network, "business")
        bob = await member_by_email(network, "bob@example.test")
        [row] = [d for d in await deliveries(network) if d.member_id == bob.id]
        assert row.status is DeliveryStatus.PENDING and row.last_error == "smtp 451"
        assert mailbox.to("bob@example.test") == []

        await network.app.sender.drain()  # not due yet: nothing happens
        assert mailbox.to("bob@example.test") == []
        for _ in range(2):
            network.clock.advance(timedelta(minutes=1))
            await network.app.sender.drain()
        assert len(mailbox.to("bob@example.test")) == 1
        [row] = [d for d in await deliveries(network) if d.member_id == bob.id]
        assert row.status is DeliveryStatus.SENT and row.attempts == 3
        state = await state_of(network, "bob@example.test")
        assert state is not None and state.unreachable_at is None


async def test_a_5xx_marks_the_address_unreachable_and_stops_every_later_mail(
    network_factory: NetworkFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        mailbox.refuse["amelie@example.test"] = [550]
        await invite(network)
        amelie = await member_by_email(network, "amelie@example.test")
        [row] = [d for d in await deliveries(network) if d.member_id == amelie.id]
        assert row.status is DeliveryStatus.UNREACHABLE
        state = await state_of(network, "amelie@example.test")
        assert state is not None and state.unreachable_at == network.clock.now()
        assert state.unreachable_reason == "smtp 550"
        assert len(mailbox.received) == 2  # Bob and Dan

        for _ in range(3):  # reminders come to the others, never to her
            network.clock.advance(timedelta(days=8))
            await network.app.on_clock_moved()
        assert mailbox.to("amelie@example.test") == []
        assert len(mailbox.to("bob@example.test")) == 3

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for personal in ("amelie", "Amélie", "Durand", "bob@", "example.test", "Stone"):
        assert personal not in logged, personal


async def test_an_address_that_cannot_be_written_is_unreachable(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        amelie = await member_by_email(network, "amelie@example.test")
        async with network.sessions.begin() as session:
            found = await session.get(type(amelie), amelie.id)
            assert found is not None
            found.email = "amelie@exa\nmple.test"  # hand-edited in the database
        await invite(network, "business")
        [row] = [d for d in await deliveries(network) if d.member_id == amelie.id]
        assert row.status is DeliveryStatus.UNREACHABLE
        assert len(mailbox.received) == 1


async def test_a_new_address_from_the_spreadsheet_is_tried_again(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        mailbox.refuse["amelie@example.test"] = [550]
        await invite(network, "business")
        assert (await state_of(network, "amelie@example.test")) is not None

        fixed = tmp_path / "fixed"
        fixed.mkdir()
        sheet = SHEET.replace("amelie@example.test", "amelie.durand@example.test")
        path = fixed / "members.csv"
        path.write_text(sheet, encoding="utf-8")
        assert await data.import_members(network.settings, path, dry_run=False, update=True) == 0
        assert await state_of(network, "amelie.durand@example.test") is None

        assert await invite(network, "business") == 1
        assert len(mailbox.to("amelie.durand@example.test")) == 1
