"""An actor, a key and an object are what their own origin says, whatever redirect led to them:
an actor URL of one peer that redirects to another peer's document does not let the second
sign for the first; an object asked of one origin and served by another is not taken; and a
blocked domain's document reached through a redirect from an unblocked one is neither stored
nor trusted. Each peer is a real HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from federation.context import Federation
from federation.errors import FederationError
from federation.remote_actors import actor_for
from models.content import ContentItem
from models.queues import InboxActivity
from models.remote import DomainBlock, RemoteActor
from models.twinnings import Twinning, TwinningInput, create_twinning
from tests.conftest import make_account
from tests.federation.peer import PUBLIC_PEM, Peer, drain, start_peer

BASE = "http://testserver.localhost"
GROUP = f"{BASE}/t/brest_lapaz"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _peer_on(host: str) -> Iterator[Peer]:
    peer, server = start_peer(host)
    yield peer
    server.shutdown()


@pytest.fixture
def x() -> Iterator[Peer]:
    yield from _peer_on("127.0.0.2")


@pytest.fixture
def y() -> Iterator[Peer]:
    yield from _peer_on("127.0.0.3")


async def _twinning(policy: str = "approval") -> Twinning:
    owner = await make_account("maelle")
    return await create_twinning(
        owner, "brest_lapaz", TwinningInput(title={"fr": "Brest"}, join_policy=policy)
    )


def _follow(peer: Peer, name: str) -> dict[str, Any]:
    return {
        "type": "Follow",
        "id": f"{peer.base}/f/{name}",
        "actor": peer.actor(name),
        "object": GROUP,
    }


def _redirect_actor_to(x: Peer, y: Peer, name: str) -> None:
    """X's actor URL answers 302 to Y's document, whose key claims to be X's actor's key."""
    x.redirects[f"/users/{name}"] = y.actor(name)
    document = y.actor_document(y.actor(name))
    document["publicKey"] = {
        "id": f"{x.actor(name)}#main-key",
        "owner": y.actor(name),
        "publicKeyPem": PUBLIC_PEM,
    }
    y.documents[f"/users/{name}"] = document


async def _post(client: httpx.AsyncClient, peer: Peer, name: str, activity: dict[str, Any]) -> int:
    headers, body = peer.signed_post(name, activity, f"{GROUP}/inbox")
    r = await client.post("/t/brest_lapaz/inbox", content=body, headers=headers)
    return r.status_code


async def test_actor_redirected_to_another_origin_cannot_sign_as_the_first(
    client: httpx.AsyncClient, x: Peer, y: Peer
) -> None:
    await _twinning()
    _redirect_actor_to(x, y, "ana")
    # Signed with the key Y publishes, under X's actor's key id, as X's actor.
    status = await _post(client, x, "ana", _follow(x, "ana"))
    assert status in (401, 403)
    assert not await InboxActivity.exists()
    assert not await RemoteActor.filter(uri=x.actor("ana")).exists()
    assert not await RemoteActor.filter(key_id=f"{x.actor('ana')}#main-key").exists()


async def test_actor_reached_through_a_redirect_is_stored_under_its_own_id(
    fed: Federation, x: Peer, y: Peer
) -> None:
    x.redirects["/users/bob"] = y.actor("bob")  # Y's own, consistent document
    with pytest.raises(FederationError):
        await actor_for(fed, x.actor("bob"))
    assert not await RemoteActor.filter(uri=x.actor("bob")).exists()
    stored = await RemoteActor.get(uri=y.actor("bob"))
    assert stored.key_id == f"{y.actor('bob')}#main-key" and stored.domain == "127.0.0.3"


def _note(uri: str, author: str, text: str) -> dict[str, Any]:
    return {
        "id": uri,
        "type": "Note",
        "attributedTo": author,
        "content": f"<p>{text}</p>",
        "to": [PUBLIC],
        "cc": [GROUP],
    }


def _create(peer: Peer, n: int, object_uri: str) -> dict[str, Any]:
    return {
        "type": "Create",
        "id": f"{peer.base}/c/{n}",
        "actor": peer.actor("ana"),
        "object": object_uri,
        "to": [PUBLIC],
        "cc": [GROUP],
    }


async def test_object_fetched_through_a_cross_origin_redirect_is_refused(
    client: httpx.AsyncClient, fed: Federation, x: Peer, y: Peer
) -> None:
    await _twinning("open")
    join = {"type": "Join", "id": f"{x.base}/joins/ana", "actor": x.actor("ana"), "object": GROUP}
    assert await _post(client, x, "ana", join) == 202
    await drain(fed)
    redirected, direct = f"{x.base}/notes/1", f"{x.base}/notes/2"
    x.redirects["/notes/1"] = f"{y.base}/notes/1"
    y.documents["/notes/1"] = _note(f"{y.base}/notes/1", x.actor("ana"), "from elsewhere")
    x.documents["/notes/2"] = _note(direct, x.actor("ana"), "from home")

    assert await _post(client, x, "ana", _create(x, 1, redirected)) == 202
    assert await _post(client, x, "ana", _create(x, 2, direct)) == 202
    await drain(fed)

    assert not await ContentItem.filter(uri__in=[redirected, f"{y.base}/notes/1"]).exists()
    refused = await InboxActivity.get(activity_uri=f"{x.base}/c/1")
    assert "another origin" in refused.last_error
    assert await ContentItem.filter(uri=direct).exists()  # the same path, without a redirect


async def test_suspended_domains_key_reached_through_a_redirect_stores_nothing(
    client: httpx.AsyncClient, fed: Federation, x: Peer, y: Peer
) -> None:
    await _twinning()
    await DomainBlock.create(domain="127.0.0.3", severity="suspend")
    _redirect_actor_to(x, y, "ana")
    status = await _post(client, x, "ana", _follow(x, "ana"))
    assert status in (401, 403)
    await drain(fed)
    assert not await InboxActivity.exists()
    assert not await RemoteActor.exists()

    # Y's own, consistent document is not stored either when a redirect leads to it.
    x.redirects["/users/bob"] = y.actor("bob")
    with pytest.raises(FederationError):
        await actor_for(fed, x.actor("bob"))
    assert not await RemoteActor.exists()
