"""Authorized fetch: who signed a GET. Partner-only objects are served only to a signed
request from an actor the visibility rule lets see them; everyone else gets 404."""

from __future__ import annotations

from collections.abc import Mapping

from federation.context import Federation
from federation.errors import SignatureError
from federation.remote_actors import key_lookup
from federation.signatures import claimed_key_id, verify_request
from models.remote import block_of


async def signing_actor(fed: Federation, url: str, headers: Mapping[str, str]) -> str | None:
    """The verified actor behind a signed GET; None when unsigned or badly signed, which the
    caller treats as anonymous (so a bad signature reveals nothing either)."""
    if "signature" not in {k.lower() for k in headers}:
        return None
    try:
        verified = await verify_request(
            "GET", url, headers, b"", domain=fed.settings.domain, lookup=key_lookup(fed)
        )
    except SignatureError:
        return None
    return verified.owner


async def is_signed_by_blocked_domain(headers: Mapping[str, str]) -> bool:
    """A request signed with a key of a blocked domain: refused whatever it asks, so a
    suspended server reads nothing here, not even what is public to anonymous visitors under
    its own name. Keys are bound to their actor's origin, so the claimed key id is enough."""
    key_id = claimed_key_id(headers)
    return key_id is not None and await block_of(key_id) is not None
