"""/link and /unlink between the console and a second platform: codes, merging, refusals."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.port import Event
from bot.members import role_sync
from bot.models import (
    Identity,
    LinkAttempts,
    LinkCode,
    Member,
    MemberStatus,
    PointsEntry,
    Report,
    Role,
)
from tests.support.actions import CODE, issue_code, press_mention, press_or_say, report_settlement
from tests.support.harness import Network, NetworkFactory, OtherPlatform
from tests.support.people import member_id


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
    assert "has left that membership" in answer
    assert "Do you agree?" in answer  # it gives its own consent, like a newcomer
    assert "You are not a member yet" in await other.say("1", "/me")
    for line in ("[yes]", "[sport]", "[skip]"):
        await press_or_say(other, "1", line)
    assert "Points: 0 this week" in await other.say("1", "/me")
    assert "5 in all" in await network.play("@alice /me")
    assert "not linked to another platform" in await network.play("@alice /unlink")


async def test_link_and_unlink_fifty_times_mints_no_membership(
    network_factory: NetworkFactory,
) -> None:
    """The attack of issue #15: each /link + /unlink used to mint an active copy."""
    network = network_factory(network__registration="approval")
    other = OtherPlatform(network.app)
    await network.join("carol")  # a coordinator by config: active
    before = await _statuses(network)
    for _ in range(50):
        assert "Linked!" in await other.say("1", f"/link {await issue_code(network, 'carol')}")
        assert "has left that membership" in await other.say("1", "/unlink")
    assert await _statuses(network) == before == {MemberStatus.ACTIVE: 1}
    # The separated account joins like any newcomer: pending in approval mode.
    for line in ("[yes]", "[sport]", "[skip]"):
        await press_or_say(other, "1", line)
    assert await _statuses(network) == {MemberStatus.ACTIVE: 1, MemberStatus.PENDING: 1}
    async with network.sessions() as session:
        fresh = await session.scalar(select(Member).where(Member.status == MemberStatus.PENDING))
        assert fresh is not None and fresh.role is Role.MEMBER and fresh.category == "sport"


async def test_a_pending_applicant_cannot_link(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="approval")
    other = OtherPlatform(network.app)
    await network.join("carol")
    await network.join("alice")  # pending
    assert "once your membership is active" in await network.play("@alice /link")
    # Nor may a pending applicant on another platform take an active member's code.
    for line in ("/start", "[en]", "[yes]", "[sport]", "[skip]"):
        await press_or_say(other, "5", line)
    code = await issue_code(network, "carol")
    assert "waiting for a coordinator's approval" in await other.say("5", f"/link {code}")
    assert await _statuses(network) == {MemberStatus.ACTIVE: 1, MemberStatus.PENDING: 2}
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LinkCode)) == 1


async def test_a_leaked_code_gives_no_role_and_the_issuer_revokes(network: Network) -> None:
    thief = OtherPlatform(network.app)
    await network.join("carol")  # the only coordinator
    code = await issue_code(network, "carol")
    answer = await thief.say("66", f"/link {code}")
    assert "acts as a member" in answer
    assert "Remove that account" in network.out.getvalue()
    # The thief acts as a plain member: no coordinator command, no new code, cannot
    # remove the issuer's account nor confirm its own role.
    assert "for coordinators" in await thief.say("66", "/pending")
    assert "waiting for a coordinator's confirmation" in await thief.say("66", "/link")
    assert "no account linked from this one" in await thief.say("66", "/unlink console")
    async with network.sessions() as session:
        account = await session.scalar(select(Identity).where(Identity.platform == "telegram"))
        assert account is not None and not account.role_confirmed
        carol = await session.get(Member, account.member_id)
        assert carol is not None
        press = f"link:role:{account.id}:{carol.id}"
    assert "for coordinators or referents" in await _press(thief, "66", press)
    # The issuer removes it from her own account.
    out = await network.play("@carol [Remove that account]")
    assert "Done: the Telegram account left your membership" in out
    assert "You are not a member yet" in await thief.say("66", "/me")
    async with network.sessions() as session:
        assert (await session.scalars(select(Identity.platform))).all() == ["console"]
        member = await session.scalar(select(Member))
        assert member is not None and member.role is Role.COORDINATOR


async def test_coordinators_messages_never_reach_an_unconfirmed_account(network: Network) -> None:
    thief = OtherPlatform(network.app)
    await network.join("carol")
    await network.join("alice")
    await thief.say("66", f"/link {await issue_code(network, 'carol')}")
    await network.play("~ +2h")
    await thief.say("66", "/me")  # the latest private use: it would be chosen first
    out = await network.play(
        """
        @alice /report
        @alice [Opportunity signal]
        @alice [Investor]
        @alice A fund looking at biotech in Gerland
        @alice Jane Doe, jane@fund.test
        """
    )
    assert "→ @carol" in out and "jane@fund.test" in out  # each coordinator in private
    assert not [item for item in thief.sent if "jane@fund.test" in item.message.text]


async def test_the_issuer_revokes_with_unlink_platform_and_everything_linked_through_it(
    network: Network,
) -> None:
    telegram, discord = OtherPlatform(network.app), OtherPlatform(network.app, "discord")
    await network.join("alice")
    await telegram.say("1", f"/link {await issue_code(network, 'alice')}")
    code = CODE.search(await telegram.say("1", "/link"))
    assert code is not None
    assert "Linked!" in await discord.say("2", f"/link {code.group(1)}")
    # Discord was linked through Telegram: Discord cannot remove either of the others.
    assert "no account linked from this one" in await discord.say("2", "/unlink telegram")
    out = await network.play("@alice /unlink telegram")
    assert "Done: the Telegram account left your membership; 2 accounts removed." in out
    async with network.sessions() as session:
        assert (await session.scalars(select(Identity.platform))).all() == ["console"]


async def test_a_merge_that_raises_the_issuers_role_waits_for_a_coordinator(
    network: Network,
) -> None:
    """A coordinator tricked into using a member's code: the member's own account does not
    become a coordinator's until another coordinator confirms it."""
    telegram = OtherPlatform(network.app)
    await network.join("carol")
    for line in ("/start", "[en]", "[yes]", "[sport]", "[skip]"):
        await press_or_say(telegram, "9", line)
    async with network.sessions() as session:
        coordinator = await session.scalar(select(Member.id).where(Member.category == "sport"))
    await network.play(f"@carol /coordinator #{coordinator}")
    await network.join("mallory")
    code = await issue_code(network, "mallory")
    assert "Linked! Your two memberships are now one." in await telegram.say("9", f"/link {code}")
    await network.app.sender.drain()
    assert "Mallory linked a Console account" in network.out.getvalue()
    assert "for coordinators" in await network.play("@mallory /pending")
    assert "for coordinators" not in await telegram.say("9", "/pending")
    await network.play("@carol [Confirm the role]")
    assert "for coordinators" not in await network.play("@mallory /pending")


async def test_the_only_coordinator_confirms_her_own_link(network: Network) -> None:
    mine = OtherPlatform(network.app)
    await network.join("carol")
    await mine.say("7", f"/link {await issue_code(network, 'carol')}")
    assert "for coordinators" in await mine.say("7", "/pending")
    out = await network.play("@carol [Confirm the role]")
    assert "now acts as coordinator" in out
    assert "for coordinators" not in await mine.say("7", "/pending")


async def test_another_coordinator_confirms_a_linked_role(network: Network) -> None:
    mine = OtherPlatform(network.app)
    await network.join("carol")
    await network.join("dave")
    dave = await member_id(network, "Dave")
    await network.play(f"@carol /coordinator #{dave}")
    await mine.say("8", f"/link {await issue_code(network, 'dave')}")
    await network.app.sender.drain()
    out = network.out.getvalue()
    assert "Dave linked a Telegram account" in out
    # Dave cannot confirm himself while another coordinator can.
    async with network.sessions() as session:
        account = await session.scalar(select(Identity).where(Identity.platform == "telegram"))
        assert account is not None
        press = f"link:role:{account.id}:{dave}"
    start = network.out.tell()
    event = Event(
        platform="console", user_id="dave", chat_id="dave", is_private=True, payload=press
    )
    await network.app.dispatch(event, network.console)
    assert "Another coordinator must confirm" in network.out.getvalue()[start:]
    assert "now acts as coordinator" in await network.play("@carol [Confirm the role]")
    assert "for coordinators" not in await mine.say("8", "/pending")


async def test_a_hundred_wrong_codes_are_throttled(network: Network) -> None:
    other = OtherPlatform(network.app)
    await network.join("alice")
    answers = [await other.say("66", f"/link ZZZZ{n:02d}") for n in range(100)]
    assert sum("is unknown" in answer for answer in answers) == 4
    assert sum("Too many wrong link codes" in answer for answer in answers) == 96
    assert "Try again in 60 minutes." in answers[4]
    code = await issue_code(network, "alice")
    assert "Too many wrong link codes" in await other.say("66", f"/link {code}")
    await network.play("~ +61m")
    assert "Linked!" in await other.say("66", f"/link {await issue_code(network, 'alice')}")
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1


async def test_wrong_code_counts_leave_with_the_account_and_with_time(network: Network) -> None:
    """A count of wrong codes names a platform account: /forget takes it with the
    account, and the daily prune once its window and lock-out are long over."""
    other = OtherPlatform(network.app)
    await network.join("alice")
    assert "is unknown" in await network.play("@alice /link ZZZZ01")
    assert "is unknown" in await other.say("66", "/link ZZZZ02")
    assert await _attempts(network) == {"console", "telegram"}
    await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert await _attempts(network) == {"telegram"}
    await network.play("~ +31d")
    assert await _attempts(network) == set()


async def _attempts(network: Network) -> set[str]:
    async with network.sessions() as session:
        return set(await session.scalars(select(LinkAttempts.platform)))


async def _statuses(network: Network) -> dict[MemberStatus, int]:
    async with network.sessions() as session:
        rows = await session.execute(select(Member.status, func.count()).group_by(Member.status))
        return {status: count for status, count in rows}


async def _press(platform: OtherPlatform, user: str, payload: str) -> str:
    start = len(platform.sent)
    event = Event(
        platform=platform.name,
        user_id=user,
        chat_id=user,
        is_private=True,
        payload=payload,
        language_code="en",
    )
    await platform.app.dispatch(event, platform)
    return "\n".join(item.message.text for item in platform.sent[start:])


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


async def test_server_roles_wait_for_the_confirmation(network: Network) -> None:
    discord = OtherPlatform(network.app, "discord")
    await network.join("carol")
    await discord.say("9", f"/link {await issue_code(network, 'carol')}")
    async with network.sessions() as session:
        assert (await role_sync.wanted(session, "discord", ["9"]))["9"].coordinator is False
    await network.play("@carol [Confirm the role]")
    async with network.sessions() as session:
        assert (await role_sync.wanted(session, "discord", ["9"]))["9"].coordinator is True
