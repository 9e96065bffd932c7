"""The inbox rule for people of other servers our people follow: their posts to Public or to
their followers are kept (followers-only ones for our accepted followers alone), anybody
else's are not, and a partner-only post to a twinning's members is never taken for a post to
followers."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from federation.context import Federation
from federation.remote_actors import actor_for
from models.accounts import Account
from models.content import ContentItem
from models.home import home_items
from models.remote import Subscription
from models.visibility import may_view, visible_items
from tests.conftest import make_account
from tests.federation.peer import Peer, drain

BASE = "http://testserver.localhost"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
counter = itertools.count()


async def _send(
    client: httpx.AsyncClient, fed: Federation, peer: Peer, name: str, to: list[str]
) -> str:
    """A Create by the peer's ``name`` addressed to ``to``; the note's id."""
    n = next(counter)
    author = peer.actor(name)
    note = {
        "id": f"{peer.base}/notes/f{n}",
        "type": "Note",
        "attributedTo": author,
        "content": f"<p>post {n} of {name}</p>",
        "to": to,
        "cc": [],
    }
    create: dict[str, Any] = {"id": f"{note['id']}/create", "type": "Create", "actor": author}
    create |= {"object": note, "to": to, "cc": []}
    headers, body = peer.signed_post(name, create, f"{BASE}/inbox")
    assert (await client.post("/inbox", content=body, headers=headers)).status_code == 202
    await drain(fed)
    return str(note["id"])


async def _follow(fed: Federation, peer: Peer, account: Account, name: str, state: str) -> None:
    actor = await actor_for(fed, peer.actor(name))
    await Subscription.create(
        account=account,
        group=actor,
        kind="follow",
        state=state,
        activity_uri=f"{BASE}/u/{account.username}#follows/{name}",
    )


async def _sees(account: Account, uri: str) -> bool:
    item = await ContentItem.get(uri=uri)
    seen = await may_view(account, item)
    assert seen is await visible_items(account).filter(id=item.id).exists()  # faces agree
    return seen


async def test_posts_of_followed_people_reach_their_followers_here_and_no_one_else(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    lucia, bob, carla = [await make_account(n) for n in ("lucia", "bob", "carla")]
    await _follow(fed, peer, lucia, "ana", "accepted")
    await _follow(fed, peer, carla, "ana", "pending")  # asked, not accepted: not a follower
    ana = peer.actor("ana")

    public = await _send(client, fed, peer, "ana", [PUBLIC])
    assert await _sees(bob, public)
    assert await (await home_items(lucia)).filter(uri=public).exists()
    assert not await (await home_items(bob)).filter(uri=public).exists()

    for_followers = await _send(client, fed, peer, "ana", [f"{ana}/followers"])
    assert await _sees(lucia, for_followers)
    assert not await _sees(bob, for_followers) and not await _sees(carla, for_followers)
    assert await (await home_items(lucia)).filter(uri=for_followers).exists()

    to_members = await _send(client, fed, peer, "ana", [f"{peer.actor('group')}/members"])
    assert not await ContentItem.filter(uri=to_members).exists()


async def test_posts_of_people_nobody_here_follows_are_not_kept(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    carla = await make_account("carla")
    await _follow(fed, peer, carla, "zoe", "pending")
    zoe = peer.actor("zoe")
    for to in ([PUBLIC], [f"{zoe}/followers"]):
        uri = await _send(client, fed, peer, "zoe", to)
        assert not await ContentItem.filter(uri=uri).exists()
