"""Coordinators see in ``/stats`` how the spreadsheet's invitations went, and the members
who never claimed their account as *never activated*, not dormant."""

from __future__ import annotations

from pathlib import Path

from bot.mailing import addresses
from tests.support.harness import NetworkFactory
from tests.support.mail import imported, invite, mailing, member_by_email
from tests.support.smtp import smtp_server


async def test_stats_tell_invited_bounced_unsubscribed_claimed_and_never_activated(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    with smtp_server() as mailbox:
        network = mailing(network_factory, mailbox)
        await network.join("carol")  # the example's coordinator
        await imported(network, tmp_path)
        mailbox.refuse["amelie@example.test"] = [550]
        await invite(network)
        dan = await member_by_email(network, "dan@example.test")
        await network.play(
            f"""
            @dan /start {dan.invite_code}
            @dan [English]
            @dan [I agree]
            """
        )
        bob = await member_by_email(network, "bob@example.test")
        async with network.sessions.begin() as session:  # Bob's reply asked for it
            await addresses.unsubscribe_member(session, bob.id, network.clock.now())
        out = await network.play("@carol /stats")
    assert (
        "Imported members: 1 of 4 claimed their account; invited by e-mail: 3 "
        "(1 bounced, 1 unsubscribed); without an e-mail address: 1"
    ) in out
    assert "never activated (imported, not claimed): 3" in out
