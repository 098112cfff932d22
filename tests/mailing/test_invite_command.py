"""``relais invite`` and ``relais export invitations`` as people run them: real
processes, a real SMTP server on loopback; a process killed mid-run sends nothing twice."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from bot.models import Delivery, DeliveryStatus
from tests.support.cli import read_csv, relais
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import NetworkFactory
from tests.support.mail import (
    deliveries,
    env_of,
    imported,
    relais_process,
    relais_with,
)
from tests.support.smtp import smtp_server


async def test_dry_run_counts_and_shows_one_invitation_and_sends_nothing(
    network_factory: NetworkFactory, tmp_path: Path, database_url: str
) -> None:
    network = network_factory()
    await imported(network, tmp_path)
    with smtp_server() as mailbox:
        code, out, err = await relais_with(
            database_url,
            {**env_of(mailbox), "RELAIS_TELEGRAM__USERNAME": "LyonAmbassadorsBot"},
            "invite", "--dry-run", "--category", "business",
        )  # fmt: skip
        assert code == 0, err
        assert "2 to invite, 0 already invited, 1 without an e-mail address" in out
        assert "Bonjour Amélie Durand," in out
        assert "https://t.me/LyonAmbassadorsBot?start=" in out
        assert "dry run: nothing queued, nothing sent" in out
        assert mailbox.received == []
    assert await deliveries(network) == []


async def test_the_telegram_link_comes_from_telegram_when_not_configured(
    network_factory: NetworkFactory, tmp_path: Path, database_url: str
) -> None:
    await imported(network_factory(), tmp_path)
    async with FakeTelegram(username="LyonClubBot") as fake:
        code, out, err = await relais_with(
            database_url,
            {
                "RELAIS_TELEGRAM_TOKEN": fake.token,
                "RELAIS_TELEGRAM__API_BASE_URL": fake.base_url,
            },
            "invite", "--dry-run",
        )  # fmt: skip
        assert code == 0, err
        assert "https://t.me/LyonClubBot?start=" in out
        assert fake.token not in out + err
        result = await relais_with(
            database_url,
            {
                "RELAIS_TELEGRAM_TOKEN": fake.token,
                "RELAIS_TELEGRAM__API_BASE_URL": fake.base_url,
            },
            "export", "invitations",
        )  # fmt: skip
        assert result[0] == 0, result[2]
        assert "https://t.me/LyonClubBot?start=" in result[1]


async def test_invite_needs_email_set_up_and_a_known_category(
    network_factory: NetworkFactory, tmp_path: Path, database_url: str
) -> None:
    await imported(network_factory(), tmp_path)
    result = await relais(database_url, "invite")
    assert result.returncode == 2
    assert b"e-mail is not set up" in result.stderr
    result = await relais(database_url, "invite", "--dry-run", "--category", "nope")
    assert result.returncode == 2 and b"unknown category 'nope'" in result.stderr


async def test_a_killed_invite_resumes_without_sending_anyone_twice(
    network_factory: NetworkFactory, tmp_path: Path, database_url: str
) -> None:
    network = network_factory()
    rows = "".join(f"Person {n},p{n}@example.test,business,en\n" for n in range(30))
    await imported(network, tmp_path, "name,email,category,language\n" + rows)
    with smtp_server() as mailbox:
        env = env_of(mailbox, email__messages_per_minute="600")
        process = await relais_process(database_url, env, "invite")
        try:
            for _ in range(2000):  # until a few mails arrived (polling a real process)
                if len(mailbox.received) >= 5 or process.returncode is not None:
                    break
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == -signal.SIGKILL
        before = len(mailbox.received)
        assert 5 <= before < 30

        code, out, err = await relais_with(database_url, env, "invite")
        assert code == 0, err
        assert "0 to invite, 30 already invited" in out

        received = Counter(item.recipients[0] for item in mailbox.received)
        assert max(received.values()) == 1  # nobody twice
        async with network.sessions() as session:
            by_status = dict(
                (await session.execute(
                    select(Delivery.status, func.count()).group_by(Delivery.status)
                )).all()
            )  # fmt: skip
        assert DeliveryStatus.PENDING not in by_status
        sent = by_status.get(DeliveryStatus.SENT, 0)
        in_flight = by_status.get(DeliveryStatus.SENDING, 0) + by_status.get(
            DeliveryStatus.UNKNOWN, 0
        )
        assert sent + in_flight == 30
        # What was in flight when the process died (claimed, its success not written yet)
        # may have arrived or not, and is never sent again; everything else arrived once.
        assert sent <= len(received) <= sent + in_flight
        assert in_flight <= network.settings.delivery.concurrency
        assert len(received) >= 30 - in_flight


async def test_export_invitations_is_safe_for_spreadsheets(
    network_factory: NetworkFactory, tmp_path: Path, database_url: str
) -> None:
    network = network_factory()
    sheet = "name,email,category,language\n=HYPERLINK(1),,business,en\nZoé Pas,,sport,fr\n"
    await imported(network, tmp_path, sheet)
    result = await relais(database_url, "export", "invitations")
    assert result.returncode == 0, result.stderr
    rows = {row["language"]: row for row in read_csv(result.stdout)}
    assert rows["en"]["name"] == "'=HYPERLINK(1)"
    assert rows["en"]["discord_command"] == f"/start code:{rows['en']['code']}"
    assert rows["fr"]["discord_command"] == f"/rejoindre code:{rows['fr']['code']}"
    assert rows["fr"]["invitations"] == "0" and rows["fr"]["telegram_link"] == ""
