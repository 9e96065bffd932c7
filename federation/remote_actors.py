"""Remote actors: fetched through the safe client, cached with an expiry, refreshed once when
a signature fails to verify with the cached key.

An actor is what its own origin says: a document is stored under the id it declares, which is
the URL that finally served it (after redirects), and its key must be that actor's, on that
origin. So an actor URL of one server that redirects to another server's document never
makes that document, or its key, speak for the first; and a blocked domain's document is
never stored, whichever URL led to it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urldefrag

from federation.context import Federation
from federation.errors import DomainBlocked, FederationError
from federation.fetch import origin_of
from federation.icons import keep_icon
from federation.signatures import KeyLookup, PublicKey
from models.remote import RemoteActor, block_of, host_of, now

CACHE_FOR = timedelta(days=1)
MAX_FIELD = 500


def _text(value: Any, limit: int = MAX_FIELD) -> str:
    return value[:limit] if isinstance(value, str) else ""


def actor_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The parts of an actor document we keep; refuses documents we could not deliver to or
    verify, and keys owned by someone else."""
    uri = document.get("id")
    inbox = document.get("inbox")
    if not isinstance(uri, str) or not isinstance(inbox, str):
        raise FederationError("actor document without id or inbox")
    if host_of(inbox) != host_of(uri):
        raise FederationError("actor inbox on another host")
    key = document.get("publicKey")
    key = key[0] if isinstance(key, list) and key else key
    key = key if isinstance(key, dict) else {}
    if key and key.get("owner", uri) != uri:
        raise FederationError("actor key owned by another actor")
    if key and origin_of(str(key.get("id", uri))) != origin_of(uri):
        raise FederationError("actor key on another origin")
    endpoints = document.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    return {
        "actor_type": _text(document.get("type"), 20),
        "handle": _text(document.get("preferredUsername"), 100),
        "domain": host_of(uri),
        "name": _text(document.get("name"), 200),
        "url": _text(document.get("url")),
        "inbox": inbox,
        "shared_inbox": shared
        if isinstance(shared, str) and host_of(shared) == host_of(uri)
        else "",
        "key_id": _text(key.get("id")),
        "public_key_pem": _text(key.get("publicKeyPem"), 10_000),
    }


async def fetch_actor(fed: Federation, uri: str) -> RemoteActor:
    """Fetches (signed by the instance actor) and stores the current document of the actor
    at ``uri``, under the id it declares: the URL that served it, which a redirect may have
    put on another origin (the caller compares)."""
    if await block_of(uri):
        raise DomainBlocked("this domain is blocked here", f"not fetching {uri}")
    document = await fed.client.fetch_object(uri, fed.instance_signer, other_origin=True)
    declared = document["id"]  # the final URL: fetch_object checks it
    if await block_of(declared):
        raise DomainBlocked("this domain is blocked here", f"{uri} led to {declared}")
    values = actor_fields(document)
    actor, _ = await RemoteActor.update_or_create(
        uri=declared, defaults={**values, "fetched_at": now()}
    )
    await keep_icon(fed, actor, document)
    return actor


async def actor_for(fed: Federation, uri: str, refresh: bool = False) -> RemoteActor:
    """The actor whose id is ``uri``: cached, fetched again when missing, stale or asked to
    refresh. An address that now serves another actor's document is refused."""
    actor = await RemoteActor.get_or_none(uri=uri)
    if actor is None or refresh or actor.fetched_at < now() - CACHE_FOR:
        actor = await fetch_actor(fed, uri)
    if actor.uri != uri:
        raise FederationError("the actor's address serves another actor", f"{uri} is {actor.uri}")
    return actor


def key_lookup(fed: Federation, refresh: bool = False) -> KeyLookup:
    """Key ids are the actor's URI with a fragment (Mastodon) or the actor's URI itself. The
    key found is the one the actor's own document names, and its owner that actor; no key of
    a blocked domain is found."""

    async def lookup(key_id: str) -> PublicKey | None:
        actor_uri = urldefrag(key_id).url
        if await block_of(actor_uri):
            return None
        try:
            actor = await actor_for(fed, actor_uri, refresh=refresh)
        except FederationError:
            return None
        if actor.key_id != key_id or not actor.public_key_pem:
            return None
        return PublicKey(key_id, actor.uri, actor.public_key_pem)

    return lookup
