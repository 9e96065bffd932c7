"""Meetings across servers: a remote member's Mobilizon-shaped ``Event`` becomes a meeting of
the twinning, with its time zone and place; partner-only meetings go to members only."""

from __future__ import annotations

import json

import httpx

from federation.context import Federation
from models.content import ContentItem
from models.events import EventDetails, EventInput, create_event
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account
from tests.federation.peer import FIXTURES, Peer, drain
from tests.federation.test_remote_members import GROUP, PUBLIC, _join, _send, ana_asks_to_join


async def test_a_remote_members_event_becomes_a_meeting(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    await ana_asks_to_join(client, peer, "open")
    await drain(fed)
    mobilizon = json.loads((FIXTURES / "mobilizon" / "objects" / "event.json").read_text())
    event = {
        **{k: v for k, v in mobilizon.items() if k not in ("@context", "actor", "contacts")},
        "id": f"{peer.base}/events/1",
        "attributedTo": peer.actor("ana"),
        "to": [PUBLIC],
        "cc": [GROUP],
    }
    create = {"type": "Create", "id": f"{peer.base}/c/e1", "actor": peer.actor("ana")}
    await _send(client, peer, "ana", {**create, "object": event, "to": [PUBLIC], "cc": [GROUP]})
    await drain(fed)
    item = await ContentItem.get(uri=event["id"])
    details = await EventDetails.get(item=item)
    assert item.kind == "event" and item.title_map == {"en": "Caledonian scottish dance class"}
    assert details.timezone == "Europe/London"
    assert details.starts_at.isoformat().startswith("2022-12-11T19:00:00")
    assert details.place == "The Kenn Centre, Devon Expressway, Teignbridge"


async def test_partner_only_meetings_reach_remote_members_alone(
    client: httpx.AsyncClient, fed: Federation, peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(
        owner, "brest_lapaz", TwinningInput(title={"fr": "Brest"}, join_policy="open")
    )
    await _send(client, peer, "ana", _join(peer, "ana"))
    await _send(
        client,
        peer,
        "bob",
        {"type": "Follow", "id": f"{peer.base}/f/bob", "actor": peer.actor("bob"), "object": GROUP},
    )
    await drain(fed)
    before = len(peer.received)
    await create_event(
        owner,
        twinning,
        EventInput(
            {"es": "Comité de presupuesto"},
            {},
            "2031-05-04T15:00",
            "2031-05-04T17:00",
            "America/La_Paz",
            online_url="https://meet.example.org/comite",
            visibility="partners",
        ),
    )
    await drain(fed)
    sent = peer.received[before:]
    # Bob follows: he would get things at the shared inbox; members get them by name.
    assert sent and {r.path for r in sent} == {"/users/ana/inbox"}
    objects = [r.activity["object"] for r in sent if r.activity["type"] == "Create"]
    assert objects[0]["type"] == "Event" and objects[0]["to"] == [
        f"{GROUP}/members",
        peer.actor("ana"),
    ]
    assert objects[0]["attachment"][0]["href"] == "https://meet.example.org/comite"
    assert objects[0]["isOnline"] is True
    before = len(peer.received)
    await create_event(
        owner,
        twinning,
        EventInput({"es": "Foro abierto"}, {}, "2031-05-05T15:00", "2031-05-05T17:00"),
    )
    await drain(fed)
    public_paths = {r.path for r in peer.received[before:]}
    assert "/inbox" in public_paths  # the followers' shared inbox gets the public meeting
