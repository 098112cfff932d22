"""``relais run`` sends e-mail and serves the web pages when they are configured: the
process's background attaches the e-mail platform before its sender starts, and starts
the web server on ``[web] listen``."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from bot.mailing import invitations
from bot.runtime import Background
from tests.support.harness import NetworkFactory
from tests.support.mail import imported, member_by_email, relais_process, relais_with
from tests.support.smtp import email_env, free_port, smtp_server, text_part


async def test_the_background_sends_e_mail_and_serves_the_web_pages(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    port = free_port()
    with smtp_server() as mailbox:
        network = network_factory(**email_env(mailbox), web__listen=f"127.0.0.1:{port}")
        await imported(network, tmp_path)
        background = Background(network.app)
        await background.start()
        try:
            assert "email" in network.app.platforms
            url = f"http://127.0.0.1:{port}/u/unknown"
            async with aiohttp.ClientSession() as client, client.get(url) as answer:
                assert answer.status == 404
            # What `relais invite` queued is sent by the running process's sender.
            async with network.sessions.begin() as session:
                members = await invitations.first_invitations(session, "sport")
                await invitations.enqueue(
                    session,
                    members,
                    now=network.clock.now(),
                    settings=network.settings,
                    translator=network.app.translator,
                    links=invitations.Links(),
                )
            await network.app.sender.drain()
            dan = await member_by_email(network, "dan@example.test")
            # The background's own sender may hold the row: wait for the server to have it.
            [mail] = await asyncio.to_thread(mailbox.wait_for, "dan@example.test")
            assert f"/start code:{dan.invite_code}" in text_part(mail)
            assert "t.me" not in text_part(mail)  # no bot username known: no link
        finally:
            await background.stop()


async def test_relais_web_serves_alone_until_told_to_stop(
    network_factory: NetworkFactory, database_url: str
) -> None:
    network_factory()  # the database, migrated
    code, _, err = await relais_with(database_url, {}, "web")
    assert code == 2 and "set [web] listen" in err
    port = free_port()
    process = await relais_process(database_url, {"RELAIS_WEB__LISTEN": f"127.0.0.1:{port}"}, "web")
    try:
        status = None
        async with aiohttp.ClientSession() as client:
            for _ in range(1000):  # until the real process listens
                try:
                    async with client.get(f"http://127.0.0.1:{port}/u/nope") as answer:
                        status = answer.status
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.02)
        assert status == 404
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
