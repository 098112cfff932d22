"""Tracked links through the running web server: a browser's visit counts once a day,
crawlers, link previews and HEAD requests never; a wrong code is a plain 404; clicks earn
a capped bonus; and the files the kit keeps are checked by content."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.animation.kit import files
from bot.models import KitClick, KitShare, PointsEntry
from bot.runtime import build_web
from tests.kit.test_kit_chat import ADD
from tests.support.harness import NetworkFactory
from tests.support.paths import EXAMPLE_CONFIG

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120"
OTHER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
ROBOTS = [
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "WhatsApp/2.23.20.0 A",
]


async def test_clicks_through_the_web_server(
    network_factory: NetworkFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    network = network_factory(
        web__public_url="https://relais.test", kit__click_points="1", kit__clicks_per_day="2"
    )
    await network.join("carol")
    await network.join("alice")
    await network.play(ADD)
    await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [Share]")
    async with network.sessions() as session:
        share = await session.scalar(select(KitShare))
        assert share is not None

    async def clicks() -> int:
        async with network.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(KitClick)) or 0)

    async def bonus() -> int:
        async with network.sessions() as session:
            total = await session.scalar(
                select(func.sum(PointsEntry.points)).where(PointsEntry.reason == "kit_click")
            )
            return int(total or 0)

    server = build_web(network.app, port=0)
    await server.start()
    url = f"http://127.0.0.1:{server.port_bound}/r/{share.code}"
    try:
        async with aiohttp.ClientSession() as client:

            async def visit(agent: str, method: str = "GET", forwarded: str = "") -> int:
                headers = {"User-Agent": agent}
                if forwarded:
                    headers["X-Forwarded-For"] = forwarded
                async with client.request(
                    method, url, headers=headers, allow_redirects=False
                ) as answer:
                    if answer.status == 302:
                        assert answer.headers["Location"] == "https://fete.test/2026"
                    return answer.status

            assert await visit(BROWSER) == 302
            assert await clicks() == 1
            assert await visit(BROWSER) == 302  # the same visitor, the same day
            assert await clicks() == 1
            for robot in ROBOTS:
                assert await visit(robot) == 302
            assert await visit(BROWSER, method="HEAD", forwarded="203.0.113.9") == 302
            assert await clicks() == 1
            assert await visit(OTHER) == 302
            assert await visit(OTHER, forwarded="203.0.113.7") == 302
            assert await clicks() == 3
            assert await bonus() == 2  # capped at 2 a day
            network.clock.advance(timedelta(days=1))
            assert await visit(BROWSER) == 302  # a new day
            assert await clicks() == 4 and await bonus() == 3

            english = {"Accept-Language": "en"}
            async with client.get(url[:-3] + "zzz", headers=english) as wrong:
                text = await wrong.text()
                assert wrong.status == 404
                assert "This link is not valid (any more)." in text
                assert "Traceback" not in text and "Error" not in text
    finally:
        await server.stop()
    async with network.sessions() as session:
        stored = list(await session.scalars(select(KitClick.visitor)))
    assert all(len(value) == 64 and "127.0.0.1" not in value for value in stored)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert share.code not in logged and "Mozilla" not in logged
    out = await network.play("@carol /kit\n@carol [Festival of Lights 2026]")
    assert "Reach: 1 shares, 4 clicks, used by 0." in out
    out = await network.play("@carol /stats")
    assert "Kit reach, last 30 days: 1 shares, 4 clicks" in out
    assert "Festival of Lights 2026: 1 / 4" in out


def test_files_are_checked_by_content(network_factory: NetworkFactory, tmp_path: Path) -> None:
    network = network_factory(kit__files_dir=str(tmp_path / "kit"))
    settings = network.settings
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    name, kind = files.store(settings, png)
    assert kind == "png" and files.read(settings, name) == png
    assert files.sniff(b"%PDF-1.7\n...") == "pdf"
    assert files.sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"
    for program in (b"MZ\x90\0" + b"\0" * 60, b"\x7fELF\x02\x01\x01" + b"\0" * 9, b"#!/bin/sh\n"):
        with pytest.raises(files.FileRefused) as refused:
            files.store(settings, program)  # whatever its name says
        assert refused.value.reason == "wrong_type"
    with pytest.raises(files.FileRefused):
        files.check(settings, png + b"\0" * (settings.kit.max_file_mb * 1024 * 1024))
    assert files.read(settings, "../relais.sqlite3") is None


async def test_relais_kit_add_checks_the_file_by_content(
    network_factory: NetworkFactory, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "files"
    folder_env = {"RELAIS_KIT__FILES_DIR": str(folder)}
    program = tmp_path / "poster.png"
    program.write_bytes(b"MZ\x90\x00" + b"\0" * 200)  # a Windows program, renamed
    refused = await relais_with(database_url, folder_env, "kit", "add", "--kind", "visual",
                                "--title", "Poster", "--file", str(program))  # fmt: skip
    assert refused.returncode != 0
    assert b"judged by the file's content" in refused.stderr
    assert not folder.exists() or not any(folder.iterdir())
    poster = tmp_path / "poster.bin"
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "PNG")
    poster.write_bytes(image.getvalue())
    added = await relais_with(database_url, folder_env, "kit", "add", "--kind", "visual",
                              "--title", "Poster", "--text-en", "The 2026 poster.",
                              "--file", str(poster))  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert b"kit item #1 added with its png file" in added.stdout
    network = network_factory(kit__files_dir=str(folder))
    await network.join("alice")
    out = await network.play("@alice /kit\n@alice [Poster]")
    assert "The 2026 poster." in out and "[image: " in out


async def relais_with(
    database_url: str, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[bytes]:
    """``relais`` as a subprocess with more environment than ``tests.support.cli``'s."""
    environment = {**os.environ, "RELAIS_DATABASE_URL": database_url, **env}
    command = [sys.executable, "-m", "bot", "--config", str(EXAMPLE_CONFIG), *args]
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, env=environment, check=False, timeout=120
    )
