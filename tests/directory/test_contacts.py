"""What an accepted introduction gives: each chat account (a Discord mention, a Telegram
@username or ``tg://user`` link) and the e-mail only when its owner chose to share it."""

from __future__ import annotations

from sqlalchemy import select

from bot.directory import profiles
from bot.models import Identity, Member, Profile
from tests.support.directory import write_profile
from tests.support.harness import Network


async def test_contact_lines_follow_the_members_choices(network: Network) -> None:
    await network.join("alice")
    await write_profile(network, "alice", organisation="Élan", town="Lyon")
    async with network.sessions.begin() as session:
        alice = await session.scalar(select(Member).where(Member.display_name == "Alice"))
        assert alice is not None
        alice.email = "alice@example.test"
        session.add(Identity(platform="discord", user_id="4242", member_id=alice.id))
        session.add(Identity(platform="telegram", user_id="1001", member_id=alice.id))
    async with network.sessions.begin() as session:
        alice = await session.get(Member, alice.id)
        profile = await session.get(Profile, alice.id)
        assert alice is not None and profile is not None
        lines = await profiles.contact_lines(session, alice, profile)
        assert lines == ["console: alice", "Discord: <@4242>", "Telegram: tg://user?id=1001"]
        profile.share_email = True
        profiles.remember_handle(profile, "telegram", "alice_lyon")
        lines = await profiles.contact_lines(session, alice, profile)
        assert lines[-2:] == ["Telegram: https://t.me/alice_lyon", "alice@example.test"]
    # The profile shows the e-mail switch once an address is known, and it switches.
    out = await network.play("@alice /profile")
    assert "E-mail on introductions: yes" in out
    out = await network.play("@alice [E-mail on introductions: yes]")
    assert "E-mail on introductions: no" in out
    async with network.sessions() as session:
        profile = await session.get(Profile, alice.id)
        assert profile is not None and profile.share_email is False
