"""The public sign-up form (``[web] signup``), through real HTTP requests: one application
made, the coordinators told with the usual card, claimed on Telegram (the fake Bot API)
and then approved as any other; the honeypot, the rate limit per address, the single-use
form token, the form off (404), the French page, erasure of a web applicant."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.members import privacy
from bot.models import Identity, Member, MemberStatus, PlatformState
from tests.support.desk import ENGLISH, desk_network, served
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import Network, NetworkFactory
from tests.support.people import with_roles
from tests.support.telegram_network import TelegramNetwork

TOKEN = re.compile(r'name="token" value="([^"]+)"')
CODE = re.compile(r"/start ([A-Z0-9]{8})")


def signup_network(network_factory: NetworkFactory, **env: str) -> Network:
    settings = {"web__public_url": "http://relais.test", "network__registration": "approval"}
    network = network_factory(**{**settings, "web__signup": "true", **env})
    return with_roles(network, coordinators=["console:carol"], referents={})


async def _token(client: aiohttp.ClientSession, base: str) -> str:
    async with client.get(f"{base}/join") as answer:
        assert answer.status == 200
        found = TOKEN.search(await answer.text())
    assert found is not None
    return found.group(1)


def _form(token: str, **changes: str) -> dict[str, str]:
    form = {"token": token, "name": "Nora Web", "category": "business", "language": "en",
            "consent": "yes", "sponsor": "", "website": ""}  # fmt: skip
    form.update(changes)
    return form


async def _applicants(network: Network | TelegramNetwork) -> list[Member]:
    async with network.sessions() as session:
        rows = await session.scalars(select(Member).where(Member.display_name == "Nora Web"))
        return list(rows)


async def test_the_form_makes_one_application_and_tells_the_coordinators(
    network_factory: NetworkFactory,
) -> None:
    network = signup_network(network_factory)
    await network.join("carol")
    async with served(network) as server, aiohttp.ClientSession(headers=ENGLISH) as client:
        base = f"http://127.0.0.1:{server.port_bound}"
        async with client.get(f"{base}/join") as answer:
            page = await answer.text()
        assert "Join Lyon Ambassadors" in page and "Tourism &amp; culture" in page
        assert "keeps your name, your category" in page  # the consent of /start
        token = TOKEN.search(page)
        assert token is not None
        for _twice in range(2):  # a double click: one application, the same code shown
            async with client.post(f"{base}/join", data=_form(token.group(1))) as answer:
                assert answer.status == 200
                done = await answer.text()
            code = CODE.search(done)
            assert code is not None, done
            assert "data:image/png;base64," not in done  # no Telegram link in this process
            assert "/start code:" in done  # Discord's command
    applicants = await _applicants(network)
    assert len(applicants) == 1
    nora = applicants[0]
    assert nora.status is MemberStatus.PENDING and nora.invite_code == code.group(1)
    assert nora.consent_at is not None and nora.category == "business"
    start = network.out.tell()
    await network.app.sender.drain()
    told = network.out.getvalue()[start:]
    # The card of /start, in the coordinators' channel (in the network's language).
    assert told.count(f"Nouvelle candidature #{nora.id}\u00a0: Nora Web") == 1, told
    assert "→ #coordinators" in told and "[1] Accepter" in told
    # An applicant who never claims is erased like any other: by a coordinator…
    out = await network.play(f"@carol /erase #{nora.id}\n@carol [Erase]")
    assert f"Member #{nora.id} was erased." in out, out
    async with network.sessions() as session:
        erased = await session.get(Member, nora.id)
        assert erased is not None and erased.invite_code is None and erased.display_name == ""
    # … or by the purge of old applicants.
    async with served(network) as server, aiohttp.ClientSession(headers=ENGLISH) as client:
        base = f"http://127.0.0.1:{server.port_bound}"
        async with client.post(f"{base}/join", data=_form(await _token(client, base))) as answer:
            assert answer.status == 200
    assert len(await _applicants(network)) == 1
    network.clock.advance(timedelta(days=network.settings.privacy.applicant_retention_days + 1))
    async with network.sessions.begin() as session:
        assert await privacy.purge_applicants(session, network.settings, network.clock) >= 1
    assert await _applicants(network) == []


async def test_a_bad_form_is_shown_again_and_creates_nothing(
    network_factory: NetworkFactory,
) -> None:
    network = signup_network(network_factory)
    await network.join("carol")
    async with served(network) as server, aiohttp.ClientSession(headers=ENGLISH) as client:
        base = f"http://127.0.0.1:{server.port_bound}"
        token = await _token(client, base)
        bad = _form(token, consent="", sponsor="NOPE2345", name="  ")
        async with client.post(f"{base}/join", data=bad) as answer:
            assert answer.status == 400
            page = await answer.text()
        assert "Write your name." in page and "tick the box" in page
        assert "sponsor code is unknown" in page
        async with client.post(f"{base}/join", data=_form("1.forged.token")) as answer:
            assert answer.status == 403 and "has expired" in await answer.text()
        # The honeypot: a robot filled the hidden field; it looks done, nothing is made.
        async with client.post(f"{base}/join", data=_form(token, website="x")) as answer:
            assert answer.status == 200 and CODE.search(await answer.text())
    assert await _applicants(network) == []


async def test_the_rate_limit_counts_per_address_and_day(network_factory: NetworkFactory) -> None:
    network = signup_network(network_factory, web__signups_per_day="2")
    await network.join("carol")
    async with served(network) as server, aiohttp.ClientSession(headers=ENGLISH) as client:
        base = f"http://127.0.0.1:{server.port_bound}"

        async def apply(forwarded: str) -> int:
            token = await _token(client, base)
            headers = {"X-Forwarded-For": forwarded}  # the test talks from the loopback
            async with client.post(f"{base}/join", data=_form(token), headers=headers) as answer:
                return answer.status

        assert [await apply("203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert await apply("203.0.113.8") == 200  # another visitor
        network.clock.advance(timedelta(days=1))
        assert await apply("203.0.113.7") == 200  # a new day
    assert len(await _applicants(network)) == 4
    async with network.sessions() as session:
        kept = list(await session.scalars(select(PlatformState.key)))
    assert not any("203.0.113" in key for key in kept)  # only keyed hashes are kept


async def test_signup_off_is_a_404_and_the_page_speaks_french(
    network_factory: NetworkFactory,
) -> None:
    closed = desk_network(network_factory)  # [web] signup left at its default
    async with served(closed) as server, aiohttp.ClientSession() as client:
        base = f"http://127.0.0.1:{server.port_bound}"
        for method in ("GET", "POST"):
            async with client.request(method, f"{base}/join") as answer:
                assert answer.status == 404
    network = signup_network(network_factory)
    async with served(network) as server, aiohttp.ClientSession() as client:
        base = f"http://127.0.0.1:{server.port_bound}"
        async with client.get(f"{base}/join", headers={"Accept-Language": "fr-FR"}) as answer:
            page = await answer.text()
        assert 'lang="fr"' in page and "Rejoindre Lyon Ambassadors" in page
        assert "Tourisme &amp; culture" in page and "Envoyer ma candidature" in page


async def test_claimed_on_telegram_then_approved(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> None:
    tg = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"],
        web__public_url="https://relais.test", network__registration="approval",
        web__signup="true",
    )  # fmt: skip
    await tg.platform.initialize()
    try:
        carol, nora = fake.user(1002, "Carol"), fake.user(1005, "Nora")
        await tg.join(carol)
        async with served(tg) as server, aiohttp.ClientSession(headers=ENGLISH) as client:
            base = f"http://127.0.0.1:{server.port_bound}"
            token = await _token(client, base)
            async with client.post(f"{base}/join", data=_form(token)) as answer:
                done = await answer.text()
        link = re.search(r'href="(https://t\.me/[^"?]+\?start=([A-Z0-9]{8}))"', done)
        assert link is not None, done
        assert "data:image/png;base64," in done
        code = link.group(2)
        await tg.app.sender.drain()
        card = fake.last_message(carol, with_buttons=True)
        assert "New application" in card["text"] and "Nora Web" in card["text"]

        await tg.say(nora, f"/start {code}")  # what the link sends
        await tg.tap(nora, "English")
        await tg.tap(nora, "I agree")
        assert "waiting for a coordinator's approval" in fake.last_message(nora)["text"]
        member = await tg.member(nora)
        assert member.display_name == "Nora Web" and member.status is MemberStatus.PENDING
        assert member.invite_code is None  # the code works once
        assert len(await _applicants(tg)) == 1

        await tg.tap(carol, "Approve")
        await tg.app.sender.drain()
        assert "Good news" in fake.last_message(nora)["text"]
        async with tg.sessions() as session:
            accounts = await session.scalar(
                select(func.count()).select_from(Identity).where(Identity.member_id == member.id)
            )
        assert accounts == 1
    finally:
        await tg.platform.stop()


async def test_in_an_open_network_the_applicant_is_active_and_claims_on_the_console(
    network_factory: NetworkFactory,
) -> None:
    network = signup_network(network_factory, network__registration="open")
    await network.join("carol")
    async with served(network) as server, aiohttp.ClientSession(headers=ENGLISH) as client:
        base = f"http://127.0.0.1:{server.port_bound}"
        async with client.post(f"{base}/join", data=_form(await _token(client, base))) as answer:
            code = CODE.search(await answer.text())
    assert code is not None
    start = network.out.tell()
    await network.app.sender.drain()
    assert "New application" not in network.out.getvalue()[start:]  # as /start: no card
    out = await network.play(f"@nora /start {code.group(1)}\n@nora [English]\n@nora [1]")
    assert "Hello Nora!" in out and "Welcome to the Business ambassadors" in out
    out = await network.play(f"@eve /start {code.group(1)}")
    assert f"Le code {code.group(1)} ne fonctionne pas" in out  # used once
