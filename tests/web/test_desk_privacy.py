"""What the desk stores about a person is theirs: /mydata shows coordinators' notes about
them and their desk sessions; /forget signs them out of every browser, voids their
sign-in links and deletes the notes about them."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.models import CoordinatorNote, DeskLink, DeskSession
from tests.support.desk import desk_network, populate, served, signed_in
from tests.support.harness import NetworkFactory
from tests.support.people import member_id


async def test_mydata_shows_and_forget_erases_what_the_desk_keeps(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    mia = await member_id(network, "Mia")
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        own = await signed_in(network, server, "mia")
        try:
            token = await carol.csrf()
            status, _ = await carol.post(
                f"/desk/members/{mia}/notes", {"csrf": token, "text": "Knows the port director"}
            )
            assert status == 303
            await network.play("@mia /desk")  # a link she does not use
            await network.play("@mia /mydata")
            _name, content = network.console.history[-1].message.document  # type: ignore[misc]
            data = json.loads(content)
            assert [note["text"] for note in data["coordinator_notes"]] == [
                "Knows the port director"
            ]
            assert [s["via"] for s in data["desk_sessions"]] == ["link"]
            assert (await own.get("/desk/me"))[0] == 200

            out = await network.play("@mia /forget\n@mia [Yes, erase my data]")
            assert "Your data was erased." in out
            assert (await own.get("/desk/me"))[0] == 401
            assert (await carol.get(f"/desk/members/{mia}"))[0] == 404
        finally:
            await carol.client.close()
            await own.client.close()
    async with network.sessions() as session:
        for model in (DeskSession, DeskLink, CoordinatorNote):
            left = select(func.count()).select_from(model).where(model.member_id == mia)
            assert await session.scalar(left) == 0, model.__name__
        # Carol's own session is untouched.
        assert await session.scalar(select(func.count()).select_from(DeskSession)) == 1
