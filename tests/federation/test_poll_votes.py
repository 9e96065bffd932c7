"""Votes from another server, through the signed inbox, as Mastodon sends them (a ``Note``
named after the option, answering our ``Question``): counted once, only from those who may
see the poll (a partner-only poll counts its twinning's members alone), never after the end
nor for an option it does not have; and an ended poll sends its final counts once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from federation.context import Federation
from federation.poll_votes import close_ended_polls
from models.happenings import Happening
from models.polls import Poll, PollInput, PollVote, add_poll
from models.posting import post_update
from models.remote import RemoteMembership
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account
from tests.federation.peer import Peer, drain

BASE = "http://testserver.localhost"
GROUP = f"{BASE}/t/brest"


async def _send(client: httpx.AsyncClient, peer: Peer, name: str, activity: dict) -> None:  # type: ignore[type-arg]
    headers, body = peer.signed_post(name, activity, f"{BASE}/inbox")
    r = await client.post("/inbox", content=body, headers=headers)
    assert r.status_code == 202, r.text


def _vote(peer: Peer, name: str, n: int, question: str, option: str) -> dict[str, object]:
    note = {
        "id": f"{peer.base}/users/{name}#votes/{n}",
        "type": "Note",
        "name": option,
        "attributedTo": peer.actor(name),
        "inReplyTo": question,
        "to": [f"{BASE}/u/maelle"],
    }
    return {
        "type": "Create",
        "id": f"{peer.base}/users/{name}#votes/{n}/activity",
        "actor": peer.actor(name),
        "object": note,
        "to": [f"{BASE}/u/maelle"],
    }


async def _counts(poll: Poll) -> list[int]:
    return (await Poll.get(id=poll.id)).counts


async def test_votes_from_afar_count_once_and_only_from_those_who_may_see(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    public = await post_update(owner, twinning, "public", {"fr": "Quel jour ?"})
    secret = await post_update(owner, twinning, "partners", {"fr": "Quel budget ?"})
    open_poll = await add_poll(public, PollInput(["Mardi", "Jeudi"], 3600))
    secret_poll = await add_poll(secret, PollInput(["A", "B"], 3600))
    public_uri, secret_uri = f"{GROUP}/updates/{public.id}", f"{GROUP}/updates/{secret.id}"

    await _send(client, peer, "ana", _vote(peer, "ana", 1, public_uri, "Jeudi"))
    await _send(client, peer, "ana", _vote(peer, "ana", 2, public_uri, "Mardi"))  # a second
    await _send(client, peer, "ana", _vote(peer, "ana", 3, public_uri, "Dimanche"))
    await _send(client, peer, "ana", _vote(peer, "ana", 4, secret_uri, "A"))  # not a member
    await drain(fed)
    assert await _counts(open_poll) == [0, 1]
    assert await _counts(secret_poll) == [0, 0]
    assert not await PollVote.filter(poll_id=secret_poll.id).exists()

    bob = await peer.cached("bob")
    await RemoteMembership.create(twinning=twinning, actor=bob, state="accepted")
    await _send(client, peer, "bob", _vote(peer, "bob", 1, secret_uri, "B"))
    await drain(fed)
    assert await _counts(secret_poll) == [0, 1]
    assert (await Poll.get(id=secret_poll.id)).voters_count == 1

    ended = datetime.now(UTC) - timedelta(seconds=1)
    await Poll.filter(id=open_poll.id).update(expires_at=ended)
    await _send(client, peer, "bob", _vote(peer, "bob", 2, public_uri, "Mardi"))
    await drain(fed)
    assert await _counts(open_poll) == [0, 1]


async def test_an_ended_poll_sends_its_final_counts_once(fed: Federation) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    item = await post_update(owner, twinning, "public", {"fr": "Oui ou non ?"})
    poll = await add_poll(item, PollInput(["Oui", "Non"], 3600))
    assert await close_ended_polls() == 0
    poll.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await poll.save()
    before = await Happening.filter(kind="edited").count()
    assert await close_ended_polls() == 1
    assert await close_ended_polls() == 0
    assert await Happening.filter(kind="edited").count() == before + 1
    assert (await Poll.get(id=poll.id)).results_sent_at is not None
