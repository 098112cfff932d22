"""Unsubscribing stops every e-mail, for good: the one-click link through the running web
server (a real HTTP request, RFC 8058), its confirmation page, and the mailto way (the
reply address's reader runs ``relais unsubscribe``)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.core.port import Address, Message
from bot.delivery import queue
from bot.models import DeliveryStatus
from bot.runtime import build_web
from tests.support.cli import relais
from tests.support.harness import NetworkFactory
from tests.support.mail import deliveries, imported, invite, mailing, member_by_email, state_of
from tests.support.smtp import smtp_server


async def test_one_click_through_the_web_server_stops_everything(
    network_factory: NetworkFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        await invite(network, "business")
        [mail] = mailbox.to("amelie@example.test")
        state = await state_of(network, "amelie@example.test")
        assert state is not None
        url = f"https://relais.test/u/{state.token}"
        assert url in mail["List-Unsubscribe"]
        amelie = await member_by_email(network, "amelie@example.test")

        # A newsletter queued before she unsubscribes, not sent yet.
        async with network.sessions.begin() as session:
            await queue.enqueue(
                session,
                network.clock.now(),
                "newsletter:1",
                [
                    queue.Planned(
                        key=f"newsletter:1:{amelie.id}",
                        address=Address("email", str(amelie.id)),
                        message=Message("Nouvelles\nLe programme du mois.", language="fr"),
                        private=True,
                        member_id=amelie.id,
                    )
                ],
            )

        server = build_web(network.app, port=0)
        await server.start()
        base = f"http://127.0.0.1:{server.port_bound}"
        try:
            async with aiohttp.ClientSession() as client:
                async with client.get(f"{base}/u/{state.token}") as page:
                    html = await page.text()
                    assert page.status == 200
                    assert page.headers["X-Frame-Options"] == "DENY"
                    assert page.headers["Referrer-Policy"] == "no-referrer"
                    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
                    assert page.headers["Cache-Control"] == "no-store"
                assert 'lang="fr"' in html and "Me désinscrire" in html
                assert '<form method="post">' in html
                # Opening the page changed nothing (mail scanners open links).
                again = await state_of(network, "amelie@example.test")
                assert again is not None and again.unsubscribed_at is None

                async with client.post(
                    f"{base}/u/{state.token}",
                    data="List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                ) as done:
                    assert done.status == 200
                    assert done.headers["X-Content-Type-Options"] == "nosniff"
                english = {"Accept-Language": "en-GB,en;q=0.8"}
                async with client.get(f"{base}/u/not-a-token", headers=english) as unknown:
                    assert unknown.status == 404
                    assert "This link is not valid (any more)." in await unknown.text()
                    assert unknown.headers["X-Frame-Options"] == "DENY"
        finally:
            await server.stop()

        after = await state_of(network, "amelie@example.test")
        assert after is not None and after.unsubscribed_at == network.clock.now()
        await network.app.sender.drain()
        [newsletter] = [d for d in await deliveries(network) if d.batch == "newsletter:1"]
        assert newsletter.status is DeliveryStatus.FAILED
        assert newsletter.last_error == "unsubscribed"
        for _ in range(3):
            network.clock.advance(timedelta(days=8))
            await network.app.on_clock_moved()
        assert len(mailbox.to("amelie@example.test")) == 1  # the invitation, nothing after
        assert len(mailbox.to("bob@example.test")) == 3

    access = [r.getMessage() for r in caplog.records if r.name == "bot.web.access"]
    assert any("POST /u/{token} 200" in line for line in access)
    assert not any(state.token in r.getMessage() for r in caplog.records)


async def test_the_confirmation_button_unsubscribes_in_the_persons_language(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        await invite(network, "business")
        state = await state_of(network, "bob@example.test")
        assert state is not None
        server = build_web(network.app, port=0)
        await server.start()
        try:
            async with aiohttp.ClientSession() as client:
                url = f"http://127.0.0.1:{server.port_bound}/u/{state.token}"
                async with client.post(url, data={}) as answer:
                    assert answer.status == 200
                    assert "you will receive no more e-mail from Lyon Ambassadors" in (
                        await answer.text()
                    )
                async with client.get(url) as page:
                    assert "you will receive no more e-mail" in await page.text()
        finally:
            await server.stop()
        after = await state_of(network, "bob@example.test")
        assert after is not None and after.unsubscribed_at is not None


async def test_mailto_unsubscribe_by_hand_stops_everything(
    network_factory: NetworkFactory, tmp_path: Path, database_url: str
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        await invite(network, "business")
        assert "<mailto:team@relais.test?subject=unsubscribe>" in str(
            mailbox.to("bob@example.test")[0]["List-Unsubscribe"]
        )
        done = await relais(database_url, "unsubscribe", "BOB@example.test")
        assert done.returncode == 0, done.stderr
        assert b"unsubscribed" in done.stdout
        unknown = await relais(database_url, "unsubscribe", "nobody@example.test")
        assert unknown.returncode == 1 and b"no member has this address" in unknown.stderr
        for _ in range(3):
            network.clock.advance(timedelta(days=8))
            await network.app.on_clock_moved()
        assert len(mailbox.to("bob@example.test")) == 1
        assert len(mailbox.to("amelie@example.test")) == 3
