"""The card's verification page through the running web server: the QR code of /card
decodes to it; a valid card shows the first name, level and benefits (no number, no
contact) in the visitor's language; partners record uses with their code (once a day,
wrong codes limited, a forged form refused); re-issued, expired, erased and forged
cards are "not valid" without a stack trace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
from sqlalchemy import func, select

from bot.models import BenefitUse, Partner
from bot.runtime import build_web
from tests.support.cards import PARTNERS, last_card
from tests.support.cli import read_csv, relais
from tests.support.harness import Network, NetworkFactory


@asynccontextmanager
async def served(network: Network) -> AsyncIterator[str]:
    server = build_web(network.app, port=0)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port_bound}"
    finally:
        await server.stop()


async def _get(url: str, language: str = "en") -> tuple[int, str]:
    headers = {"Accept-Language": language}
    async with aiohttp.ClientSession() as client, client.get(url, headers=headers) as answer:
        return answer.status, await answer.text()


async def _post(url: str, data: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client:
        headers = {"Accept-Language": "en"}
        async with client.post(url, data=data, headers=headers) as answer:
            return answer.status, await answer.text()


def _form(page: str) -> str:
    return page.split('name="form" value="', 1)[1].split('"', 1)[0]


def _benefit(page: str) -> str:
    return page.split('<option value="', 1)[1].split('"', 1)[0]


async def test_the_page_a_card_opens(network_factory: NetworkFactory, database_url: str) -> None:
    network = network_factory(web__public_url="https://relais.test")
    await network.join("carol")
    await network.join("alice")
    await network.play(PARTNERS)
    await network.play("@alice /card")
    _png, link = last_card(network)
    assert link.startswith("https://relais.test/v/")
    token = link.removeprefix("https://relais.test/v/")
    async with network.sessions() as session:
        museum = await session.scalar(select(Partner).where(Partner.kind == "Museum"))
        assert museum is not None

    async with served(network) as base:
        status, page = await _get(f"{base}/v/{token}")
        assert status == 200
        assert "Valid card" in page and "Alice" in page and "Level: Ambassador" in page
        assert "Free entry" in page and "10% off" not in page  # not unlocked at this level
        assert "console:alice" not in page and "No." not in page  # no contact, no number
        status, page_fr = await _get(f"{base}/v/{token}", "fr-FR,fr;q=0.9")
        assert "Carte valable" in page_fr and "Entrée gratuite" in page_fr

        url = f"{base}/v/{token}"
        fields = {"form": _form(page), "benefit": _benefit(page)}
        status, answer = await _post(url, fields | {"code": "WRONG1"})
        assert status == 200 and "This is not the code of this benefit" in answer
        status, answer = await _post(url, fields | {"code": museum.code.lower()})
        assert "Recorded. Thank you!" in answer
        status, answer = await _post(url, fields | {"code": museum.code})
        assert "Already recorded today for this card." in answer
        status, answer = await _post(url, fields | {"form": "0" * 32, "code": museum.code})
        assert "This form is out of date" in answer  # a form not made by this page
        status, answer = await _post(url, fields | {"form": "é" * 32, "benefit": "²"})
        assert status == 200 and "This form is out of date" in answer
        for _ in range(5):
            status, answer = await _post(url, fields | {"code": "NOPE99"})
        assert "Too many wrong codes on this card" in answer
        network.clock.advance(timedelta(minutes=30))  # even the right code waits the hour
        status, answer = await _post(url, fields | {"code": museum.code})
        assert "Too many wrong codes on this card" in answer
        network.clock.advance(timedelta(days=1))
        status, page = await _get(url)  # the next day: a new form, a new use
        fields = {"form": _form(page), "benefit": _benefit(page)}
        status, answer = await _post(url, fields | {"code": museum.code})
        assert "Recorded. Thank you!" in answer
        async with network.sessions() as session:
            uses = await session.scalar(select(func.count()).select_from(BenefitUse))
            assert uses == 2
        out = await network.play("@carol /partners")
        assert "used 2 times" in out

        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
        for bad in (forged, "12.not-a-token", "nothing", f"9{token}"):
            status, page = await _get(f"{base}/v/{bad}")
            assert status == 404 and "This card is not valid." in page
            assert "Traceback" not in page
        status, _answer = await _post(f"{base}/v/{forged}", fields | {"code": museum.code})
        assert status == 404

        network.clock.advance(timedelta(days=400))
        status, page = await _get(url)
        assert status == 200 and "This card is not valid." in page and "It expired on" in page

        await network.play("@alice /card")  # renewed: a new link
        _png, renewed = last_card(network)
        assert renewed != link
        status, page = await _get(renewed.replace("https://relais.test", base))
        assert "Valid card" in page
        await network.play("@alice /card new")  # re-issued: the renewed link stops
        status, page = await _get(renewed.replace("https://relais.test", base))
        assert status == 200 and "replaced by a newer card" in page
        _png, latest = last_card(network)
        status, page = await _get(latest.replace("https://relais.test", base))
        assert "Valid card" in page

        await network.play("@alice /forget\n@alice [Yes, erase my data]")  # she leaves
        status, page = await _get(latest.replace("https://relais.test", base))
        assert status == 404 and "This card is not valid." in page
        async with network.sessions() as session:
            kept = list(await session.scalars(select(BenefitUse.card_id)))
        assert kept == [None, None]  # the uses still count, traced to nobody

    rows = read_csv((await relais(database_url, "export", "benefits")).stdout)
    assert [(r["partner"], r["kind_of_place"], r["text_en"], r["uses"]) for r in rows] == [
        ("Musée des Confluences", "Museum", "Free entry", "2"),
        ("Bouchon Daniel", "Restaurant", "10% off the menu", "0"),
    ]
    assert rows[1]["min_level_points"] == "50" and rows[1]["ends_on"] == "2026-12-31"
    used = read_csv((await relais(database_url, "export", "benefit_uses")).stdout)
    assert [u["partner"] for u in used] == ["Musée des Confluences"] * 2
    assert not {"card_id", "member_id", "member_name"} & set(used[0])  # never who
