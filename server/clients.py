"""The address of the client a request comes from, as rate limits count it.

Behind a reverse proxy every request comes from the proxy; when the peer is one of the
configured ``trusted_proxies``, the client is the right-most X-Forwarded-For entry that is not
a trusted proxy (entries further left are whatever the client chose to send). Without trusted
proxies the header is ignored, so nobody can pick their own address."""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

from models.config import IPNetwork

MAX_ADDRESS = 64


def _trusted(host: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    networks = request.app.state.settings.trusted_proxies
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
    hops = [hop.strip() for hop in forwarded if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:MAX_ADDRESS]
    return hops[0][:MAX_ADDRESS] if hops else peer
