"""Several workers drain one queue: claims never overlap (FOR UPDATE SKIP LOCKED on
PostgreSQL, the single writer on SQLite), so no delivery is sent twice and none is lost. And
within a worker, a slow host holds up only its own deliveries."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from federation.context import Federation
from federation.delivery import deliver_continuously, deliver_due, enqueue
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


class _Slow(BaseHTTPRequestHandler):
    """A host that takes its time over every delivery."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(2.0)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


async def test_a_slow_host_delays_only_its_own_deliveries(
    settings,
    peer: Peer,  # type: ignore[no-untyped-def]
) -> None:
    owner = await make_account("youenn")
    twinning = await create_twinning(owner, "quimper", TwinningInput(title={"fr": "Quimper"}))
    slow = ThreadingHTTPServer(("127.0.0.2", 0), _Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    slow_inbox = f"http://127.0.0.2:{slow.server_address[1]}/inbox"

    async def send(n: int, inboxes: list[str]) -> None:
        activity = {"id": f"{GROUP}#slow/{n}", "type": "Announce", "actor": GROUP, "object": "x"}
        await enqueue(activity, "twinning", twinning.id, GROUP + "#main-key", inboxes)

    async def received(count: int) -> float:
        started = time.monotonic()
        while len(peer.received) < count:  # noqa: ASYNC110 - the peer answers in a thread
            await asyncio.sleep(0.02)
        return time.monotonic() - started

    fed = await Federation.start(settings)
    stop = asyncio.Event()
    loop = asyncio.create_task(deliver_continuously(fed, stop, idle=0.1))
    try:
        await send(1, [slow_inbox, f"{peer.base}/inbox"])
        await asyncio.wait_for(received(1), 5)
        # Queued while the slow host still holds the first activity: sent without waiting.
        await send(2, [f"{peer.base}/inbox"])
        assert await asyncio.wait_for(received(2), 5) < 1.0
        assert await Delivery.filter(inbox_url=slow_inbox, state="pending").count() == 1
        while await Delivery.filter(state="pending").exists():  # noqa: ASYNC110 - a table
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await loop
        await fed.close()
        slow.shutdown()
    assert await Delivery.filter(inbox_url=slow_inbox, state="done").count() == 1
