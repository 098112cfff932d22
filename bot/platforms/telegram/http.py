"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

PTB sends every Bot API call through a :class:`telegram.request.BaseRequest`; its
default, ``HTTPXRequest``, spends most of a call's CPU in httpx and httpcore (pure-Python
HTTP/1.1, anyio streams, the pool's bookkeeping): about 1 ms of a 1.4 ms call on the
benchmark machine. aiohttp (already installed: discord.py runs on it) parses HTTP in C.
This class is PTB's documented extension point; everything above it (parameters, JSON
decoding, ``RetryAfter``/``Forbidden``/``ChatMigrated``, timeouts) is PTB's own code.

Errors map as PTB's: a timeout is ``TimedOut``, any other transport failure
``NetworkError``; the status and body go back to PTB, which raises the Bot API errors.

Proxies come from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``), read
once per Bot API host, as httpx read them once per client. aiohttp's own ``trust_env``
reads them, and ``~/.netrc``, again on every request, each time in a worker thread: two
thread hand-offs and a file lookup per message, about a fifth of the bot's CPU in a
broadcast.
"""

from __future__ import annotations

import logging
import ssl
import urllib.request
from urllib.parse import SplitResult, urlencode, urlsplit

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
#: Bot API URLs whose proxy is remembered (one per method called).
_MAX_URLS = 256

#: PTB's own defaults (``HTTPXRequest``): seconds.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """Bot API calls over one keep-alive :class:`aiohttp.ClientSession`."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        read_timeout: float | None = READ_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None
        #: The proxy for each (scheme, host, port) called so far; None: direct.
        self._proxies: dict[tuple[str, str, int | None], str | None] = {}
        #: The same by full URL (one per Bot API method): no URL parsing per call.
        self._by_url: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # As httpx did: certifi's certificates; proxies, see the module docstring.
            tls = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=tls)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )
            self._proxies.clear()
            self._by_url.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            # aiohttp has no write timeout: the whole call gets read + write.
            total=None if read is None or write is None else read + write,
            connect=_seconds(pool_timeout, POOL_TIMEOUT),
            sock_connect=_seconds(connect_timeout, self._connect_timeout),
            sock_read=read,
        )
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] | None = None
        if files:
            form = aiohttp.FormData()
            for name, value in (request_data.json_parameters if request_data else {}).items():
                form.add_field(name, value)
            for name, part in files.items():
                filename, content, mimetype = _file_part(part)
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        elif request_data is not None:
            # Encoded here rather than by aiohttp's FormData, which builds a multipart
            # writer (and a random boundary) for every request before choosing the
            # URL-encoded form: a tenth of a call's CPU in a broadcast.
            body = urlencode(request_data.json_parameters).encode()
            headers = _FORM
        proxy = self._proxy(url)
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=proxy
            ) as response:
                content = await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        if log.isEnabledFor(logging.DEBUG):  # the URL holds the token: redaction masks it
            log.debug("HTTP Request: %s %s %d", method, url, response.status)
        return response.status, content

    def _proxy(self, url: str) -> str | None:
        """The environment's proxy for ``url``'s host, looked up once per host."""
        if url in self._by_url:
            return self._by_url[url]
        if len(self._by_url) > _MAX_URLS:
            self._by_url.clear()
        self._by_url[url] = found = self._proxy_of_host(url)
        return found

    def _proxy_of_host(self, url: str) -> str | None:
        target = urlsplit(url)
        key = (target.scheme, target.hostname or "", target.port)
        if key not in self._proxies:
            self._proxies[key] = proxy_from_environment(target)
        return self._proxies[key]


def proxy_from_environment(url: SplitResult) -> str | None:
    """``<scheme>_PROXY`` for ``url`` unless ``NO_PROXY`` exempts its host (the standard
    library's reading of them, which aiohttp's ``trust_env`` uses too). Credentials in
    the proxy's URL are kept; aiohttp sends them to the proxy."""
    if url.hostname is not None and urllib.request.proxy_bypass(url.hostname):
        return None
    return urllib.request.getproxies().get(url.scheme)


def _seconds(value: object, default: float | None) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return None
    return default  # PTB's DEFAULT_NONE: the transport's own default


def _file_part(part: object) -> tuple[str | None, bytes, str | None]:
    """PTB gives ``(filename, content, mimetype)`` or ``(filename, content)``."""
    if isinstance(part, tuple):
        filename = part[0] if len(part) > 0 else None
        content = part[1] if len(part) > 1 else b""
        mimetype = part[2] if len(part) > 2 else None
        return filename, content, mimetype
    return None, part if isinstance(part, bytes) else bytes(str(part), "utf-8"), None
