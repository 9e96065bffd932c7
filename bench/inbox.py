"""Inbox benchmark: signed activities POSTed to a real ``jumelage serve`` (its worker off, so
only the inbox path is measured), next to the raw rate of verifying the same signatures.

    python -m bench.inbox [--database-url postgres://...] [--activities 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import free_ports, fresh_settings, jumelage_server, rate, sink, stop
from federation.signatures import PublicKey, generate_keypair, sign_request, verify_request
from models import db
from models.accounts import create_account
from models.queues import InboxActivity
from models.twinnings import TwinningInput, create_twinning

ACTORS = 50
CONCURRENCY = 32


def signed(base: str, sink_base: str, n: int, private_pem: str) -> tuple[dict[str, str], bytes]:
    actor = f"{sink_base}/users/a{n % ACTORS}"
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Like",
        "id": f"{sink_base}/likes/{n}",
        "actor": actor,
        "object": f"{base}/t/bench",
    }
    body = json.dumps(activity).encode()
    headers = sign_request("POST", f"{base}/inbox", f"{actor}#main-key", private_pem, body)
    headers["content-type"] = "application/activity+json"
    return headers, body


async def verification_ceiling(
    requests: list[tuple[dict[str, str], bytes]], url: str, domain: str, public_pem: str
) -> float:
    async def lookup(key_id: str) -> PublicKey:
        return PublicKey(key_id, key_id.split("#")[0], public_pem)

    started = time.perf_counter()
    for headers, body in requests:
        await verify_request("POST", url, headers, body, domain=domain, lookup=lookup)
    return len(requests) / (time.perf_counter() - started)


async def run(database: str, count: int) -> None:
    port, sink_port = free_ports(2)
    settings = await fresh_settings(database, port)
    owner = await create_account("owner", "owner@bench.invalid", "bench password")
    await create_twinning(owner, "bench", TwinningInput(title={"en": "Bench"}))
    public_pem, private_pem = generate_keypair()
    pem_file = Path(tempfile.mkdtemp()) / "public.pem"
    pem_file.write_text(public_pem)
    server = jumelage_server(settings, port)
    receiver = sink(sink_port, BENCH_PUBLIC_PEM=str(pem_file))
    base, sink_base = settings.base_url, f"http://127.0.0.1:{sink_port}"
    requests = [signed(base, sink_base, n, private_pem) for n in range(count)]
    try:
        ceiling = await verification_ceiling(
            requests[:1000], f"{base}/inbox", settings.domain, public_pem
        )
        statuses: dict[int, int] = {}
        queue = iter(requests)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:

            async def sender() -> None:
                for headers, body in queue:
                    r = await client.post("/inbox", content=body, headers=headers)
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

            warm = [requests.pop(0) for _ in range(ACTORS)]  # first contact fetches each key
            for headers, body in warm:
                await client.post("/inbox", content=body, headers=headers)
            queue = iter(requests)
            started = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
            seconds = time.perf_counter() - started
        stored = await InboxActivity.all().count()
    finally:
        stop(server, receiver)
        await db.close()
    kind = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"database               {kind}")
    print(
        f"activities             {len(requests):,} from {ACTORS} actors, {CONCURRENCY} at once "
        f"(after {ACTORS} warm-up requests that fetch the keys)"
    )
    print(f"answers                {statuses}; rows stored {stored:,}")
    print(f"accepted               {rate(statuses.get(202, 0), seconds)} ({seconds:.1f} s)")
    print(f"verification ceiling   {ceiling:,.0f}/s (same signatures, one core, no I/O)")
    print(f"accepted / ceiling     {statuses.get(202, 0) / seconds / ceiling:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite")
    parser.add_argument("--activities", type=int, default=3000)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.activities))


if __name__ == "__main__":
    main()
