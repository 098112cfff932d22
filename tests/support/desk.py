"""The web desk in tests: a network with every role, its web server on a free port, and
browsers (aiohttp client sessions with their own cookies) signed in through ``/desk``.

People: carol (coordinator), rita (referent of business), tess (referent of tourism),
mia (member, business), and applicants ann and bob (business) and pia (tourism).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from bot.app import Relais
from bot.runtime import build_web
from bot.web.server import WebServer
from tests.support.harness import Network, NetworkFactory
from tests.support.people import member_id, with_roles

PUBLIC = "http://relais.test"
LINK = re.compile(r"https?://relais\.test(/desk/signin/[A-Za-z0-9_\-]+)")
ENGLISH = {"Accept-Language": "en"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def desk_network(network_factory: NetworkFactory, public: str = PUBLIC, **env: str) -> Network:
    network = network_factory(web__public_url=public, network__registration="approval", **env)
    return with_roles(
        network,
        coordinators=["console:carol"],
        referents={"business": ["console:rita"], "tourism": ["console:tess"]},
    )


async def populate(network: Network) -> None:
    """Everyone of the module docstring, joined through the console."""
    await network.join("carol")
    await network.join("rita", "Business")
    await network.join("tess", "Tourism & culture")
    await network.join("mia")
    await approve(network, "mia")  # referents of the config file are active at once
    await network.join("ann")
    await network.join("bob")
    await network.join("pia", "Tourism & culture")


async def approve(network: Network, name: str) -> None:
    """A coordinator approves ``name`` with the chat's button."""
    number = await member_id(network, name.capitalize())
    await network.play(f"@carol /pending\n@carol [Approve #{number}]")


def sign_in_path(out: str) -> str:
    found = LINK.search(out)
    assert found is not None, out
    return found.group(1)


@dataclass
class Browser:
    """One browser: its own cookies, talking to the test server."""

    client: aiohttp.ClientSession
    base: str

    async def get(self, path: str) -> tuple[int, str]:
        async with self.client.get(self.base + path, allow_redirects=False) as answer:
            return answer.status, await answer.text()

    async def post(
        self, path: str, data: dict[str, str] | list[tuple[str, str]]
    ) -> tuple[int, str]:
        async with self.client.post(self.base + path, data=data, allow_redirects=False) as answer:
            return answer.status, await answer.text()

    async def csrf(self, path: str = "/desk/me") -> str:
        _status, page = await self.get(path)
        found = CSRF.search(page)
        assert found is not None, page
        return found.group(1)


class Running(Protocol):
    """A network of any platform: its app is what the web server serves."""

    @property
    def app(self) -> Relais: ...


@asynccontextmanager
async def served(network: Running) -> AsyncIterator[WebServer]:
    server = build_web(network.app, port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@asynccontextmanager
async def browser(server: WebServer) -> AsyncIterator[Browser]:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, headers=ENGLISH) as client:
        yield Browser(client, f"http://127.0.0.1:{server.port_bound}")


async def signed_in(network: Network, server: WebServer, name: str) -> Browser:
    """Not a context manager: the caller closes ``browser.client``."""
    out = await network.play(f"@{name} /desk")
    path = sign_in_path(out)
    jar = aiohttp.CookieJar(unsafe=True)
    client = aiohttp.ClientSession(cookie_jar=jar, headers=ENGLISH)
    page = Browser(client, f"http://127.0.0.1:{server.port_bound}")
    status, _text = await page.post(path, {})
    assert status == 303, (status, _text)
    return page
