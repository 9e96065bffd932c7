"""Replies, likes, reports and blocks from other servers."""

from __future__ import annotations

import httpx

from federation.context import Federation
from models.content import ContentItem
from models.follows import Follow
from models.notifications import Notification
from models.posting import post_update
from models.reactions import Like, Report
from models.remote import RemoteMembership, Subscription
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form
from tests.federation.peer import Peer, drain

BASE = "http://testserver.localhost"
GROUP = f"{BASE}/t/brest"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _send(client: httpx.AsyncClient, peer: Peer, name: str, activity: dict) -> None:  # type: ignore[type-arg]
    headers, body = peer.signed_post(name, activity, f"{BASE}/inbox")
    r = await client.post("/inbox", content=body, headers=headers)
    assert r.status_code == 202, r.text


def _reply(peer: Peer, name: str, n: int, to: str, text: str) -> dict[str, object]:
    note = {
        "id": f"{peer.base}/notes/r{n}",
        "type": "Note",
        "attributedTo": peer.actor(name),
        "inReplyTo": to,
        "content": f"<p>{text}</p>",
        "to": [PUBLIC],
    }
    return {
        "type": "Create",
        "id": f"{peer.base}/c/r{n}",
        "actor": peer.actor(name),
        "object": note,
        "to": [PUBLIC],
    }


async def test_replies_reach_the_audience_of_their_thread(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    public = await post_update(owner, twinning, "public", {"fr": "Bonjour"})
    secret = await post_update(owner, twinning, "partners", {"fr": "Budget"})
    public_uri, secret_uri = f"{GROUP}/updates/{public.id}", f"{GROUP}/updates/{secret.id}"
    await _send(client, peer, "ana", _reply(peer, "ana", 1, public_uri, "Hola desde Mastodon"))
    await _send(client, peer, "ana", _reply(peer, "ana", 2, secret_uri, "intruder"))
    await drain(fed)
    assert not await ContentItem.filter(uri=f"{peer.base}/notes/r2").exists()
    page = (await client.get(f"/t/brest/updates/{public.id}")).text
    assert "Hola desde Mastodon" in page and "@ana@127.0.0.1" in page

    bob = await peer.cached("bob")
    await RemoteMembership.create(twinning=twinning, actor=bob, state="accepted")
    await _send(client, peer, "bob", _reply(peer, "bob", 3, secret_uri, "reply of a partner"))
    await drain(fed)
    reply = await ContentItem.get(uri=f"{peer.base}/notes/r3")
    assert reply.visibility == "partners" and reply.in_reply_to_id == secret.id
    assert (await client.get(f"/t/brest/updates/{secret.id}")).status_code == 404
    outsider = await client.get("/directory?kind=updates&q=reply")
    assert "reply of a partner" not in outsider.text
    await log_in(client, "maelle")
    assert "reply of a partner" in (await client.get(f"/t/brest/updates/{secret.id}")).text
    twinning_page = (await client.get("/t/brest")).text
    assert "Hola desde Mastodon" not in twinning_page  # replies stay under their update


async def test_likes_reports_and_blocks(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle", role="admin")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    item = await post_update(owner, twinning, "public", {"fr": "Bonjour"})
    uri = f"{GROUP}/updates/{item.id}"
    like = {"type": "Like", "id": f"{peer.base}/likes/1", "actor": peer.actor("ana"), "object": uri}
    await _send(client, peer, "ana", like)
    await _send(client, peer, "ana", {**like, "id": f"{peer.base}/likes/2"})
    await drain(fed)
    assert await Like.filter(item=item).count() == 1
    assert "1 like" in (await client.get(f"/t/brest/updates/{item.id}")).text
    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Undo",
            "id": f"{peer.base}/undo/like",
            "actor": peer.actor("ana"),
            "object": like,
        },
    )
    await drain(fed)
    assert not await Like.exists()

    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Flag",
            "id": f"{peer.base}/flags/1",
            "actor": peer.actor("ana"),
            "object": [uri, "javascript:alert(1)"],
            "content": "spam in a twinning",
        },
    )
    await drain(fed)
    report = await Report.get()
    assert report.targets == [uri]
    await log_in(client, "maelle")
    admin = (await client.get("/admin")).text
    assert "spam in a twinning" in admin and "javascript:" not in admin
    r = await post_form(client, "/admin", f"/admin/reports/{report.id}", {})
    assert r.status_code == 303 and (await Report.get()).resolved

    await _send(
        client,
        peer,
        "ana",
        {"type": "Follow", "id": f"{peer.base}/f/1", "actor": peer.actor("ana"), "object": GROUP},
    )
    await drain(fed)
    assert await Follow.exists()
    await _send(
        client,
        peer,
        "ana",
        {"type": "Block", "id": f"{peer.base}/b/1", "actor": peer.actor("ana"), "object": GROUP},
    )
    await drain(fed)
    assert not await Follow.exists()


async def test_our_replies_go_where_the_thread_went(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    public = await post_update(owner, twinning, "public", {"fr": "Bonjour"})
    public_uri = f"{GROUP}/updates/{public.id}"
    await _send(client, peer, "ana", _reply(peer, "ana", 1, public_uri, "Hola desde Mastodon"))
    await drain(fed)
    await log_in(client, "maelle")
    page = f"/t/brest/updates/{public.id}"
    r = await post_form(client, page, f"{page}/replies", {"reply_fr": "Merci Ana !"})
    assert r.status_code == 303
    await drain(fed)
    creates = [x.activity for x in peer.received if x.activity["type"] == "Create"]
    [create] = [c for c in creates if c["object"].get("inReplyTo") == public_uri]
    note = create["object"]
    assert note["attributedTo"] == f"{BASE}/u/maelle" and "Merci Ana" in note["content"]
    assert PUBLIC in note["to"] and peer.actor("ana") in note["cc"]
    reply_path = note["id"].removeprefix(BASE)
    fetched = await client.get(reply_path, headers={"Accept": "application/activity+json"})
    assert fetched.json()["id"] == note["id"]
    browser = await client.get(reply_path)
    assert browser.status_code == 303 and browser.headers["location"].startswith(page)
    shown = (await client.get(page)).text
    assert "Merci Ana" in shown and "Hola desde Mastodon" in shown
    assert "Merci Ana" not in (await client.get("/t/brest")).text


async def test_replies_to_partner_updates_reach_members_only(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    secret = await post_update(owner, twinning, "partners", {"fr": "Budget"})
    bob = await peer.cached("bob")
    await RemoteMembership.create(twinning=twinning, actor=bob, state="accepted")
    await _send(
        client,
        peer,
        "ana",
        {"type": "Follow", "id": f"{peer.base}/f/ana", "actor": peer.actor("ana"), "object": GROUP},
    )
    await drain(fed)
    before = len(peer.received)
    await log_in(client, "maelle")
    page = f"/t/brest/updates/{secret.id}"
    await post_form(client, page, f"{page}/replies", {"reply_fr": "zqx partner answer"})
    await drain(fed)
    new = peer.received[before:]
    assert new and {x.path for x in new} == {"/users/bob/inbox"}
    assert all(PUBLIC not in str(x.activity) for x in new)


async def test_a_like_of_an_item_its_sender_may_not_see_leaves_no_trace(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    secret = await post_update(owner, twinning, "partners", {"fr": "Budget"})
    uri = f"{GROUP}/updates/{secret.id}"
    stranger = {"type": "Like", "id": f"{peer.base}/l/s", "actor": peer.actor("ana"), "object": uri}
    await _send(client, peer, "ana", stranger)
    await drain(fed)
    assert not await Like.exists()
    assert not await Notification.filter(account=owner).exists()

    bob = await peer.cached("bob")
    await RemoteMembership.create(twinning=twinning, actor=bob, state="accepted")
    partner = {"type": "Like", "id": f"{peer.base}/l/b", "actor": peer.actor("bob"), "object": uri}
    await _send(client, peer, "bob", partner)
    await drain(fed)
    assert await Like.filter(item=secret).count() == 1
    assert await Notification.filter(account=owner, kind="favourite").count() == 1


async def test_only_a_followed_group_puts_items_in_its_feed(
    client: httpx.AsyncClient, fed: Federation, peer: Peer, other_peer: Peer
) -> None:
    """A stranger on a third server addressing a post to a group our member follows adds
    nothing to that group's feed here; the group's own Announce of a post does."""
    reader = await make_account("maelle")
    group = await peer.cached("group", "Group")
    await Subscription.create(
        account=reader, group=group, kind="follow", state="accepted", activity_uri=f"{BASE}/f/1"
    )
    note = {
        "id": f"{other_peer.base}/notes/x",
        "type": "Note",
        "attributedTo": other_peer.actor("mallory"),
        "audience": group.uri,
        "content": "<p>not from the group</p>",
        "to": [PUBLIC, group.uri],
    }
    create = {"type": "Create", "id": f"{other_peer.base}/c/x", "actor": note["attributedTo"]}
    headers, body = other_peer.signed_post(
        "mallory", {**create, "object": note, "to": [PUBLIC]}, f"{BASE}/inbox"
    )
    assert (await client.post("/inbox", content=body, headers=headers)).status_code == 202
    await drain(fed)
    assert not await ContentItem.filter(uri=note["id"]).exists()

    own = {**note, "id": f"{peer.base}/notes/g", "attributedTo": peer.actor("ana")}
    own["content"] = "<p>from the group</p>"
    inner = {
        "type": "Create",
        "id": f"{peer.base}/c/g",
        "actor": own["attributedTo"],
        "object": own,
    }
    announce = {"type": "Announce", "id": f"{peer.base}/a/g", "actor": group.uri, "object": inner}
    await _send(client, peer, "group", {**announce, "to": [PUBLIC]})
    await drain(fed)
    assert await ContentItem.filter(uri=own["id"], remote_twinning=group).exists()
