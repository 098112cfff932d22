"""/link and /unlink between the console and a second platform: codes, merging, refusals."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Identity, LinkCode, Member, MemberStatus, PointsEntry, Report, Role
from tests.support.actions import issue_code, press_mention, press_or_say, report_settlement
from tests.support.harness import Network, OtherPlatform


async def test_a_new_platform_account_joins_the_member(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    await press_mention(network, "alice", "https://press.test/a")
    code = await issue_code(network, "alice")
    answer = await other.say("77", f"/link {code.lower()}")
    assert "Linked! This Telegram account now shares your membership." in answer
    assert "5 points in all." in answer
    assert "Your Telegram account is now linked" in network.out.getvalue()
    me = await other.say("77", "/me")
    assert "Points: 5 this week, 5 this month, 5 in all" in me
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1
        identities = (await session.scalars(select(Identity.platform))).all()
        assert sorted(identities) == ["console", "telegram"]
    # Points earned on either platform land on the one member.
    await other.say("77", "/report")
    assert await other.say("77", "/cancel")


async def test_wrong_reused_expired_and_same_platform_codes(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    await network.join("bob")
    assert "is unknown" in await other.say("1", "/link ZZZZZZ")
    code = await issue_code(network, "alice")
    out = await network.play(f"@bob /link {code}")
    assert "Send this code to the bot on your other platform" in out
    assert "Linked!" in await other.say("1", f"/link {code}")
    assert "already used" in await other.say("2", f"/link {code}")
    late = await issue_code(network, "bob")
    await network.play("~ +11m")
    assert "has expired" in await other.say("2", f"/link {late}")
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Identity)) == 3


async def test_a_new_code_replaces_the_unused_one(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    first = await issue_code(network, "alice")
    second = await issue_code(network, "alice")
    assert "is unknown" in await other.say("1", f"/link {first}")
    assert "Linked!" in await other.say("1", f"/link {second}")
    async with network.sessions() as session:
        codes = (await session.scalars(select(LinkCode))).all()
        assert [code.used_at is not None for code in codes] == [True]


async def test_two_members_with_history_merge_into_one(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    await press_mention(network, "alice", "https://press.test/a")
    # The same person had joined on the other platform and reported there too.
    for line in ("/start", "[en]", "[yes]", "[sport]", "[skip]"):
        await press_or_say(other, "77", line)
    await report_settlement(other, "77")
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 2
    code = await issue_code(network, "alice")
    answer = await other.say("77", f"/link {code}")
    assert "Linked! Your two memberships are now one." in answer
    assert "35 points in all." in answer
    async with network.sessions() as session:
        members = (await session.scalars(select(Member))).all()
        assert [(m.display_name, m.category) for m in members] == [("Alice", "business")]
        survivor = members[0].id
        assert set(await session.scalars(select(Report.member_id))) == {survivor}
        assert set(await session.scalars(select(PointsEntry.member_id))) == {survivor}
        assert set(await session.scalars(select(Identity.member_id))) == {survivor}
    out = await network.play("@alice /me")
    assert "35 in all" in out


async def test_merge_keeps_the_higher_role_and_never_lifts_a_rejection(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("carol")  # a coordinator by config
    for line in ("/start", "[en]", "[yes]", "[sport]", "[skip]"):
        await press_or_say(other, "9", line)
    async with network.sessions() as session:
        plain = await session.scalar(select(Member).where(Member.category == "sport"))
        assert plain is not None
        plain.status = MemberStatus.REJECTED
        await session.commit()
    code = await issue_code(network, "carol")
    assert "Linked!" in await other.say("9", f"/link {code}")
    async with network.sessions() as session:
        member = await session.scalar(select(Member))
        assert member is not None
        assert (member.role, member.status) == (Role.COORDINATOR, MemberStatus.REJECTED)


async def test_one_account_per_platform(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    assert "Linked!" in await other.say("1", f"/link {await issue_code(network, 'alice')}")
    code = await issue_code(network, "alice")
    assert "already has an account on this platform" in await other.say("2", f"/link {code}")
    assert "already linked" in await other.say("1", f"/link {code}")


async def test_unlink_separates_and_history_stays(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    await press_mention(network, "alice", "https://press.test/a")
    assert "Linked!" in await other.say("1", f"/link {await issue_code(network, 'alice')}")
    answer = await other.say("1", "/unlink")
    assert "is a membership of its own again" in answer
    assert "Points: 0 this week" in await other.say("1", "/me")
    assert "5 in all" in await network.play("@alice /me")
    assert "not linked to another platform" in await network.play("@alice /unlink")


async def test_link_without_membership_explains(network: Network) -> None:
    out = await network.play("@zoe /link")
    assert "Vous n'êtes pas encore membre ici" in out  # no language chosen: the default


async def test_erasure_removes_link_codes_and_linked_accounts(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    assert "Linked!" in await other.say("1", f"/link {await issue_code(network, 'alice')}")
    await issue_code(network, "alice")  # one more, unused
    out = await network.play(
        """
        @alice /forget
        @alice [Yes, erase my data]
        """
    )
    assert "Your data was erased." in out
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LinkCode)) == 0
        assert await session.scalar(select(func.count()).select_from(Identity)) == 0
