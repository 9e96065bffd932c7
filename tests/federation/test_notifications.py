"""What other servers do to our people becomes notifications (follows, likes, replies, boosts),
never revealing a partner-only item; what our people do from a Mastodon app to another
server's post (like, boost) reaches that server."""

from __future__ import annotations

import httpx

from federation.context import Federation
from models.content import ContentItem
from models.notifications import Notification
from models.oauth import issue_token, register_app
from models.posting import post_update
from models.remote import Subscription
from models.twinnings import TwinningInput, create_twinning
from models.visibility import store_audience
from tests.conftest import make_account
from tests.federation.peer import Peer, drain

BASE = "http://testserver.localhost"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _send(client: httpx.AsyncClient, peer: Peer, name: str, activity: dict) -> None:  # type: ignore[type-arg]
    headers, body = peer.signed_post(name, activity, f"{BASE}/inbox")
    answer = await client.post("/inbox", content=body, headers=headers)
    assert answer.status_code == 202, answer.text


async def test_follows_likes_replies_and_boosts_notify_the_author(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    public = await post_update(maelle, twinning, "public", {"fr": "Bonjour"})
    secret = await post_update(maelle, twinning, "partners", {"fr": "Budget"})
    public_uri = f"{BASE}/t/brest/updates/{public.id}"
    secret_uri = f"{BASE}/t/brest/updates/{secret.id}"
    ana = peer.actor("ana")
    await _send(
        client,
        peer,
        "ana",
        {"type": "Follow", "id": f"{peer.base}/f/1", "actor": ana, "object": f"{BASE}/u/maelle"},
    )
    await _send(
        client,
        peer,
        "ana",
        {"type": "Like", "id": f"{peer.base}/l/1", "actor": ana, "object": public_uri},
    )
    reply = {
        "id": f"{peer.base}/notes/1",
        "type": "Note",
        "attributedTo": ana,
        "inReplyTo": public_uri,
        "content": "<p>Bravo</p>",
        "to": [PUBLIC],
    }
    await _send(
        client,
        peer,
        "ana",
        {"type": "Create", "id": f"{peer.base}/c/1", "actor": ana, "object": reply, "to": [PUBLIC]},
    )
    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Announce",
            "id": f"{peer.base}/a/1",
            "actor": ana,
            "object": public_uri,
            "to": [PUBLIC],
        },
    )
    # A boost of a partner-only item by a non-member tells the author nothing.
    await _send(
        client,
        peer,
        "ana",
        {
            "type": "Announce",
            "id": f"{peer.base}/a/2",
            "actor": ana,
            "object": secret_uri,
            "to": [PUBLIC],
        },
    )
    await drain(fed)
    rows = await Notification.filter(account=maelle).order_by("id").prefetch_related("from_remote")
    assert [(n.kind, n.from_remote.uri, n.item_id) for n in rows] == [  # type: ignore[union-attr]
        ("follow", ana, None),
        ("favourite", ana, public.id),
        ("mention", ana, (await ContentItem.get(uri=reply["id"])).id),
        ("reblog", ana, public.id),
    ]


async def test_likes_and_boosts_from_an_app_reach_the_other_server(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    maelle = await make_account("maelle")
    group = await peer.cached("group", "Group")
    author = await peer.cached("ana")
    await Subscription.create(
        account=maelle, group=group, kind="follow", state="accepted", activity_uri=f"{BASE}/x/1"
    )
    item = ContentItem(
        uri=f"{peer.base}/notes/9",
        content_format="html",
        content_map={"es": "<p>Hola</p>"},
        visibility="public",
        primary_language="es",
        remote_author=author,
        remote_twinning=group,
    )
    item.spoiler_text = "aviso"
    await item.save()
    await store_audience(item)
    app, _ = await register_app("tests", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(app, maelle, "read write")
    auth = {"Authorization": f"Bearer {token}"}
    home = (await client.get("/api/v1/timelines/home", headers=auth)).json()
    assert [(s["id"], s["spoiler_text"], s["account"]["acct"]) for s in home] == [
        (str(item.id), "aviso", f"ana@{peer.base.removeprefix('http://')}")
    ]
    assert (await client.post(f"/api/v1/statuses/{item.id}/favourite", headers=auth)).json()[
        "favourited"
    ]
    assert (await client.post(f"/api/v1/statuses/{item.id}/reblog", headers=auth)).json()[
        "reblogged"
    ]
    await client.post(f"/api/v1/statuses/{item.id}/unfavourite", headers=auth)
    await drain(fed)
    sent = [(r.path, r.activity["type"]) for r in peer.received]
    assert sent == [
        ("/users/ana/inbox", "Like"),
        ("/users/ana/inbox", "Announce"),
        ("/users/ana/inbox", "Undo"),
    ]
    like = peer.received[0].activity
    assert like["actor"] == f"{BASE}/u/maelle" and like["object"] == item.uri
    assert peer.received[2].activity["object"]["id"] == like["id"]


async def test_answers_to_another_servers_post_go_to_its_author_and_group(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    maelle = await make_account("maelle")
    group = await peer.cached("group", "Group")
    await Subscription.create(
        account=maelle, group=group, kind="join", state="accepted", activity_uri=f"{BASE}/x/2"
    )
    items = {}
    for visibility in ("public", "partners"):
        item = ContentItem(
            uri=f"{peer.base}/notes/{visibility}",
            content_format="html",
            content_map={"es": f"<p>{visibility}</p>"},
            visibility=visibility,
            primary_language="es",
            remote_twinning=group,
        )
        await item.save()
        await store_audience(item, [maelle.id])  # the group addresses its members by name
        items[visibility] = item
    app, _ = await register_app("tests", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(app, maelle, "read write")
    auth = {"Authorization": f"Bearer {token}"}
    answers = {}
    for visibility, item in items.items():
        posted = await client.post(
            "/api/v1/statuses",
            data={"status": f"answer to {visibility}", "in_reply_to_id": str(item.id)},
            headers=auth,
        )
        assert posted.status_code == 200, posted.text
        answers[visibility] = posted.json()
    await drain(fed)
    creates = [r.activity for r in peer.received if r.activity["type"] == "Create"]
    assert {r.path for r in peer.received} == {"/users/group/inbox"}
    public, partners = (
        next(c["object"] for c in creates if c["object"]["inReplyTo"] == items[v].uri)
        for v in ("public", "partners")
    )
    assert public["to"] == [PUBLIC] and public["cc"] == [group.uri]
    assert partners["to"] == [group.uri] and partners["cc"] == []
    assert (
        public["id"]
        == answers["public"]["uri"]
        == f"{BASE}/u/maelle/notes/{answers['public']['id']}"
    )
    ap = {"Accept": "application/activity+json"}
    assert (await client.get(public["id"], headers=ap)).json()["inReplyTo"] == items["public"].uri
    assert (await client.get(partners["id"], headers=ap)).status_code == 404


async def test_mentions_from_mastodon_reach_the_people_named_and_no_one_else(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    ana = peer.actor("ana")
    note = {
        "id": f"{peer.base}/notes/dm",
        "type": "Note",
        "attributedTo": ana,
        "content": "<p>@maelle can we talk about the budget?</p>",
        "to": [f"{BASE}/u/maelle"],
        "tag": [{"type": "Mention", "href": f"{BASE}/u/maelle", "name": "@maelle"}],
    }
    create = {"type": "Create", "id": f"{peer.base}/c/dm", "actor": ana, "object": note}
    await _send(client, peer, "ana", {**create, "to": note["to"]})
    await drain(fed)
    item = await ContentItem.get(uri=note["id"])
    told = await Notification.filter(account=maelle)
    assert [(n.kind, n.item_id) for n in told] == [("mention", item.id)]
    app, _ = await register_app("tests", "urn:ietf:wg:oauth:2.0:oob", "read", "")
    for person, sees in ((maelle, True), (jorge, False)):
        _, token, _ = await issue_token(app, person, "read")
        auth = {"Authorization": f"Bearer {token}"}
        home = (await client.get("/api/v1/timelines/home", headers=auth)).json()
        assert ([s["id"] for s in home] == [str(item.id)]) is sees
        one = await client.get(f"/api/v1/statuses/{item.id}", headers=auth)
        assert one.status_code == (200 if sees else 404)
        if sees:
            assert one.json()["visibility"] == "direct"
    assert (await client.get(f"/api/v1/statuses/{item.id}")).status_code == 404


async def test_search_resolves_remote_actors_by_address(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    maelle = await make_account("maelle")
    app, _ = await register_app("tests", "urn:ietf:wg:oauth:2.0:oob", "read", "")
    _, token, _ = await issue_token(app, maelle, "read")
    auth = {"Authorization": f"Bearer {token}"}
    query = {"q": peer.actor("ana"), "resolve": "true", "type": "accounts"}
    found = (await client.get("/api/v2/search", params=query, headers=auth)).json()
    acct = f"ana@{peer.base.removeprefix('http://')}"  # with the port: another server
    assert [a["acct"] for a in found["accounts"]] == [acct]
    looked_up = await client.get("/api/v1/accounts/lookup", params={"acct": acct})
    assert looked_up.json()["id"] == found["accounts"][0]["id"]
    unknown = {"q": "nobody@127.0.0.1:1", "resolve": "true"}
    assert (await client.get("/api/v2/search", params=unknown, headers=auth)).json()[
        "accounts"
    ] == []


async def test_a_mastodon_answer_to_an_answer_nests_under_it(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    from models.posting import post_reply

    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    update = await post_update(maelle, twinning, "public", {"fr": "Bonjour"})
    answer = await post_reply(maelle, update, {"fr": "Première réponse"})
    target = f"{BASE}/t/brest/updates/{update.id}/replies/{answer.id}"
    note = {
        "id": f"{peer.base}/notes/n1",
        "type": "Note",
        "attributedTo": peer.actor("ana"),
        "inReplyTo": target,
        "content": "<p>Respuesta a la respuesta</p>",
        "to": [PUBLIC],
    }
    create = {"type": "Create", "id": f"{peer.base}/c/n1", "actor": peer.actor("ana")}
    await _send(client, peer, "ana", {**create, "object": note, "to": [PUBLIC]})
    await drain(fed)
    stored = await ContentItem.get(uri=note["id"])
    assert stored.in_reply_to_id == update.id and stored.parent_id == answer.id
    page = (await client.get(f"/t/brest/updates/{update.id}")).text
    assert f'depth-1" id="reply-{stored.id}"' in page


async def test_our_mentions_of_remote_people_reach_them_in_public_posts_only(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    host = peer.base.removeprefix("http://")
    public = await post_update(maelle, twinning, "public", {"fr": f"Merci @ana@{host} !"})
    await post_update(maelle, twinning, "partners", {"fr": f"Budget, @ana@{host}"})
    await drain(fed)
    to_ana = [r.activity for r in peer.received if r.path == "/users/ana/inbox"]
    assert [a["type"] for a in to_ana] == ["Create"]
    note = to_ana[0]["object"]
    assert note["id"].endswith(f"/updates/{public.id}") and peer.actor("ana") in note["cc"]
    assert {"type": "Mention", "href": peer.actor("ana"), "name": f"@ana@{host}"} in note["tag"]
    assert all("Budget" not in r.body.decode() for r in peer.received)
