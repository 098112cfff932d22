"""Signing in to the desk: the one-time link of /desk (once, 10 minutes, for the role it
was sent for), the session cookie, signing out, and the form token every POST needs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.members import desk_access
from bot.models import DeskLink, DeskSession, Member, Role
from tests.support.desk import (
    browser,
    desk_network,
    populate,
    served,
    sign_in_path,
    signed_in,
)
from tests.support.harness import NetworkFactory


async def test_a_link_signs_in_once_and_a_session_ends_at_sign_out(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    out = await network.play("@carol /desk")
    assert "works once, within 10 minutes" in out
    path = sign_in_path(out)
    async with served(network) as server, browser(server) as first, browser(server) as second:
        status, page = await first.get(path)  # a link preview: changes nothing
        assert status == 200 and 'method="post"' in page
        status, _ = await first.get("/desk")
        assert status == 401
        status, _ = await first.post(path, {})
        assert status == 303
        status, page = await first.get("/desk")
        assert status == 200 and "Overview" in page and "Who is active" in page
        # The same link again, from another browser: refused, no session.
        status, page = await second.post(path, {})
        assert status == 403 and "already used" in page
        status, _ = await second.get("/desk")
        assert status == 401
        # A POST without the form token is refused; with it, sign-out works.
        status, _ = await first.post("/desk/signout", {})
        assert status == 403
        status, _ = await first.get("/desk")
        assert status == 200
        token = await first.csrf("/desk")
        status, page = await first.post("/desk/signout", {"csrf": token})
        assert status == 200 and "signed out" in page
        status, _ = await first.get("/desk")
        assert status == 401
    async with network.sessions() as session:
        rows = list(await session.scalars(select(DeskSession)))
        assert len(rows) == 1 and rows[0].revoked_at is not None
        # Only hashes are stored, never the link's or the cookie's token.
        link = await session.scalar(select(DeskLink))
        assert link is not None and path.rsplit("/", 1)[1] not in link.token_hash


async def test_an_expired_link_and_a_changed_role_are_refused(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    late = sign_in_path(await network.play("@rita /desk"))
    network.clock.advance(timedelta(minutes=10, seconds=1))
    demoted = sign_in_path(await network.play("@rita /desk"))
    async with network.sessions.begin() as session:
        rita = await session.scalar(select(Member).where(Member.display_name == "Rita"))
        assert rita is not None
        rita.role = Role.MEMBER
    async with served(network) as server, browser(server) as page:
        status, text = await page.post(late, {})
        assert status == 403 and "expired" in text
        status, text = await page.post(demoted, {})
        assert status == 403 and "role in the network changed" in text
        status, _ = await page.get("/desk/me")
        assert status == 401


async def test_a_session_expires_and_follows_the_role(network_factory: NetworkFactory) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            assert (await carol.get("/desk"))[0] == 200
            network.clock.advance(timedelta(hours=network.settings.web.session_hours, seconds=1))
            assert (await carol.get("/desk"))[0] == 401
        finally:
            await carol.client.close()
        rita = await signed_in(network, server, "rita")
        try:
            assert (await rita.get("/desk"))[0] == 200
            async with network.sessions.begin() as session:
                member = await session.scalar(select(Member).where(Member.display_name == "Rita"))
                assert member is not None
                assert await desk_access.revoke_all(session, member.id, network.clock.now()) == 1
            assert (await rita.get("/desk"))[0] == 401
        finally:
            await rita.client.close()
