"""Networks that send e-mail to a loopback SMTP server, with imported members."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import select

from bot.cli import data
from bot.mailing import invitations
from bot.models import Delivery, EmailAddress, Member
from bot.runtime import build_email
from tests.support.harness import Network, NetworkFactory
from tests.support.paths import EXAMPLE_CONFIG
from tests.support.smtp import Mailbox, email_env

#: The spreadsheet of the tests: two to invite (one French, one English), one without an
#: address, one in another category.
SHEET = """name,email,category,language
Amélie Durand,amelie@example.test,business,fr
Bob Stone,bob@example.test,business,en
Chloé Sans,,business,fr
Dan Sport,dan@example.test,sport,en
"""


async def imported(network: Network, folder: Path, sheet: str = SHEET) -> None:
    path = folder / "members.csv"
    path.write_text(sheet, encoding="utf-8")
    code = await data.import_members(network.settings, path, dry_run=False, update=False)
    assert code == 0


def mailing(network_factory: NetworkFactory, mailbox: Mailbox, **env: str) -> Network:
    """A network whose app sends e-mail to ``mailbox`` (attached as ``relais run`` does)."""
    defaults = {
        "telegram__username": "LyonAmbassadorsBot",
        "web__public_url": "https://relais.test",
    }
    network = network_factory(**email_env(mailbox), **{**defaults, **env})
    email = build_email(network.app)
    assert email is not None
    network.app.attach(email)
    return network


async def invite(network: Network, category: str | None = None) -> int:
    """What ``relais invite`` does, in this process: queue, then send."""
    app = network.app
    async with app.sessions.begin() as session:
        members = await invitations.first_invitations(session, category)
        queued = await invitations.enqueue(
            session,
            members,
            now=app.clock.now(),
            settings=app.settings,
            translator=app.translator,
            links=invitations.Links.of(app.start_links),
        )
    await app.sender.drain()
    return queued


async def member_by_email(network: Network, address: str) -> Member:
    async with network.sessions() as session:
        found = await session.scalar(select(Member).where(Member.email == address))
    assert found is not None
    return found


async def state_of(network: Network, address: str) -> EmailAddress | None:
    member = await member_by_email(network, address)
    async with network.sessions() as session:
        return await session.get(EmailAddress, member.id)


async def deliveries(network: Network) -> list[Delivery]:
    async with network.sessions() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


def env_of(mailbox: Mailbox, **more: str) -> dict[str, str]:
    """``RELAIS_*`` variables for a ``relais`` process sending to ``mailbox``."""
    return {f"RELAIS_{key.upper()}": value for key, value in email_env(mailbox, **more).items()}


async def relais_process(
    database_url: str, env: dict[str, str], *args: str
) -> asyncio.subprocess.Process:
    """A ``relais`` command running in its own process (to be killed, or awaited)."""
    inherited = dict(os.environ)
    inherited.pop("RELAIS_TELEGRAM_TOKEN", None)
    inherited.pop("RELAIS_DISCORD_TOKEN", None)
    full = {**inherited, "RELAIS_DATABASE_URL": database_url, **env}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(EXAMPLE_CONFIG), *args,
        env=full, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def relais_with(database_url: str, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run a ``relais`` command to its end: (exit code, stdout, stderr)."""
    process = await relais_process(database_url, env, *args)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
