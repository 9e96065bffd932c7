"""The address of the client a request comes from, as rate limits and the access log see it.

Behind a reverse proxy every request comes from the proxy; when the peer is one of the
configured ``trusted_proxies``, the client is the right-most X-Forwarded-For entry that is not
a trusted proxy (entries further left are whatever the client chose to send). Without trusted
proxies the header is ignored, so nobody can pick their own address. ``X-Forwarded-Proto``
and ``X-Forwarded-Host`` are never read: the public address is ``JUMELAGE_DOMAIN`` and
``JUMELAGE_SCHEME``, whoever asks."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

from models.config import IPNetwork

MAX_ADDRESS = 64


def _trusted(host: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def forwarded_client(
    peer: str, forwarded_for: Iterable[str], networks: tuple[IPNetwork, ...]
) -> str:
    """The client behind ``peer``: the peer itself unless it is a trusted proxy, otherwise
    the nearest address in the X-Forwarded-For values that no trusted proxy holds."""
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:MAX_ADDRESS]
    return hops[0][:MAX_ADDRESS] if hops else peer


def client_address(request: Request) -> str:
    """The client's address, once ``server.middleware.ForwardedClient`` has put it in place
    of the proxy's."""
    return request.client.host if request.client else "unknown"
