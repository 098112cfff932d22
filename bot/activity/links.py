"""How links are compared and shown: when two reported links are the same page, and what
a reviewer must see of a link that hides where it goes.

Normalization follows RFC 3986 (section 6) through yarl, the URL library aiohttp is built
on: scheme and host in lower case, the host in its IDNA (ASCII) form, the default port
dropped, ``.`` and ``..`` segments resolved, percent-encoding normalized (unreserved
characters decoded, hex digits in upper case). On top of that, for mentions: the scheme,
a leading ``www.``, the fragment, a trailing slash and tracking parameters (``utm_*``,
``fbclid``, ``gclid``…) do not make another page, and the query's parameters are sorted.

Query parameters can name another page (``article.php?id=5`` and ``?id=6``), so they stay
part of the key. Adding made-up ones (``?x=1``) to earn again is caught by
:func:`same_page`: a link counts as a page the same member already earned points for when
host and path are the same and one link's parameters are a subset of the other's.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from yarl import URL

#: Parameters that say where a click came from, never which page it is.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "_hs")
TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mkt_tok",
        "_ga",
        "_gl",
        "li_fat_id",
        "oly_enc_id",
        "oly_anon_id",
        "vero_id",
        "rb_clickid",
    }
)


@dataclass(frozen=True, slots=True)
class Page:
    """A link reduced to what names the page: host (with a non-default port), path, and
    its parameters without the tracking ones."""

    where: str
    params: tuple[tuple[str, str], ...]

    @property
    def canonical(self) -> str:
        query = urlencode(self.params)
        return f"{self.where}?{query}" if query else self.where

    def key(self) -> str:
        """Hashed to fit the ledger's unique key."""
        return hashlib.sha256(self.canonical.encode()).hexdigest()[:40]


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


def page(url: str) -> Page:
    """The page ``url`` names (see the module docstring for what is ignored)."""
    parsed = URL(url.strip())
    host = (parsed.raw_host or "").rstrip(".").removeprefix("www.")
    port = "" if parsed.explicit_port is None or parsed.is_default_port() else f":{parsed.port}"
    path = parsed.raw_path.rstrip("/")
    params = tuple(sorted((k, v) for k, v in parsed.query.items() if not _tracking(k)))
    return Page(f"{host}{port}{path}", params)


def link_key(url: str) -> str:
    return page(url).key()


def same_page(first: Page, second: Page) -> bool:
    """The same host and path, and one link's parameters all among the other's."""
    if first.where != second.where:
        return False
    a, b = Counter(first.params), Counter(second.params)
    return a <= b or b <= a


def hidden_host(url: str) -> str | None:
    """The real host of a link that does not show it plainly, else None: a link with
    user information (``https://lyon.fr@evil.example/`` goes to evil.example), or with
    a host in another script (shown in its IDNA form, ``xn--…``)."""
    try:
        parsed = URL(url.strip())
    except ValueError:
        return None
    host = parsed.raw_host or ""
    shown = url.strip().split("//", 1)[-1].split("/", 1)[0].lower()
    if parsed.raw_user is not None or parsed.raw_password is not None:
        return host
    if host.startswith("xn--") or ".xn--" in host or not shown.isascii():
        return host
    return None
