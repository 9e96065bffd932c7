"""The inbox against a real loopback peer: a Mastodon-shaped follower follows a twinning, gets
its Accept and then the twinning's public updates, signed as Mastodon expects; and every kind
of bad input is refused without leaving a row behind."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx

from federation.context import Federation
from federation.signatures import PublicKey, verify_request
from federation.worker import run_once
from models.content import ContentItem
from models.follows import Follow
from models.keys import ActorKey
from models.moderation_actions import act
from models.posting import post_update
from models.queues import Delivery, InboxActivity
from models.reactions import Report
from models.remote import DomainBlock, RemoteActor
from models.twinnings import Twinning, TwinningInput, create_twinning
from models.visibility import may_view, store_audience, visible_items
from tests.conftest import make_account
from tests.federation.peer import OTHER_PRIVATE_PEM, Peer, drain, start_peer

BASE = "http://testserver.localhost"
GROUP = f"{BASE}/t/brest_lapaz"
INBOX = f"{GROUP}/inbox"


async def _twinning() -> Twinning:
    owner = await make_account("maelle")
    return await create_twinning(owner, "brest_lapaz", TwinningInput(title={"fr": "Brest"}))


def _follow(peer: Peer, name: str = "ana", n: int = 1) -> dict[str, object]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Follow",
        "id": f"{peer.base}/follows/{n}",
        "actor": peer.actor(name),
        "object": GROUP,
    }


async def _post(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes, url: str = INBOX
) -> httpx.Response:
    return await client.post(url.removeprefix(BASE), content=body, headers=headers)


async def _verify_ours(received_headers: dict[str, str], body: bytes, url: str) -> str:
    """Checks a delivery the way a receiving server would, with our published key."""

    async def lookup(key_id: str) -> PublicKey | None:
        owner = key_id.split("#")[0]
        slug = owner.rsplit("/", 1)[-1]
        twinning = await Twinning.get_or_none(slug=slug)
        if twinning is None:
            return None
        key = await ActorKey.get(actor_type="twinning", actor_id=twinning.id)
        return PublicKey(key_id, owner, key.public_pem)

    host = url.split("/")[2]
    verified = await verify_request("POST", url, received_headers, body, domain=host, lookup=lookup)
    return verified.owner


async def test_mastodon_follower_gets_accept_then_public_updates(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    twinning = await _twinning()
    r = await _post(client, *peer.signed_post("ana", _follow(peer), INBOX))
    assert r.status_code == 202, r.text
    assert await InboxActivity.filter(processed_at=None).count() == 1
    await run_once(fed)
    await run_once(fed)
    follow = await Follow.get()
    assert follow.target_id == twinning.id and follow.state == "accepted"
    accept = peer.received[-1]
    assert accept.path == "/users/ana/inbox"
    assert accept.activity["type"] == "Accept" and accept.activity["actor"] == GROUP
    assert accept.activity["object"]["id"] == f"{peer.base}/follows/1"
    url = peer.base + accept.path
    assert await _verify_ours(accept.headers, accept.body, url) == GROUP

    author = await twinning.created_by
    await post_update(author, twinning, "partners", {"fr": "secret"})
    public = await post_update(author, twinning, "public", {"fr": "Bonjour **La Paz**"})
    await drain(fed)
    shared = [r for r in peer.received if r.path == "/inbox"]
    kinds = sorted((r.activity["type"], str(type(r.activity["object"]).__name__)) for r in shared)
    assert kinds == [("Announce", "dict"), ("Announce", "str")]
    boost = next(r for r in shared if isinstance(r.activity["object"], str))
    assert boost.activity["object"] == f"{GROUP}/updates/{public.id}"
    assert "https://www.w3.org/ns/activitystreams#Public" in boost.activity["to"]
    wrapped = next(r for r in shared if isinstance(r.activity["object"], dict))
    note = wrapped.activity["object"]["object"]
    assert note["type"] == "Note" and "<strong>La Paz</strong>" in note["content"]
    assert "secret" not in json.dumps([r.activity for r in peer.received])
    for r in shared:
        assert await _verify_ours(r.headers, r.body, peer.base + "/inbox") == GROUP

    note_json = await client.get(
        f"/t/brest_lapaz/updates/{public.id}", headers={"Accept": "application/activity+json"}
    )
    assert note_json.json()["id"] == note["id"]


async def test_duplicates_are_acknowledged_once(client: httpx.AsyncClient, peer: Peer) -> None:
    await _twinning()
    headers, body = peer.signed_post("ana", _follow(peer), INBOX)
    assert (await _post(client, headers, body)).status_code == 202
    again = await _post(client, headers, body)
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert await InboxActivity.all().count() == 1


async def test_undo_follow_removes_the_follower(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    await _twinning()
    await _post(client, *peer.signed_post("ana", _follow(peer), INBOX))
    await run_once(fed)
    undo = {
        "type": "Undo",
        "id": f"{peer.base}/undo/1",
        "actor": peer.actor("ana"),
        "object": _follow(peer),
    }
    assert (
        await _post(client, *peer.signed_post("ana", undo, f"{BASE}/inbox"), f"{BASE}/inbox")
    ).status_code == 202
    await run_once(fed)
    assert not await Follow.exists()


def _rejections(peer: Peer) -> list[tuple[str, dict[str, str], bytes, int]]:
    cases = []
    follow = _follow(peer)
    headers, body = peer.signed_post("ana", follow, INBOX)
    cases.append(("unsigned", {k: v for k, v in headers.items() if k != "signature"}, body, 401))
    cases.append(("wrong key", *peer.signed_post("ana", follow, INBOX, OTHER_PRIVATE_PEM), 401))
    cases.append(
        ("key of another actor", *peer.signed_post("ana", follow, INBOX, key_name="bob"), 401)
    )
    old = datetime.now(UTC) - timedelta(hours=3)
    cases.append(("replayed date", *peer.signed_post("ana", follow, INBOX, now=old), 401))
    cases.append(("digest mismatch", headers, body.replace(b"Follow", b"Folloz"), 401))
    spoofed = {
        "type": "Create",
        "id": f"{peer.base}/c/1",
        "actor": peer.actor("ana"),
        "object": {
            "id": "https://other.example/notes/1",
            "type": "Note",
            "attributedTo": peer.actor("ana"),
            "content": "x",
        },
    }
    cases.append(("spoofed object origin", *peer.signed_post("ana", spoofed, INBOX), 403))
    forged = {
        **spoofed,
        "object": {
            **spoofed["object"],
            "id": f"{peer.base}/n/1",  # type: ignore[dict-item]
            "attributedTo": peer.actor("bob"),
        },
    }
    cases.append(("object of someone else", *peer.signed_post("ana", forged, INBOX), 403))
    ours = {**follow, "actor": f"{BASE}/u/maelle", "id": f"{BASE}/x"}
    cases.append(("claims our domain", *peer.signed_post("ana", ours, INBOX), 403))
    cases.append(("not json", headers, b"{not json", 400))
    nested: object = "x"
    for _ in range(60):
        nested = [nested]
    deep = {**follow, "object": nested}
    cases.append(("deeply nested", *peer.signed_post("ana", deep, INBOX), 400))
    cases.append(("no actor", *peer.signed_post("ana", {"id": "x", "type": "Follow"}, INBOX), 400))
    cases.append(("huge", headers, b" " * (300 * 1024), 413))
    cases.append(("wrong content type", {**headers, "content-type": "text/plain"}, body, 415))
    return cases


async def test_bad_inbound_requests_are_refused_and_leave_nothing(
    client: httpx.AsyncClient, peer: Peer
) -> None:
    await _twinning()
    for name, headers, body, status in _rejections(peer):
        r = await _post(client, headers, body)
        assert r.status_code == status, (name, r.text)
        assert "error" in r.json(), name
    assert not await InboxActivity.exists()


async def test_blocked_domains_are_refused(client: httpx.AsyncClient, peer: Peer) -> None:
    await _twinning()
    await DomainBlock.create(domain="127.0.0.1", severity="suspend")
    r = await _post(client, *peer.signed_post("ana", _follow(peer), INBOX))
    assert r.status_code == 403
    assert not await InboxActivity.exists()


async def test_deliveries_retry_server_errors_and_stop_on_client_errors(
    fed: Federation, peer: Peer
) -> None:
    from federation.delivery import deliver_due, enqueue

    twinning = await _twinning()
    activity = {"id": f"{GROUP}#a/1", "type": "Announce", "actor": GROUP, "object": "x"}
    await enqueue(
        activity,
        "twinning",
        twinning.id,
        GROUP + "#main-key",
        [peer.base + "/inbox", peer.base + "/inbox"],
    )
    assert await Delivery.all().count() == 1
    later = datetime.now(UTC) + timedelta(hours=1)
    peer.answers.extend([(503, {}), (429, {"Retry-After": "7200"})])
    assert await deliver_due(fed) == 0
    row = await Delivery.get()
    assert (row.state, row.attempts) == ("pending", 1) and row.last_error == "HTTP 503"
    assert await deliver_due(fed, at=later) == 0
    row = await Delivery.get()
    assert row.next_attempt_at > later + timedelta(hours=1, minutes=59)
    assert await deliver_due(fed, at=later + timedelta(hours=3)) == 1
    assert (await Delivery.get()).state == "done"
    assert peer.received[-1].activity["id"] == activity["id"]

    await enqueue(
        {**activity, "id": f"{GROUP}#a/2"},
        "twinning",
        twinning.id,
        GROUP + "#main-key",
        [peer.base + "/inbox"],
    )
    peer.answers.append((404, {}))
    await deliver_due(fed)
    assert (await Delivery.get(activity_uri=f"{GROUP}#a/2")).state == "failed"


async def test_deliveries_to_a_dead_host_wait_and_arrive_later(fed: Federation) -> None:
    from federation.delivery import deliver_due, enqueue

    twinning = await _twinning()
    p, server = start_peer()
    dead_inbox = p.base + "/inbox"
    server.shutdown()
    server.server_close()
    await enqueue(
        {"id": f"{GROUP}#a/9", "type": "Announce", "actor": GROUP, "object": "x"},
        "twinning",
        twinning.id,
        GROUP + "#main-key",
        [dead_inbox],
    )
    assert await deliver_due(fed) == 0
    row = await Delivery.get()
    assert row.state == "pending" and "cannot reach" in row.last_error
    assert row.next_attempt_at > datetime.now(UTC)


def _fixture_activities() -> list[tuple[str, dict[str, object]]]:
    from tests.federation.peer import FIXTURES

    found = []
    for path in sorted(FIXTURES.glob("*/activities/*.json")):
        activity = json.loads(path.read_text())
        if isinstance(activity.get("actor"), str) and isinstance(activity.get("id"), str):
            found.append((f"{path.parent.parent.name}/{path.name}", activity))
    return found


def _rehome(value: object, origin: str, new: str) -> object:
    """Moves the payload to the test peer's origin, as if that server had sent it."""
    if isinstance(value, str):
        return value.replace(origin, new)
    if isinstance(value, list):
        return [_rehome(v, origin, new) for v in value]
    if isinstance(value, dict):
        return {k: _rehome(v, origin, new) for k, v in value.items()}
    return value


async def test_real_payloads_from_other_servers_are_accepted_and_processed(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    await _twinning()
    fixtures = _fixture_activities()
    assert len(fixtures) > 30
    for name, activity in fixtures:
        actor = str(activity["actor"])
        origin = "/".join(actor.split("/")[:3])
        moved = _rehome(activity, origin, peer.base)
        assert isinstance(moved, dict)
        r = await _post(client, *_sign_as(moved), f"{BASE}/inbox")
        assert r.status_code == 202, (name, r.text)
    while await run_once(fed):
        pass
    assert not await InboxActivity.filter(processed_at=None).exists()


def _sign_as(activity: dict[str, object]) -> tuple[dict[str, str], bytes]:
    """Signed with the key the peer publishes for whichever actor the payload names."""
    from federation.signatures import sign_request
    from tests.federation.peer import PRIVATE_PEM

    body = json.dumps(activity).encode()
    headers = sign_request(
        "POST", f"{BASE}/inbox", f"{activity['actor']}#main-key", PRIVATE_PEM, body
    )
    headers["content-type"] = "application/activity+json"
    return headers, body


def test_http_date_format_is_what_mastodon_sends() -> None:
    assert format_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), usegmt=True) == (
        "Fri, 02 Jan 2026 03:04:05 GMT"
    )


async def test_nothing_is_queued_for_blocked_domains(fed: Federation) -> None:
    from federation.delivery import enqueue

    twinning = await _twinning()
    await DomainBlock.create(domain="blocked.example")
    queued = await enqueue(
        {"id": f"{GROUP}#a/b", "type": "Announce", "actor": GROUP, "object": "x"},
        "twinning",
        twinning.id,
        GROUP + "#main-key",
        ["https://social.blocked.example/inbox", "https://ok.example/inbox"],
    )
    assert queued == 1
    assert [d.host for d in await Delivery.all()] == ["ok.example"]


async def test_a_suspended_account_is_refused_while_its_server_is_not(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    """An admin suspends one account of another server on a report: its follow ends, its items
    are seen by no one, and what it sends next is refused; the others of its server go on."""
    twinning = await _twinning()
    assert (await _post(client, *peer.signed_post("ana", _follow(peer), INBOX))).status_code == 202
    await run_once(fed)
    ana = await RemoteActor.get(uri=f"{peer.base}/users/ana")
    assert await Follow.filter(follower=ana).exists()
    item = await ContentItem.create(
        remote_author=ana, uri=f"{peer.base}/notes/1", twinning=twinning, visibility="public"
    )
    await store_audience(item)
    assert await may_view(None, item)
    root = await make_account("root", role="admin")
    report = await Report.create(reporter_uri="", activity_uri="local:r", item=item)
    await act(root, report, "suspend")
    assert not await Follow.filter(follower=ana).exists()
    assert not await may_view(None, item) and not await visible_items(None).exists()
    refused = await _post(client, *peer.signed_post("ana", _follow(peer, n=2), INBOX))
    assert refused.status_code == 403 and "suspended" in refused.text
    other = await _post(client, *peer.signed_post("bea", _follow(peer, "bea", n=3), INBOX))
    assert other.status_code == 202
