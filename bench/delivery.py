"""Delivery benchmark: one twinning with 10,000 followers on 1,000 instances (distinct loopback
addresses, all answered by ``bench.sink``, which verifies every signature). Publishes public
updates, drains the queue with the real delivery code, and compares the delivery rate with the
raw rate of signing the same requests with the same key (the ceiling).

By default this process drains the queue with ``deliver_due``, one process on one core. With
``--workers N`` it starts N ``jumelage worker`` processes, as an admin would, and times them
from their first delivery (their start-up is not delivery) to the empty queue.

    python -m bench.delivery [--database-url postgres://postgres@127.0.0.1:5432/x]
                             [--updates 5] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime

from bench.common import (
    environment,
    free_ports,
    fresh_settings,
    jumelage_server,
    rate,
    sink,
    sink_stats,
    start_quietly,
    stop,
)
from federation.actors import actor_key
from federation.context import Federation
from federation.delivery import deliver_due
from federation.fanout import fan_out
from federation.signatures import sign_request
from models import db
from models.accounts import create_account
from models.config import Settings
from models.follows import Follow
from models.posting import post_update
from models.queues import Delivery
from models.remote import RemoteActor
from models.twinnings import TwinningInput, create_twinning

FOLLOWERS = 10_000
INSTANCES = 1_000


def host(i: int) -> str:
    return f"127.0.{i // 250 + 1}.{i % 250 + 1}"


async def followers(sink_port: int, twinning_id: int) -> None:
    now = datetime.now(UTC)
    actors = []
    for n in range(FOLLOWERS):
        base = f"http://{host(n % INSTANCES)}:{sink_port}"
        uri = f"{base}/users/u{n}"
        actors.append(
            RemoteActor(
                uri=uri,
                actor_type="Person",
                handle=f"u{n}",
                domain=host(n % INSTANCES),
                inbox=f"{uri}/inbox",
                shared_inbox=f"{base}/inbox",
                fetched_at=now,
            )
        )
    await RemoteActor.bulk_create(actors, batch_size=1000)
    ids = await RemoteActor.all().values_list("id", flat=True)
    await Follow.bulk_create(
        [Follow(follower_id=i, target_type="twinning", target_id=twinning_id) for i in ids],
        batch_size=1000,
    )


async def ceiling(sample: list[Delivery]) -> float:
    key = await actor_key(sample[0].signer_type, sample[0].signer_id)
    started = time.perf_counter()
    for row in sample:
        sign_request(
            "POST", row.inbox_url, row.signer_key_id, key.private_pem, row.payload.encode()
        )
    return len(sample) / (time.perf_counter() - started)


STALL = 60.0  # seconds without a delivery after which the benchmark gives up


async def _stalled(last_progress: float) -> None:
    """Failed deliveries are retried for days; a benchmark whose sink is gone says so instead."""
    if time.perf_counter() - last_progress > STALL:
        errors = await Delivery.filter(attempts__gt=0).limit(3).values_list("last_error", flat=True)
        raise SystemExit(f"no delivery for {STALL:.0f} s; last errors: {errors}")


async def drain_here(fed: Federation) -> tuple[int, float]:
    started = progress = time.perf_counter()
    while await Delivery.filter(state="pending").exists():
        if await deliver_due(fed, limit=500):
            progress = time.perf_counter()
        await _stalled(progress)
    return await Delivery.filter(state="done").count(), time.perf_counter() - started


async def drain_in_workers(settings: Settings, workers: int) -> tuple[int, float]:
    """Rows delivered after the first poll that saw progress, and the time since that poll."""
    command = [sys.executable, "-m", "server.cli", "worker"]
    procs = [start_quietly(command, environment(settings)) for _ in range(workers)]
    try:
        first: tuple[int, float] | None = None
        seen, progress = 0, time.perf_counter()
        while True:
            done = await Delivery.filter(state="done").count()
            moment = time.perf_counter()
            if first is None and done:
                first = (done, moment)
            if not await Delivery.filter(state="pending").exists():
                break
            if done > seen:
                seen, progress = done, moment
            await _stalled(progress)
            await asyncio.sleep(0.2)
    finally:
        stop(*procs)
    assert first is not None
    return done - first[0], moment - first[1]


async def run(database: str, updates: int, workers: int) -> None:
    port, sink_port = free_ports(2)
    settings = await fresh_settings(database, port)
    owner = await create_account("owner", "owner@bench.invalid", "bench password")
    twinning = await create_twinning(owner, "bench", TwinningInput(title={"en": "Bench"}))
    fed = await Federation.start(settings)
    await followers(sink_port, twinning.id)
    server, receiver = jumelage_server(settings, port), sink(sink_port)
    try:
        for n in range(updates):
            await post_update(owner, twinning, "public", {"en": f"News {n}"})
        while await fan_out(fed):  # what the posts make for the queue, before it is timed
            pass
        total = await Delivery.filter(state="pending").count()
        sample = await Delivery.all().limit(4000)
        signing = await ceiling(sample)
        if workers:
            timed, seconds = await drain_in_workers(settings, workers)
        else:
            timed, seconds = await drain_here(fed)
        # The machine's speed drifts; of two measures the higher ceiling is the stricter one.
        signing = max(signing, await ceiling(sample))
        seen = await sink_stats(sink_port)
        verified = seen.pop("verified", 0)
        done = await Delivery.filter(state="done").count()
        errors = await Delivery.filter(state="failed").values_list("last_error", flat=True)
    finally:
        stop(server, receiver)
        await fed.close()
        await db.close()
    kind = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"database            {kind}")
    print(f"followers/instances {FOLLOWERS:,} / {INSTANCES:,} (shared inboxes)")
    print(
        f"deliveries          {total:,} for {updates} updates; {done:,} done, {verified:,} "
        f"verified by the sink"
    )
    if errors or seen:
        print(f"failed              {len(errors)}: {sorted(set(errors))[:3]}; sink: {seen}")
    drainer = f"{workers} jumelage worker processes" if workers else "this process"
    print(f"drained by          {drainer}")
    print(f"drain time          {seconds:.1f} s for {timed:,} deliveries")
    print(f"delivery rate       {rate(timed, seconds)}")
    print(f"signing ceiling     {signing:,.0f}/s (same requests, same key, one core)")
    print(f"rate / ceiling      {timed / seconds / signing:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite")
    parser.add_argument("--updates", type=int, default=5)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.updates, args.workers))


if __name__ == "__main__":
    main()
