"""The one outgoing HTTP client, for every fetch and delivery.

It refuses private, loopback, link-local, mapped-IPv6 and other non-global addresses at connect
time (after DNS, so a name that resolves inward is refused too) unless the admin allows them; it
bounds each request by a total deadline and the decompressed size of the body; it follows
redirects by hand so that each hop goes through the same checks; and for ActivityStreams fetches
it requires the media type and that the document's ``id`` is the URL it came from."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from httpcore._backends.auto import AutoBackend

from federation.errors import FederationError
from federation.vocabulary import ACTIVITY_JSON, LD_JSON

MAX_BYTES = 1024 * 1024
DEADLINE = 15.0
MAX_REDIRECTS = 3
HOSTS_AT_ONCE = 64  # remote hosts a delivery cycle talks to at the same time
USER_AGENT = "Jumelage (ActivityPub)"


class FetchError(FederationError):
    """A remote resource could not be fetched safely; the message says why."""

    status = 502


def is_forbidden_address(address: str) -> bool:
    """Anything but a global unicast address; IPv4 mapped into IPv6 is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself and connects to a checked address, so what is checked is
    what is connected to (no second DNS answer in between)."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.inner = AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: typing.Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}") from exc
        addresses = [str(info[4][0]) for info in infos]
        allowed = [a for a in addresses if self.allow_private or not is_forbidden_address(a)]
        if not allowed:
            raise httpcore.ConnectError(f"{host} resolves to a private address")
        return await self.inner.connect_tcp(
            allowed[0], port, timeout, local_address, socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx 0.28 offers no way to choose httpcore's network backend, so the connection pool
    it builds is replaced by one that uses ``GuardedBackend``."""

    def __init__(self, allow_private: bool, ssl_context: ssl.SSLContext, size: int) -> None:
        super().__init__(verify=ssl_context)  # reusing the context: building one costs ~20 ms
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=size,
            max_keepalive_connections=size,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allow_private),
        )


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes


Signer = typing.Callable[[str, str, bytes | None], dict[str, str]]


class RemoteClient:
    """One per process (``close`` at shutdown), plus short-lived ones per remote host for
    deliveries: httpcore scans its whole pool on every request, so one shared pool holding
    connections to a thousand hosts spends its time scanning."""

    def __init__(
        self,
        allow_private: bool = False,
        deadline: float = DEADLINE,
        max_bytes: int = MAX_BYTES,
        ssl_context: ssl.SSLContext | None = None,
        pool_size: int = 32,
    ) -> None:
        self.allow_private = allow_private
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.ssl_context = ssl_context or httpx.create_ssl_context()
        self.http = httpx.AsyncClient(
            transport=GuardedTransport(allow_private, self.ssl_context, pool_size),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(deadline),
        )

    def for_one_host(self) -> RemoteClient:
        """A client with its own small pool; the caller closes it."""
        return RemoteClient(
            self.allow_private, self.deadline, self.max_bytes, self.ssl_context, pool_size=2
        )

    async def close(self) -> None:
        await self.http.aclose()

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
            request = self.http.build_request(method, url, content=body, headers=headers)
            response = await self.http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot reach {url}: {exc}") from exc
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url} sent more than {limit} bytes")
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise FetchError(f"broken answer from {url}: {exc}") from exc
        finally:
            await response.aclose()
        return Fetched(url, response.status_code, response.headers, b"".join(chunks))

    async def fetch_object(self, url: str, signer: Signer | None = None) -> dict[str, Any]:
        """An ActivityStreams document whose ``id`` is the URL that served it."""
        fetched = await self.request(
            "GET", url, headers={"Accept": f"{ACTIVITY_JSON}, {LD_JSON}"}, signer=signer
        )
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
