"""From the desk's members table, a coordinator sends imported members who have not
claimed their account a reminder of their invitation, by e-mail (a real SMTP server on
loopback): the confirmation counts only those it reaches, and a double click sends one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.desk import served, signed_in
from tests.support.harness import NetworkFactory
from tests.support.mail import imported, invite, mailing
from tests.support.smtp import smtp_server


async def test_a_bulk_reminder_reaches_the_unclaimed_once(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox, web__public_url="http://relais.test")
        await network.join("carol")
        await imported(network, tmp_path)
        assert await invite(network, "business") == 2  # Amélie and Bob; Chloé has no address
        network.clock.advance(timedelta(days=2))
        async with served(network) as server:
            carol = await signed_in(network, server, "carol")
            try:
                csrf = await carol.csrf("/desk/members")
                status, page = await carol.get("/desk/members?category=business")
                assert "Send an invitation reminder (e-mail)" in page
                form = {
                    "csrf": csrf, "scope": "all", "selection": "category=business",
                    "action": "remind",
                }  # fmt: skip
                status, page = await carol.post("/desk/members/bulk", form)
                assert status == 200
                assert "Send 2 members a reminder of their invitation by e-mail?" in page
                # Left out: Chloé (no address) and Carol (not imported).
                assert "2 other selected members are left out" in page
                confirm = {**form, "ids": ""}
                status, page = await carol.post("/desk/members/bulk/confirm", confirm)
                assert "2 invitation reminders queued by e-mail." in page
                status, page = await carol.post("/desk/members/bulk/confirm", confirm)
                assert "0 invitation reminders queued by e-mail." in page
            finally:
                await carol.client.close()
        await network.app.sender.drain()
        subjects = [mail["Subject"] for mail in mailbox.to("amelie@example.test")]
        assert len(subjects) == 2 and "rappel" in subjects[1]
        assert len(mailbox.to("bob@example.test")) == 2
