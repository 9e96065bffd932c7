"""The one outgoing HTTP client, for every fetch and delivery.

It refuses private, loopback, link-local, mapped-IPv6 and other non-global addresses at connect
time (on the address the socket is about to connect to, after DNS, so a name that resolves
inward is refused too) unless the admin allows them; it bounds each request by a connect
timeout, a read timeout (no byte for that long: a host that accepts and never answers), a total
deadline and the decompressed size of the body; it follows redirects by hand so that each hop goes
through the same checks; and for ActivityStreams fetches it requires the media type, that
the document's ``id`` is the URL it finally came from and, unless the caller takes care of it
(actors, stored under their own id), that no redirect led to another origin: an object asked
of one origin is never taken from another one's word.

It is built on aiohttp (already there through bovine) rather than httpx: deliveries spend most
of their time in the client, and aiohttp costs a fraction of httpx's CPU per request and keeps
idle connections per host in a dict, so one pool serves a thousand hosts."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import socket
import ssl
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohappyeyeballs import AddrInfoType
from yarl import URL

from federation.errors import FederationError
from federation.vocabulary import ACTIVITY_JSON, LD_JSON

MAX_BYTES = 1024 * 1024
DEADLINE = 15.0
CONNECT_TIMEOUT = 5.0  # seconds to open a connection
READ_TIMEOUT = 10.0  # seconds without a byte from the remote end
MAX_REDIRECTS = 3
HOSTS_AT_ONCE = 64  # remote hosts a delivery cycle talks to at the same time
CONNECTIONS = 256  # open connections at once, all hosts together
PER_HOST = 4  # open connections to one host at once
IDLE_SECONDS = 30.0  # an idle connection is kept this long for the next request to its host
USER_AGENT = "Jumelage (ActivityPub)"


class FetchError(FederationError):
    """A remote resource could not be fetched safely; the message says why."""

    status = 502


def origin_of(url: str) -> str:
    """Scheme, host and port: what one server speaks for."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_forbidden_address(address: str) -> bool:
    """Anything but a global unicast address; IPv4 mapped into IPv6 is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def guarded_socket(allow_private: bool) -> typing.Callable[[AddrInfoType], socket.socket]:
    """aiohttp's socket factory: it sees the very address about to be connected to, literal
    or resolved, so nothing (a second DNS answer, an IP literal that skips the resolver) gets
    between the check and the connection."""

    def make(info: AddrInfoType) -> socket.socket:
        family, kind, proto, _, address = info
        if not allow_private and is_forbidden_address(str(address[0])):
            # With an errno, the text is the OSError's strerror, which aiohttp's message shows.
            raise OSError(errno.EACCES, f"refusing to connect to {address[0]}, a private address")
        sock = socket.socket(family=family, type=kind, proto=proto)
        sock.setblocking(False)
        return sock

    return make


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


Signer = typing.Callable[[str, str, bytes | None], dict[str, str]]


class RemoteClient:
    """One per process, closed at shutdown. The aiohttp session is opened on first use, inside
    the running event loop, as aiohttp requires."""

    def __init__(
        self,
        allow_private: bool = False,
        deadline: float = DEADLINE,
        max_bytes: int = MAX_BYTES,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                ssl=self.ssl_context,
                limit=CONNECTIONS,
                limit_per_host=PER_HOST,
                keepalive_timeout=IDLE_SECONDS,
                ttl_dns_cache=60,
                socket_factory=guarded_socket(self.allow_private),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": USER_AGENT},
                timeout=aiohttp.ClientTimeout(
                    total=self.deadline, sock_connect=CONNECT_TIMEOUT, sock_read=READ_TIMEOUT
                ),
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        schemes = ("https", "http") if self.allow_private else ("https",)
        if parts.scheme not in schemes or not parts.hostname:
            raise FetchError(f"refusing to fetch {url!r}: only {'/'.join(schemes)} URLs")

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        signer: Signer | None = None,
        max_bytes: int | None = None,
    ) -> Fetched:
        """GET follows redirects (each hop checked and signed anew); POST never does.
        ``max_bytes``: a larger bound for files (documents shared by a twinning)."""
        limit = max_bytes or self.max_bytes
        try:
            async with asyncio.timeout(self.deadline):
                return await self._request(method, url, body, dict(headers or {}), signer, limit)
        except TimeoutError as exc:
            raise FetchError(f"{url} did not answer within {self.deadline:.0f}s") from exc

    async def _request(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        signer: Signer | None,
        limit: int,
    ) -> Fetched:
        for _ in range(MAX_REDIRECTS + 1):
            self._check_url(url)
            signed = {**headers, **(signer(method, url, body) if signer else {})}
            fetched = await self._once(method, url, body, signed, limit)
            location = fetched.headers.get("location")
            if method != "GET" or fetched.status not in (301, 302, 303, 307, 308) or not location:
                return fetched
            url = urljoin(url, location)
        raise FetchError(f"too many redirects from {url}")

    async def _once(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], limit: int
    ) -> Fetched:
        try:
            async with self.session.request(
                method, URL(url, encoded=True), data=body, headers=headers, allow_redirects=False
            ) as response:
                chunks, size = [], 0
                async for chunk in response.content.iter_chunked(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"{url} sent more than {limit} bytes")
                    chunks.append(chunk)
                return Fetched(url, response.status, response.headers, b"".join(chunks))
        except (aiohttp.ClientError, ValueError) as exc:
            raise FetchError(f"cannot reach {url}: {exc}") from exc

    async def fetch_object(
        self, url: str, signer: Signer | None = None, *, other_origin: bool = False
    ) -> dict[str, Any]:
        """An ActivityStreams document whose ``id`` is the URL that served it. A redirect to
        another origin is refused unless ``other_origin``: then the document speaks for the
        origin that served it, never for the one asked (the caller stores it under its id)."""
        fetched = await self.request(
            "GET", url, headers={"Accept": f"{ACTIVITY_JSON}, {LD_JSON}"}, signer=signer
        )
        if not other_origin and origin_of(fetched.url) != origin_of(url):
            raise FetchError(f"{url} redirected to another origin ({origin_of(fetched.url)})")
        if fetched.status != 200:
            raise FetchError(f"{fetched.url} answered {fetched.status}")
        media = fetched.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in (ACTIVITY_JSON, "application/ld+json"):
            raise FetchError(f"{fetched.url} is not ActivityStreams ({media or 'no type'})")
        try:
            document = json.loads(fetched.body)
        except ValueError as exc:
            raise FetchError(f"{fetched.url} sent invalid JSON") from exc
        if not isinstance(document, dict) or document.get("id") != fetched.url:
            raise FetchError(f"the document at {fetched.url} claims another id")
        return document
