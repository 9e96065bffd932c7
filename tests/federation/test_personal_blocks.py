"""Blocks and personal domain blocks of people of other servers: the other server is told
(``Block``, then ``Undo``) through the delivery queue, the blocked person's follow of ours
ends, and their items leave our person's home timeline (and come back once lifted)."""

from __future__ import annotations

import httpx

from federation.context import Federation
from models.follows import Follow
from models.oauth import issue_token, register_app
from models.posting import post_update
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account
from tests.federation.peer import Peer, drain
from tests.federation.test_reactions import GROUP, _reply, _send

BASE = "http://testserver.localhost"


async def _bearer(account: object) -> dict[str, str]:
    app, _ = await register_app("blocks", "urn:ietf:wg:oauth:2.0:oob", "read write follow", "")
    _, token, _ = await issue_token(app, account, "read write follow")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


async def _home_texts(client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    answer = await client.get("/api/v1/timelines/home", headers=auth)
    assert answer.status_code == 200, answer.text
    return " ".join(s["content"] for s in answer.json())


async def test_blocking_someone_of_another_server_tells_it_and_hides_them(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    update = await post_update(owner, twinning, "public", {"fr": "Bonjour"})
    await _send(client, peer, "ana", _reply(peer, "ana", 1, f"{GROUP}/updates/{update.id}", "Hola"))
    follow = {
        "type": "Follow",
        "id": f"{peer.base}/f/ana",
        "actor": peer.actor("ana"),
        "object": f"{BASE}/u/maelle",
    }
    await _send(client, peer, "ana", follow)
    await drain(fed)
    assert await Follow.filter(follower__uri=peer.actor("ana")).exists()
    auth = await _bearer(owner)
    assert "Hola" in await _home_texts(client, auth)
    found = await client.get(
        "/api/v1/accounts/search",
        params={"q": f"ana@{peer.base.removeprefix('http://')}"},
        headers=auth,
    )
    ana_id = next(a["id"] for a in found.json() if a["username"] == "ana")

    blocked = await client.post(f"/api/v1/accounts/{ana_id}/block", headers=auth)
    assert blocked.status_code == 200 and blocked.json()["blocking"] is True
    await drain(fed)
    assert not await Follow.filter(follower__uri=peer.actor("ana")).exists()
    assert "Hola" not in await _home_texts(client, auth)
    sent = [x.activity for x in peer.received if x.path == "/users/ana/inbox"]
    [block] = [a for a in sent if a["type"] == "Block"]
    assert block["actor"] == f"{BASE}/u/maelle" and block["object"] == peer.actor("ana")

    await client.post(f"/api/v1/accounts/{ana_id}/unblock", headers=auth)
    await drain(fed)
    sent = [x.activity for x in peer.received if x.path == "/users/ana/inbox"]
    [undo] = [a for a in sent if a["type"] == "Undo"]
    assert undo["object"]["id"] == block["id"] and undo["object"]["type"] == "Block"
    assert "Hola" in await _home_texts(client, auth)

    # A server blocked for oneself: its people's items leave the home timeline too.
    answer = await client.post("/api/v1/domain_blocks", data={"domain": "127.0.0.1"}, headers=auth)
    assert answer.status_code == 200
    assert "Hola" not in await _home_texts(client, auth)
    relationship = await client.get(
        "/api/v1/accounts/relationships", params={"id[]": ana_id}, headers=auth
    )
    assert relationship.json()[0]["domain_blocking"] is True
    await client.request(
        "DELETE", "/api/v1/domain_blocks", params={"domain": "127.0.0.1"}, headers=auth
    )
    assert "Hola" in await _home_texts(client, auth)
