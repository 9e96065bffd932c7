"""A healthy follower never waits for a dead one. A real server has followers on three hosts of
their own (distinct loopback addresses): one accepts connections and never answers, one
answers 500, one is healthy. Fifty updates posted through the Mastodon API reach the healthy
host each well within the read timeout that the hanging host costs, which is what waiting
for it, in the claim loop or for a slot, would add."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from federation.fetch import READ_TIMEOUT
from tests.api.conftest import PASSWORD, password_token
from tests.databases import fresh_database
from tests.federation.peer import Peer, start_peer
from tests.servers import free_port, jumelage, migrate, running_server, server_env

UPDATES = 50


@pytest.fixture
def three_hosts() -> Iterator[tuple[Peer, Peer, Peer]]:
    """Hanging on 127.0.0.2, answering 500 on 127.0.0.3, healthy on 127.0.0.4. All answer
    GETs (the follow needs their actor documents); POSTs show their health."""
    hold = threading.Event()
    started = [start_peer(host) for host in ("127.0.0.2", "127.0.0.3", "127.0.0.4")]
    (hanging, _), (failing, _), (healthy, _) = started
    hanging.hold = hold
    failing.status = 500
    yield hanging, failing, healthy
    hold.set()
    for _, server in started:
        server.shutdown()
        server.server_close()


async def _follow(base: str, peer: Peer) -> None:
    group = f"{base}/t/lapaz"
    follow = {
        "type": "Follow",
        "id": f"{peer.base}/f/1",
        "actor": peer.actor("ana"),
        "object": group,
    }
    headers, body = peer.signed_post("ana", follow, f"{group}/inbox")
    async with httpx.AsyncClient() as web:
        r = await web.post(f"{group}/inbox", content=body, headers=headers)
    assert r.status_code == 202, r.text


async def _until(condition: object, what: str, seconds: float = 60) -> None:
    for _ in range(int(seconds * 20)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} did not happen")


def _boosted(peer: Peer) -> dict[str, float]:
    """When each boosted status first reached the peer."""
    seen: dict[str, float] = {}
    for r in peer.received:
        obj = r.activity.get("object")
        if r.activity.get("type") == "Announce" and isinstance(obj, str):
            seen.setdefault(obj, r.at)
    return seen


async def test_a_healthy_follower_gets_updates_without_waiting_for_a_hanging_or_failing_one(
    tmp_path: Path, three_hosts: tuple[Peer, Peer, Peer]
) -> None:
    hanging, failing, healthy = three_hosts
    database = await fresh_database(tmp_path, "slow_peers", migrated=True)
    port = free_port()
    env = server_env(tmp_path, database, port)
    migrate(env)
    jumelage(env, "users", "create", "alice", "--email", "a@x.org", "--password", PASSWORD)
    jumelage(env, "twinnings", "create", "lapaz", "--title", "La Paz", "--owner", "alice")
    with running_server(tmp_path, database, port=port) as base:
        for peer in three_hosts:
            await _follow(base, peer)
        # Each follow is taken once its Accept went out: the hanging host holds that request.
        await _until(lambda: all(p.posts for p in three_hosts), "the three Accepts")
        token = await asyncio.to_thread(password_token, base, "alice")
        posted: dict[str, float] = {}
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as api:
            for n in range(UPDATES):
                r = await api.post(
                    "/api/v1/statuses", data={"status": f"@lapaz news {n}", "visibility": "public"}
                )
                assert r.status_code == 200, r.text
                posted[r.json()["uri"]] = time.monotonic()
                await asyncio.sleep(0.1)
        await _until(lambda: set(posted) <= set(_boosted(healthy)), "50 boosts at the healthy host")
    arrived = _boosted(healthy)
    lags = sorted(arrived[uri] - at for uri, at in posted.items())
    p50, p99 = statistics.median(lags), lags[int(len(lags) * 0.99) - 1]
    print(f"\nhealthy follower lag over {UPDATES} updates: p50 {p50:.2f} s, p99 {p99:.2f} s, "
          f"max {lags[-1]:.2f} s (read timeout {READ_TIMEOUT:.0f} s); "
          f"hanging host got {hanging.posts} requests, failing host {failing.posts}")  # fmt: skip
    assert not failing.received and not hanging.received
    # Waiting for the hanging host (in the claim loop or for a slot) costs up to its timeout.
    assert p99 < READ_TIMEOUT / 2
    # A failing host is held back between probes: nowhere near one request per update.
    assert failing.posts < UPDATES / 5 and hanging.posts < UPDATES / 5
