"""Referents per category, coordinators appointing coordinators, moving members; every
change audited and told to the member in their language."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.models import AuditEntry, Member, ReferentCategory, Role
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
    assert "Vous êtes maintenant référent des ambassadeurs Sport." in "".join(said_to(out, "@bob"))
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
