"""Delivery benchmark: one twinning with 10,000 followers on 1,000 instances (distinct loopback
addresses, all answered by ``bench.sink``, which verifies every signature). Publishes public
updates, drains the queue with the real delivery code, and compares the delivery rate with the
raw rate of signing the same requests with the same key (the ceiling).

    python -m bench.delivery [--database-url postgres://postgres@127.0.0.1:5432/x] [--updates 5]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime

from bench.common import (
    free_port,
    fresh_settings,
    jumelage_server,
    rate,
    sink,
    sink_stats,
    stop,
)
from federation import publish
from federation.actors import actor_key
from federation.context import Federation
from federation.delivery import deliver_due
from federation.signatures import sign_request
from models import db
from models.accounts import create_account
from models.content import post_update
from models.follows import Follow
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


async def run(database: str, updates: int) -> None:
    port, sink_port = free_port(), free_port()
    settings = await fresh_settings(database, port)
    owner = await create_account("owner", "owner@bench.invalid", "bench password")
    twinning = await create_twinning(owner, "bench", TwinningInput(title={"en": "Bench"}))
    fed = await Federation.start(settings)
    await followers(sink_port, twinning.id)
    server, receiver = jumelage_server(settings, port), sink(sink_port)
    try:
        for n in range(updates):
            item = await post_update(owner, twinning, "public", {"en": f"News {n}"})
            await publish.update_posted(fed, item)
        total = await Delivery.filter(state="pending").count()
        signing = await ceiling(await Delivery.all().limit(2000))
        started = time.perf_counter()
        while await Delivery.filter(state="pending").exists():
            await deliver_due(fed, limit=500)
        seconds = time.perf_counter() - started
        verified = (await sink_stats(sink_port)).get("verified", 0)
        done = await Delivery.filter(state="done").count()
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
    print(f"drain time          {seconds:.1f} s")
    print(f"delivery rate       {rate(done, seconds)}")
    print(f"signing ceiling     {signing:,.0f}/s (same requests, same key, one core)")
    print(f"rate / ceiling      {done / seconds / signing:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite")
    parser.add_argument("--updates", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.updates))


if __name__ == "__main__":
    main()
