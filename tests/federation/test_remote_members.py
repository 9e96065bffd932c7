"""People of other servers in a twinning (FEP-1b12 Join/Leave): a Join waits for a moderator,
the Accept goes back, partner-only updates reach remote members by name and no one else, and
only a member's signed fetch can read them."""

from __future__ import annotations

import json

import httpx

from federation.context import Federation
from federation.signatures import sign_request
from models.remote import RemoteMembership
from models.twinnings import Twinning, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form
from tests.federation.peer import PRIVATE_PEM, Peer, drain

BASE = "http://testserver.localhost"
GROUP = f"{BASE}/t/brest_lapaz"
SECRET = "zqx partner budget"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _send(client: httpx.AsyncClient, peer: Peer, name: str, activity: dict) -> None:  # type: ignore[type-arg]
    headers, body = peer.signed_post(name, activity, f"{GROUP}/inbox")
    r = await client.post("/t/brest_lapaz/inbox", content=body, headers=headers)
    assert r.status_code == 202, r.text


def _join(peer: Peer, name: str) -> dict[str, str]:
    return {
        "type": "Join",
        "id": f"{peer.base}/joins/{name}",
        "actor": peer.actor(name),
        "object": GROUP,
    }


async def ana_asks_to_join(client: httpx.AsyncClient, peer: Peer, policy: str) -> Twinning:
    """Maelle's twinning brest_lapaz, with the given join policy, and ana's Join to it from
    the peer (not yet processed)."""
    owner = await make_account("maelle")
    twinning = await create_twinning(
        owner, "brest_lapaz", TwinningInput(title={"fr": "Brest"}, join_policy=policy)
    )
    await _send(client, peer, "ana", _join(peer, "ana"))
    return twinning


async def _signed_get(client: httpx.AsyncClient, peer: Peer, name: str, path: str) -> int:
    headers = sign_request("GET", BASE + path, peer.actor(name) + "#main-key", PRIVATE_PEM)
    headers["accept"] = "application/activity+json"
    return (await client.get(path, headers=headers)).status_code


async def test_remote_member_joins_with_approval_and_receives_partner_items_alone(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    await ana_asks_to_join(client, peer, "approval")
    await _send(
        client,
        peer,
        "bob",
        {"type": "Follow", "id": f"{peer.base}/f/bob", "actor": peer.actor("bob"), "object": GROUP},
    )
    await drain(fed)
    membership = await RemoteMembership.get()
    assert membership.state == "pending"
    assert [r.activity["type"] for r in peer.received] == ["Accept"]  # bob's follow only

    await log_in(client, "maelle")
    page = await client.get("/t/brest_lapaz/members")
    assert "@ana@127.0.0.1" in page.text
    r = await post_form(
        client,
        "/t/brest_lapaz/members",
        "/t/brest_lapaz/members",
        {"action": "approve_remote", "remote_id": str(membership.id)},
    )
    assert r.status_code == 303
    await drain(fed)
    accept = peer.received[-1]
    assert accept.path == "/users/ana/inbox"
    assert accept.activity["type"] == "Accept"
    assert accept.activity["object"]["id"] == f"{peer.base}/joins/ana"

    before = len(peer.received)
    r = await post_form(
        client,
        "/t/brest_lapaz",
        "/t/brest_lapaz/updates",
        {"content_fr": SECRET, "visibility": "partners"},
    )
    item_path = r.headers["location"]
    await drain(fed)
    new = peer.received[before:]
    assert {r.path for r in new} == {"/users/ana/inbox"}
    create = next(r.activity for r in new if r.activity["type"] == "Create")
    assert create["to"] == [f"{GROUP}/members", peer.actor("ana")] and create["cc"] == []
    assert SECRET in create["object"]["content"]
    for received in new:
        assert PUBLIC not in json.dumps(received.activity)
        assert f"{GROUP}/followers" not in json.dumps(received.activity)

    assert await _signed_get(client, peer, "ana", item_path) == 200
    assert await _signed_get(client, peer, "bob", item_path) == 404
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=BASE)
    async with anonymous:
        r = await anonymous.get(item_path, headers={"Accept": "application/activity+json"})
        assert r.status_code == 404 and SECRET not in r.text

    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Leave",
            "id": f"{peer.base}/leave/1",
            "actor": peer.actor("ana"),
            "object": GROUP,
        },
    )
    await drain(fed)
    assert not await RemoteMembership.exists()
    before = len(peer.received)
    await post_form(
        client,
        "/t/brest_lapaz",
        "/t/brest_lapaz/updates",
        {"content_fr": "after leaving", "visibility": "partners"},
    )
    await drain(fed)
    assert peer.received[before:] == []


async def test_invitation_only_twinning_rejects_a_join(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    await ana_asks_to_join(client, peer, "invitation")
    await drain(fed)
    assert not await RemoteMembership.exists()
    [reject] = peer.received
    assert reject.activity["type"] == "Reject"


async def test_open_twinning_accepts_at_once_and_undo_join_leaves(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    await ana_asks_to_join(client, peer, "open")
    await drain(fed)
    assert (await RemoteMembership.get()).state == "accepted"
    assert peer.received[-1].activity["type"] == "Accept"
    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Undo",
            "id": f"{peer.base}/undo/1",
            "actor": peer.actor("ana"),
            "object": _join(peer, "ana"),
        },
    )
    await drain(fed)
    assert not await RemoteMembership.exists()


async def test_remote_members_post_to_the_twinning_and_non_members_do_not(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    from models.content import ContentItem

    await ana_asks_to_join(client, peer, "open")
    await _send(
        client,
        peer,
        "bob",
        {"type": "Follow", "id": f"{peer.base}/f/bob", "actor": peer.actor("bob"), "object": GROUP},
    )
    await drain(fed)
    note = {
        "id": f"{peer.base}/notes/1",
        "type": "Note",
        "attributedTo": peer.actor("ana"),
        "contentMap": {"es": "<p>Hola <b>Brest</b><script>alert(1)</script></p>"},
        "to": [PUBLIC],
        "cc": [GROUP],
    }
    before = len(peer.received)
    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Create",
            "id": f"{peer.base}/c/1",
            "actor": peer.actor("ana"),
            "object": note,
            "to": [PUBLIC],
            "cc": [GROUP],
        },
    )
    secret = {
        "id": f"{peer.base}/notes/2",
        "type": "Note",
        "attributedTo": peer.actor("ana"),
        "content": f"<p>{SECRET}</p>",
        "to": [f"{GROUP}/members"],
    }
    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Create",
            "id": f"{peer.base}/c/2",
            "actor": peer.actor("ana"),
            "object": secret,
            "to": [f"{GROUP}/members"],
        },
    )
    stranger = {**note, "id": f"{peer.base}/notes/3", "attributedTo": peer.actor("carol")}
    await _send(
        client,
        peer,
        "carol",
        {
            "type": "Create",
            "id": f"{peer.base}/c/3",
            "actor": peer.actor("carol"),
            "object": stranger,
            "to": [PUBLIC],
            "cc": [GROUP],
        },
    )
    await drain(fed)
    public = await ContentItem.get(uri=f"{peer.base}/notes/1")
    assert public.visibility == "public" and "<script" not in public.content_map["es"]
    assert (await ContentItem.get(uri=f"{peer.base}/notes/2")).visibility == "partners"
    assert not await ContentItem.filter(uri=f"{peer.base}/notes/3").exists()
    to_bob = [r.activity for r in peer.received[before:] if r.path == "/inbox"]
    assert {a["type"] for a in to_bob} == {"Announce"}
    assert f"{peer.base}/notes/1" in json.dumps(to_bob) and SECRET not in json.dumps(to_bob)

    anonymous = httpx.AsyncClient(transport=client._transport, base_url=BASE)
    async with anonymous:
        page = (await anonymous.get("/t/brest_lapaz")).text
        assert "<script>alert" not in page and "alert(1)" not in page
        assert "Hola" in page and "@ana@127.0.0.1" in page and SECRET not in page
    await log_in(client, "maelle")
    assert SECRET in (await client.get("/t/brest_lapaz")).text

    forged = {
        "type": "Delete",
        "id": f"{peer.base}/d/bob",
        "actor": peer.actor("bob"),
        "object": f"{peer.base}/notes/1",
    }
    await _send(client, peer, "bob", forged)
    edit = {
        "type": "Update",
        "id": f"{peer.base}/u/1",
        "actor": peer.actor("ana"),
        "object": {**note, "contentMap": {"es": "<p>Hola otra vez</p>"}},
    }
    await _send(client, peer, "ana", edit)
    await drain(fed)
    assert (await ContentItem.get(uri=f"{peer.base}/notes/1")).content_map["es"] == (
        "<p>Hola otra vez</p>"
    )
    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Delete",
            "id": f"{peer.base}/d/1",
            "actor": peer.actor("ana"),
            "object": f"{peer.base}/notes/1",
        },
    )
    await drain(fed)
    assert not await ContentItem.filter(uri=f"{peer.base}/notes/1").exists()


async def test_following_needs_a_known_group(client: httpx.AsyncClient) -> None:
    await make_account("jorge")
    await log_in(client, "jorge")
    for value, status in (("abc", 400), ("999", 404)):
        r = await post_form(
            client, "/remote", "/remote/subscribe", {"group_id": value, "kind": "follow"}
        )
        assert r.status_code == status
    bad = await client.get("/remote", params={"handle": "not a handle"})
    assert bad.status_code == 400 and "Could not find this twinning" in bad.text


async def test_members_see_who_the_members_are(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    await ana_asks_to_join(client, peer, "open")
    await drain(fed)
    path = "/t/brest_lapaz/members"
    ap = {"accept": "application/activity+json"}
    anonymous = (await client.get(path, headers=ap)).json()
    assert anonymous["totalItems"] == 2 and "orderedItems" not in anonymous
    headers = sign_request("GET", BASE + path, peer.actor("ana") + "#main-key", PRIVATE_PEM)
    member = (await client.get(path, headers={**headers, **ap})).json()
    assert member["orderedItems"] == [f"{BASE}/u/maelle", peer.actor("ana")]
    headers = sign_request("GET", BASE + path, peer.actor("carol") + "#main-key", PRIVATE_PEM)
    stranger = (await client.get(path, headers={**headers, **ap})).json()
    assert "orderedItems" not in stranger
