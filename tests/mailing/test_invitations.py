"""Invitations reach a real SMTP server on loopback: headers, languages, links, the QR
code; reminders by moving the clock; claiming stops them; tracking in the export."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import zxingcpp
from PIL import Image

from bot.cli import exporter
from bot.mailing import tracking
from tests.support.harness import NetworkFactory
from tests.support.mail import imported, invite, mailing, member_by_email, state_of
from tests.support.smtp import html_part, inline_png, smtp_server, text_part


async def test_invitation_in_each_language_with_links_qr_and_headers(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        assert await invite(network, "business") == 2  # Chloé has no address; Dan is sport

        amelie = await member_by_email(network, "amelie@example.test")
        bob = await member_by_email(network, "bob@example.test")
        assert {r.recipients[0] for r in mailbox.received} == {
            "amelie@example.test",
            "bob@example.test",
        }
        [french] = mailbox.to("amelie@example.test")
        [english] = mailbox.to("bob@example.test")

        assert (
            french["Subject"]
            == "Lyon Ambassadors\u00a0: votre invitation à rejoindre les ambassadeurs"
        )
        assert english["Subject"] == "Lyon Ambassadors: your invitation to join the ambassadors"
        assert french["Content-Language"] == "fr"
        assert french["From"] == "Relais Lyon <ambassadors@relais.test>"
        assert french["Reply-To"] == "team@relais.test"
        assert french["To"].addresses[0].addr_spec == "amelie@example.test"
        state = await state_of(network, "amelie@example.test")
        assert state is not None and state.invitations == 1
        assert french["List-Unsubscribe"] == (
            f"<https://relais.test/u/{state.token}>, <mailto:team@relais.test?subject=unsubscribe>"
        )
        assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Nothing personal in the Message-ID: no name, no address, no member id.
        assert re.fullmatch(r"<[0-9a-f]{32}@relais\.test>", french["Message-ID"])
        assert french["Message-ID"] != english["Message-ID"]

        link = f"https://t.me/LyonAmbassadorsBot?start={amelie.invite_code}"
        body = text_part(french)
        assert "Bonjour Amélie Durand," in body
        assert link in body
        assert f"/rejoindre code:{amelie.invite_code}" in body
        assert f"https://relais.test/u/{state.token}" in body
        assert f'<a href="{link}">' in html_part(french)
        english_body = text_part(english)
        assert "Hello Bob Stone," in english_body
        assert f"/start code:{bob.invite_code}" in english_body
        assert french.get_content_type() == "multipart/alternative"
        assert "utf-8" in str(french.get_body(preferencelist=("plain",))["Content-Type"])

        # The inline QR code is the same Telegram link, referenced by the HTML part.
        png = inline_png(french)
        [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert decoded.text == link
        cid = re.search(r'src="cid:([^"]+)"', html_part(french))
        assert cid is not None
        assert any(part.get("Content-ID") == f"<{cid.group(1)}>" for part in french.walk())

        # Running it again invites nobody twice.
        assert await invite(network, "business") == 0
        assert len(mailbox.received) == 2


async def test_reminders_by_the_clock_until_claimed_or_the_maximum(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await imported(network, tmp_path)
        await invite(network)  # Amélie, Bob, Dan
        assert len(mailbox.received) == 3
        bob = await member_by_email(network, "bob@example.test")

        network.clock.advance(timedelta(days=6))
        await network.app.on_clock_moved()
        assert len(mailbox.received) == 3  # not yet: reminders come 7 days apart

        network.clock.advance(timedelta(days=1, hours=1))
        await network.app.on_clock_moved()
        reminders = mailbox.received[3:]
        assert len(reminders) == 3
        assert "rappel" in str(mailbox.to("amelie@example.test")[1]["Subject"])
        assert "reminder" in str(mailbox.to("bob@example.test")[1]["Subject"])

        # Bob claims his account on the console: no more reminders for him.
        out = await network.play(
            f"""
            @bob /start {bob.invite_code}
            @bob [English]
            @bob [I agree]
            """
        )
        assert "Welcome" in out
        network.clock.advance(timedelta(days=7, hours=1))
        await network.app.on_clock_moved()
        assert len(mailbox.to("bob@example.test")) == 2
        assert len(mailbox.to("amelie@example.test")) == 3

        # At most two reminders: nothing more, however long we wait.
        for _ in range(3):
            network.clock.advance(timedelta(days=8))
            await network.app.on_clock_moved()
        assert len(mailbox.to("amelie@example.test")) == 3
        assert len(mailbox.to("dan@example.test")) == 3
        state = await state_of(network, "amelie@example.test")
        assert state is not None and state.invitations == 3

        # Tracking, as `relais export invitations` writes it.
        async with network.sessions() as session:
            rows = {
                row["name"]: row
                for chunk in [
                    c
                    async for c in exporter.rows(
                        session,
                        "invitations",
                        None,
                        "Europe/Paris",
                        links=tracking.ClaimLinks(
                            telegram="https://t.me/LyonAmbassadorsBot?start=",
                            discord={"fr": "/rejoindre code:", "en": "/start code:"},
                        ),
                    )
                ]
                for row in chunk
            }
        assert rows["Amélie Durand"]["invitations"] == 3
        assert rows["Amélie Durand"]["claimed_at"] is None
        assert rows["Amélie Durand"]["telegram_link"].startswith("https://t.me/")
        assert rows["Bob Stone"]["invitations"] == 2
        assert rows["Bob Stone"]["claimed_on"] == "console"
        assert rows["Bob Stone"]["claimed_at"] is not None
        assert rows["Bob Stone"]["code"] is None
        chloe = rows["Chloé Sans"]
        assert chloe["invitations"] == 0 and chloe["email"] is None
        assert chloe["discord_command"] == f"/rejoindre code:{chloe['code']}"
