"""The desk from Telegram, through the fake Bot API: /desk sends the link and a Mini App
button; the Mini App signs in with Telegram's signed launch data (a wrong signature or an
old one is refused); two applications approved in bulk on the desk are told to the
applicants on Telegram, in their language, once."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import DeskSession, MemberStatus
from bot.web.desk import miniapp
from tests.support.desk import CSRF, ENGLISH, Browser, served
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

PUBLIC = "https://relais.test"


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"],
        web__public_url=PUBLIC, network__registration="approval",
    )  # fmt: skip
    await network.platform.initialize()
    yield network
    await network.platform.stop()


def launch_data(user_id: int, token: str, signed_at: int, *, language: str = "en") -> str:
    """``initData`` as a Telegram client builds it (signed with the bot's token)."""
    pairs = {
        "query_id": "AAE-test",
        "user": json.dumps({"id": user_id, "first_name": "Carol", "language_code": language}),
        "auth_date": str(signed_at),
    }
    pairs["hash"] = miniapp.sign(pairs, token)
    return urlencode(pairs, quote_via=quote)


async def test_the_mini_app_signs_in_and_two_applicants_hear_the_bulk_approval(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    carol = fake.user(1002, "Carol")
    ann = fake.user(1003, "Ann")
    bob = fake.user(1004, "Bob")
    await tg.join(carol)
    await tg.join(ann)
    await tg.join(bob)
    assert (await tg.member(ann)).status is MemberStatus.PENDING

    await tg.say(carol, "/desk")
    message = fake.last_message(carol, with_buttons=True)
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0]["text"] == "Open the desk"
    assert buttons[0]["url"].startswith(f"{PUBLIC}/desk/signin/")
    assert buttons[1] == {"text": "Open in Telegram", "web_app": {"url": f"{PUBLIC}/desk/miniapp"}}

    now = int(tg.clock.now().timestamp())
    token = fake.token
    async with served(tg) as server, aiohttp.ClientSession(headers=ENGLISH) as client:
        base = f"http://127.0.0.1:{server.port_bound}"
        async with client.get(f"{base}/desk/miniapp") as opened:
            assert opened.status == 200 and "/desk/miniapp.js" in await opened.text()
            assert "script-src 'self'" in opened.headers["Content-Security-Policy"]
        for refused in (
            launch_data(1002, "123:wrong-token", now),  # not signed with this bot's token
            launch_data(1002, token, now - 11 * 60),  # signed too long ago
            launch_data(1002, token, now).replace("Carol", "Eve"),  # changed after signing
            launch_data(9999, token, now),  # a Telegram user who is not a member
        ):
            async with client.post(
                f"{base}/desk/miniapp", data={"init_data": refused}, allow_redirects=False
            ) as answer:
                assert answer.status == 403
                assert "could not be checked" in await answer.text()
        async with client.post(
            f"{base}/desk/miniapp",
            data={"init_data": launch_data(1002, token, now)},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 303 and answer.headers["Location"] == "/desk"
            cookie = answer.cookies["relais_desk"]
            assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
            assert cookie["path"] == "/desk"
    async with tg.sessions() as session:
        [row] = list(await session.scalars(select(DeskSession)))
        assert row.via == "miniapp"

    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({"relais_desk": cookie.value})
    async with (
        served(tg) as server,
        aiohttp.ClientSession(cookie_jar=jar, headers=ENGLISH) as client,
    ):
        desk = Browser(client, f"http://127.0.0.1:{server.port_bound}")
        status, page = await desk.get("/desk/applications")
        assert status == 200 and "2 applications waiting" in page
        csrf = CSRF.search(page)
        assert csrf is not None
        ids = re.findall(r'name="id" value="(\d+)"', page)
        assert len(ids) == 2
        form = [("csrf", csrf.group(1)), ("scope", "checked"), ("action", "approve")]
        status, page = await desk.post("/desk/members/bulk", form + [("id", i) for i in ids])
        assert status == 200 and "Approve 2 applications?" in page
        assert (await tg.member(ann)).status is MemberStatus.PENDING  # nothing done yet
        confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        status, page = await desk.post("/desk/members/bulk/confirm", confirm)
        assert status == 200 and "2 applications approved; the applicants are told." in page
        # A double click: nothing more is decided, nobody is told twice.
        status, page = await desk.post("/desk/members/bulk/confirm", confirm)
        assert status == 200 and "0 applications approved" in page
    await tg.app.sender.drain()
    assert (await tg.member(ann)).status is MemberStatus.ACTIVE
    told_ann = [text for text in fake.texts(ann) if "application was approved" in text]
    told_bob = [text for text in fake.texts(bob) if "application was approved" in text]
    assert len(told_ann) == 1 and len(told_bob) == 1
