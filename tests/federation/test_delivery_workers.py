"""Several workers drain one queue: claims never overlap (FOR UPDATE SKIP LOCKED on
PostgreSQL, the single writer on SQLite), so no delivery is sent twice and none is lost."""

from __future__ import annotations

import asyncio

from federation.context import Federation
from federation.delivery import deliver_due, enqueue
from models.queues import Delivery
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account
from tests.federation.peer import Peer

GROUP = "http://testserver.localhost/t/brest"


async def test_concurrent_workers_deliver_each_row_exactly_once(
    settings,
    peer: Peer,  # type: ignore[no-untyped-def]
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    for n in range(60):
        activity = {"id": f"{GROUP}#a/{n}", "type": "Announce", "actor": GROUP, "object": "x"}
        await enqueue(
            activity,
            "twinning",
            twinning.id,
            GROUP + "#main-key",
            [f"{peer.base}/inbox", f"{peer.base}/users/u{n % 7}/inbox"],
        )
    workers = [await Federation.start(settings) for _ in range(3)]
    try:
        while await Delivery.filter(state="pending").exists():
            await asyncio.gather(*(deliver_due(w, limit=7) for w in workers))
    finally:
        for w in workers:
            await w.close()
    sent = [(r.path, r.activity["id"]) for r in peer.received]
    assert len(sent) == 120
    assert len(set(sent)) == 120
    assert await Delivery.filter(state="done").count() == 120
