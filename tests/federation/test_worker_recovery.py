"""A worker killed (SIGKILL) while it holds claimed deliveries: the next worker started on the
host releases them at once (their holder's process is gone) instead of waiting for the lease,
so they go out within seconds of the restart. The test stretches the dead worker's leases to
an hour, so that rows delivered at all were released, not found expired."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from federation.delivery import enqueue
from models.config import Settings
from models.queues import Delivery
from models.remote import now
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account
from tests.federation.peer import Peer, start_peer
from tests.servers import ROOT

GROUP = "http://testserver.localhost/t/brest"
ROWS = 4


@pytest.fixture
def slow_peer() -> Iterator[Peer]:
    peer, server = start_peer("127.0.0.5")
    peer.delay = 1.0  # rows stay in flight long enough to be killed with
    yield peer
    server.shutdown()
    server.server_close()


async def _worker(settings: Settings) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "JUMELAGE_DATA_DIR": str(settings.data_dir),
        "JUMELAGE_DATABASE_URL": settings.database_url,
        "JUMELAGE_DOMAIN": settings.domain,
        "JUMELAGE_ALLOW_PRIVATE_ADDRESSES": "1",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        "worker",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _until(condition: object, what: str, seconds: float = 120) -> None:
    for _ in range(int(seconds * 20)):
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} did not happen")


async def test_deliveries_held_by_a_killed_worker_go_out_soon_after_a_restart(
    settings: Settings, slow_peer: Peer
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    for n in range(ROWS):
        activity = {"id": f"{GROUP}#kill/{n}", "type": "Announce", "actor": GROUP, "object": "x"}
        await enqueue(
            activity, "twinning", twinning.id, GROUP + "#main-key", [slow_peer.base + "/inbox"]
        )
    first = await _worker(settings)
    try:
        await _until(lambda: _arrived(slow_peer), "a delivery in flight")
        first.send_signal(signal.SIGKILL)
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
    held = Delivery.filter(state="pending", claimed_until__gt=now()).exclude(claimed_by="")
    holders = set(await held.values_list("claimed_by", flat=True))
    assert len(holders) == 1, "the killed worker held claimed rows"
    count = await held.update(claimed_until=now() + timedelta(hours=1))

    restarted_at = time.monotonic()
    second = await _worker(settings)
    try:
        await _until(_all_done, "every delivery")
    finally:
        second.terminate()
        await second.wait()
    recovery = time.monotonic() - restarted_at
    print(f"\n{count} rows held by the killed worker delivered {recovery:.1f} s after restart")
    assert await Delivery.filter(state="done").count() == ROWS
    sent = {r.activity["id"] for r in slow_peer.received}
    assert sent == {f"{GROUP}#kill/{n}" for n in range(ROWS)}


async def _arrived(peer: Peer) -> bool:
    return peer.posts > 0


async def _all_done() -> bool:
    return not await Delivery.filter(state="pending").exists()
