"""Several real Relais processes on one PostgreSQL database, behind a real HAProxy.

Each :class:`Worker` is ``python -m bot -v --config config.example.toml run`` with
Telegram in webhook mode on a port of its own; :class:`Proxy` is Debian's HAProxy,
started on loopback with a generated configuration that spreads the webhook requests
over the workers in turn (``.ci/run`` installs it). :meth:`Cluster.post` plays
Telegram's part: it posts an update to the proxy and sends it again until it is answered
200, as Telegram does with a webhook. Used by ``tests/system/test_processes.py`` and
``bench/processes.py``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.paths import EXAMPLE_CONFIG

#: Debian's HAProxy, when installed (``apt-get install haproxy``).
HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
)
SECRET = "cluster-webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ROOT = Path(__file__).resolve().parents[2]


def free_ports(count: int) -> list[int]:
    """Ports free on loopback now (held open together, so they differ)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


async def wait_until(predicate: Callable[[], bool], within: float, what: str) -> None:
    """Poll ``predicate`` until it holds; fail after ``within`` seconds (real processes
    work on their own: there is no clock to move)."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting for {what} after {within} s")
        await asyncio.sleep(0.05)


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def haproxy_config(port: int, backends: list[int]) -> str:
    """Round robin over the workers; a connection refused (a dead worker) is tried on
    another one (``redispatch``); a worker whose port stops answering is left out within
    a fifth of a second until it answers again."""
    servers = "\n".join(
        f"    server relais{i} 127.0.0.1:{p} check inter 200ms fall 1 rise 1"
        for i, p in enumerate(backends, 1)
    )
    return f"""global
    maxconn 512

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1

frontend telegram
    bind 127.0.0.1:{port}
    default_backend relais

backend relais
    balance roundrobin
{servers}
"""


class Proxy:
    """HAProxy in the foreground (``-db``), stopped with the cluster."""

    def __init__(self, port: int, backends: list[int], workdir: Path) -> None:
        self.port = port
        self.path = workdir / "haproxy.cfg"
        self.path.write_text(haproxy_config(port, backends))
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        assert HAPROXY is not None, "HAProxy is not installed"
        self.process = await asyncio.create_subprocess_exec(
            HAPROXY, "-q", "-db", "-f", str(self.path), stdin=asyncio.subprocess.DEVNULL
        )
        await wait_until(lambda: accepts(self.port), 10, "HAProxy to listen")

    async def stop(self) -> None:
        await _end(self.process)


class Worker:
    """One ``relais run`` process serving the webhook on ``port``."""

    def __init__(self, index: int, port: int, env: dict[str, str], workdir: Path) -> None:
        self.index, self.port = index, port
        self.env = {**env, "RELAIS_TELEGRAM__WEBHOOK_PORT": str(port)}
        self.workdir = workdir
        self.log_path = workdir / f"relais{index}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        self.log_path = self.workdir / f"relais{self.index}-{self.starts}.log"
        with self.log_path.open("w") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "-v",
                "--config",
                str(EXAMPLE_CONFIG),
                "run",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=self.env,
                cwd=ROOT,
            )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def lines(self, text: str) -> int:
        return self.log().count(text)

    async def kill(self) -> None:
        """SIGKILL: nothing is cleaned up, as when a host or the kernel stops it."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        await _end(self.process)


class Cluster:
    """``size`` workers on ``database_url`` behind one proxy, talking to ``api_base_url``
    (the fake Bot API). ``env`` adds or overrides ``RELAIS_*`` settings."""

    def __init__(
        self,
        *,
        size: int,
        database_url: str,
        api_base_url: str,
        token: str,
        workdir: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        *backends, front = free_ports(size + 1)
        self.url = f"http://127.0.0.1:{front}/telegram"
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("RELAIS_") or key == "RELAIS_TEST_PG"
        }
        base.update(
            {
                "RELAIS_DATABASE_URL": database_url,
                "RELAIS_TELEGRAM_TOKEN": token,
                "RELAIS_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "RELAIS_TELEGRAM__API_BASE_URL": api_base_url,
                "RELAIS_TELEGRAM__MODE": "webhook",
                "RELAIS_TELEGRAM__WEBHOOK_URL": self.url,
                "RELAIS_JOBS__LEADER_POLL_SECONDS": "0.5",
                "RELAIS_DELIVERY__LEASE_SECONDS": "3",
                "PYTHONUNBUFFERED": "1",
            }
        )
        base.update(env or {})
        self.workers = [Worker(i, port, base, workdir) for i, port in enumerate(backends, 1)]
        self.proxy = Proxy(front, backends, workdir)
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Cluster:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        await self.proxy.start()
        for worker in self.workers:
            await worker.start()
        await self.ready(self.workers)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await asyncio.gather(*(worker.stop() for worker in self.workers))
        await self.proxy.stop()
        if self._http is not None:
            await self._http.close()

    async def ready(self, workers: list[Worker]) -> None:
        """Until each worker serves its webhook and has looked at the scheduler lock."""

        def up() -> bool:
            for worker in workers:
                if not worker.alive:
                    raise RuntimeError(f"relais{worker.index} ended:\n{worker.log()[-3000:]}")
            return all(accepts(w.port) and _polled(w) for w in workers)

        await wait_until(up, 60, "the Relais processes to start")

    def leaders(self) -> list[Worker]:
        """Workers that said they run the scheduler (and are alive)."""
        return [w for w in self.workers if w.alive and _leading(w)]

    async def post(self, update: dict[str, Any], *, port: int | None = None) -> int:
        """Telegram's part: post until answered 200 (to the proxy, or to one worker's
        ``port``); returns how many attempts it took."""
        assert self._http is not None
        url = self.url if port is None else f"http://127.0.0.1:{port}/telegram"
        pause, attempts, deadline = 0.05, 0, time.monotonic() + 60
        while True:
            attempts += 1
            try:
                async with self._http.post(
                    url, json=update, headers={SECRET_HEADER: SECRET}
                ) as response:
                    if response.status == 200:
                        return attempts
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"update {update['update_id']} was never answered 200")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)


def _polled(worker: Worker) -> bool:
    text = worker.log()
    return "runs the scheduler" in text


def _leading(worker: Worker) -> bool:
    """The last thing the worker said about the scheduler is that it leads."""
    text = worker.log()
    lead = text.rfind("this process runs the scheduler")
    follow = text.rfind("another process runs the scheduler")
    return lead > follow


async def _end(process: asyncio.subprocess.Process | None) -> None:
    if process is None or process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 15)
    except TimeoutError:
        process.kill()
        await process.wait()
