"""Referents per category, coordinators appointing coordinators, moving members; every
change audited and told to the member in their language."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update

from bot.core.port import Event
from bot.models import AuditEntry, Member, MemberStatus, ReferentCategory, Role
from tests.support.harness import Network
from tests.support.people import count, member, member_id, said_to, with_roles


async def referent_rows(network: Network, name: str) -> list[tuple[str, int | None]]:
    mid = await member_id(network, name)
    async with network.sessions() as session:
        rows = await session.execute(
            select(ReferentCategory.category, ReferentCategory.appointed_by)
            .where(ReferentCategory.member_id == mid)
            .order_by(ReferentCategory.category)
        )
        return [(category, by) for category, by in rows]


async def test_config_referents_get_exactly_their_categories(network: Network) -> None:
    network = with_roles(
        network, referents={"business": ["console:rita"], "sport": ["console:sam"]}
    )
    await network.join("rita", category="Sport")
    await network.join("sam", category="Sport")
    assert await referent_rows(network, "Rita") == [("business", None)]
    assert await referent_rows(network, "Sam") == [("sport", None)]
    out = await network.play(
        """
        @rita /plan sport
        @rita /members sport
        @rita /members
        """
    )
    assert said_to(out, "@rita")[:2] == ["You are not a referent of this category."] * 2
    assert said_to(out, "@rita")[2] == "0 active members"  # nobody is in business
    # Seen again, nothing is added twice.
    await network.play("@rita /help")
    assert await referent_rows(network, "Rita") == [("business", None)]


async def test_bootstrap_applies_to_members_who_joined_before_the_config_named_them(
    network: Network,
) -> None:
    await network.join("tina", category="Tourism & culture")
    assert (await member(network, "Tina")).role is Role.MEMBER
    network = with_roles(network, referents={"tourism": ["console:tina"]})
    await network.play("@tina /help")
    assert (await member(network, "Tina")).role is Role.REFERENT
    assert await referent_rows(network, "Tina") == [("tourism", None)]


async def test_coordinator_appoints_and_removes_a_referent(network: Network) -> None:
    await network.join("carol")
    await network.join("bob", category="Sport", language="Français")
    bob = await member_id(network, "Bob")
    out = await network.play(
        f"""
        @bob /plan
        @carol /referent #{bob} sport
        @carol /referent #{bob} tourism
        @carol /referent #{bob} sport
        @bob /plan tourism
        """
    )
    assert (
        said_to(out, "@bob")[0] == "Cette commande est réservée aux coordinateurs et aux référents."
    )
    assert "Bob is now a referent of Sport." in out
    assert "Bob is already a referent of Sport." in out
    # Told in their own language, through the queue.
    assert "Vous avez maintenant le rôle de référent des ambassadeurs Sport." in "".join(
        said_to(out, "@bob")
    )
    assert "Plan d'action pour les ambassadeurs Tourisme & culture" in out
    assert await referent_rows(network, "Bob") == [("sport", 1), ("tourism", 1)]
    assert (await member(network, "Bob")).role is Role.REFERENT
    out = await network.play(
        f"""
        @carol /referent remove #{bob} sport
        @carol /referent remove bob tourism
        @carol /referent remove #{bob} tourism
        @bob /plans
        """
    )
    assert "Bob is no longer a referent of Tourism & culture." in out
    assert "Bob is not a referent of Tourism & culture." in out
    assert (await member(network, "Bob")).role is Role.MEMBER
    assert said_to(out, "@bob")[-1].startswith("Cette commande est réservée")
    actions = await audit_actions(network)
    assert actions == [
        ("referent.appoint", bob, {"category": "sport"}),
        ("referent.appoint", bob, {"category": "tourism"}),
        ("referent.remove", bob, {"category": "sport"}),
        ("referent.remove", bob, {"category": "tourism"}),
    ]


async def audit_actions(network: Network) -> list[tuple[str, int | None, dict[str, object]]]:
    async with network.sessions() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(row.action, row.target_member_id, row.details) for row in rows]


async def test_config_roles_cannot_be_removed_by_command(network: Network) -> None:
    await network.join("carol")
    await network.join("rita")
    out = await network.play(
        """
        @carol /referent remove #2 business
        @carol /coordinator remove #1
        """
    )
    assert out.count("This role comes from the configuration file ([roles]); change it there.") == 2
    assert await referent_rows(network, "Rita") == [("business", None)]
    assert await count(network, AuditEntry) == 0


async def test_coordinators_appoint_coordinators_and_move_members(network: Network) -> None:
    await network.join("carol")
    await network.join("dora", category="Sport")
    await network.join("max", category="Sport")
    dora, max_ = await member_id(network, "Dora"), await member_id(network, "Max")
    out = await network.play(
        f"""
        @carol /coordinator @Dora
        @dora /move #{max_} research
        @dora /move Max research
        @dora /coordinator remove #{dora}
        @carol /coordinator remove dora
        @dora /pending
        """
    )
    assert "Dora is now a coordinator." in out
    assert "You are now a coordinator of the network." in out
    assert "Max is now in Research & education." in out
    assert "Max is already in Research & education." in out
    assert "A coordinator moved you to the Research & education ambassadors." in out
    # Dora could step down herself (carol remains); carol then has nothing to remove.
    assert "Dora is no longer a coordinator." in out and "Dora is not a coordinator." in out
    assert said_to(out, "@dora")[-1] == "This command is for coordinators or referents."
    assert (await member(network, "Max")).category == "research"
    assert [a[0] for a in await audit_actions(network)] == [
        "coordinator.appoint",
        "member.move",
        "coordinator.remove",
    ]


async def test_the_last_coordinator_stays(network: Network) -> None:
    network = with_roles(network, coordinators=[])
    await network.join("zoe")
    async with network.sessions.begin() as session:
        await session.execute(update(Member).values(role=Role.COORDINATOR))
    out = await network.play("@zoe /coordinator remove #1")
    assert "The network needs at least one coordinator" in out
    assert (await member(network, "Zoe")).role is Role.COORDINATOR


async def test_naming_members(network: Network) -> None:
    await network.join("carol")
    await network.play(
        """
        @ana /start
        @ana [English]
        @ana [1]
        @ana [Sport]
        @ana [Skip]
        """
    )
    # A second "Ana" on another identity (the console names people by their handle).
    async with network.sessions.begin() as session:
        await session.execute(update(Member).where(Member.id == 1).values(display_name="Ana"))
    out = await network.play(
        """
        @carol /move ana citizens
        @carol /move #99 citizens
        @carol /move #2 nowhere
        @carol /move #2 citizens
        """
    )
    assert "Several members are called ana; use their number:" in out
    assert "#1 Ana — Business (coordinator)" in out and "#2 Ana — Sport" in out
    assert "No member #99." in out
    assert "Usage: /move #12 <category>." in out
    assert "Ana is now in Citizens." in out


def _said(user: str, command: str, *args: str, payload: str | None = None) -> Event:
    return Event(
        platform="console",
        user_id=user,
        chat_id=user,
        is_private=True,
        user_name=user.capitalize(),
        command=command or None,
        args=args,
        payload=payload,
        message_id="1" if payload else None,
    )


async def _coordinators(network: Network) -> list[int]:
    async with network.sessions() as session:
        rows = await session.scalars(
            select(Member.id).where(
                Member.role == Role.COORDINATOR, Member.status == MemberStatus.ACTIVE
            )
        )
        return sorted(rows)


async def test_two_coordinators_removing_each_other_at_once_leave_one(network: Network) -> None:
    network = with_roles(network, coordinators=[])
    await network.join("dora")
    await network.join("max")
    dora, max_ = await member_id(network, "Dora"), await member_id(network, "Max")
    races = []
    for _ in range(20):
        async with network.sessions.begin() as session:
            await session.execute(update(Member).values(role=Role.COORDINATOR))
        await asyncio.gather(
            network.app.dispatch(
                _said("dora", "coordinator", "remove", f"#{max_}"), network.console
            ),
            network.app.dispatch(
                _said("max", "coordinator", "remove", f"#{dora}"), network.console
            ),
        )
        races.append(await _coordinators(network))
    assert all(len(left) == 1 for left in races), races


async def test_two_last_coordinators_forgetting_at_once_leave_one(network: Network) -> None:
    network = with_roles(network, coordinators=[])
    for pair in range(5):
        first, second = f"ann{pair}", f"ben{pair}"
        await network.join(first)
        await network.join(second)
        ids = [await member_id(network, name.capitalize()) for name in (first, second)]
        async with network.sessions.begin() as session:
            await session.execute(
                update(Member).where(Member.id.in_(ids)).values(role=Role.COORDINATOR)
            )
            await session.execute(
                update(Member).where(Member.id.not_in(ids)).values(role=Role.MEMBER)
            )
        await asyncio.gather(
            network.app.dispatch(
                _said(first, "", payload=f"gdpr:forget:{ids[0]}"), network.console
            ),
            network.app.dispatch(
                _said(second, "", payload=f"gdpr:forget:{ids[1]}"), network.console
            ),
        )
        left = await _coordinators(network)
        assert len(left) == 1 and left[0] in ids, (pair, left)


async def test_the_last_coordinator_cannot_forget_themself(network: Network) -> None:
    network = with_roles(network, coordinators=[])
    await network.join("zoe")
    async with network.sessions.begin() as session:
        await session.execute(update(Member).values(role=Role.COORDINATOR))
    out = await network.play("@zoe /forget")
    assert "The network's last coordinator cannot be erased" in out
    assert "/coordinator #NUMBER" in out and "Yes, erase my data" not in out
    mark = network.out.tell()
    await network.app.dispatch(_said("zoe", "", payload="gdpr:forget:1"), network.console)
    out = network.out.getvalue()[mark:]  # an old confirmation, pressed
    assert "The network's last coordinator cannot be erased" in out
    zoe = await member(network, "Zoe")
    assert zoe.role is Role.COORDINATOR and zoe.status is MemberStatus.ACTIVE
    # With a successor appointed, she may go.
    await network.join("yan")
    out = await network.play(
        """
        @zoe /coordinator #2
        @zoe /forget
        @zoe [Yes, erase my data]
        """
    )
    assert "Yan is now a coordinator." in out and "Your data was erased." in out
    assert await _coordinators(network) == [2]
