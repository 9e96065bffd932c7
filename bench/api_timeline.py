"""Client API benchmark: a member's apps reading timelines (home, a twinning's list, public) of
40 statuses each from a real ``jumelage serve``, as many apps at once.

    python -m bench.api_timeline [--database-url postgres://...] [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from bench.common import free_port, fresh_settings, jumelage_server, rate, stop
from models import db
from models.accounts import create_account
from models.oauth import issue_token, register_app
from models.posting import post_update
from models.twinnings import TwinningInput, create_twinning

CONCURRENCY = 8
PATHS = ("/api/v1/timelines/home", "/api/v1/timelines/list/{list}", "/api/v1/timelines/public")


async def seed(items: int) -> tuple[str, int]:
    """A member, a twinning with ``items`` updates (one in four partner-only), and a token."""
    member = await create_account("bench", "bench@example.org", "a long enough password")
    twinning = await create_twinning(member, "bench_twinning", TwinningInput(title={"en": "Bench"}))
    for n in range(items):
        visibility = "partners" if n % 4 == 0 else "public"
        await post_update(
            member, twinning, visibility, {"en": f"Update {n}", "fr": f"Nouvelle {n}"}
        )
    app, _ = await register_app("bench", "urn:ietf:wg:oauth:2.0:oob", "read", "")
    _, token, _ = await issue_token(app, member, "read")
    return token, twinning.id


async def read(base: str, token: str, list_id: int, total: int) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    paths = [p.format(list=list_id) + "?limit=40" for p in PATHS]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(paths[n % len(paths)])

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            path = queue.get_nowait()
            answer = await client.get(base + path, headers=headers)
            assert answer.status_code == 200 and len(answer.json()) >= 30, answer.text[:200]

    async with httpx.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
        return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    port = free_port()
    settings = await fresh_settings(args.database_url, port)
    token, list_id = await seed(200)
    await db.close()
    server = jumelage_server(settings, port)
    try:
        base = f"http://127.0.0.1:{port}"
        await read(base, token, list_id, 30)  # warm-up
        seconds = await read(base, token, list_id, args.requests)
    finally:
        stop(server)
    print(f"timelines of 40 statuses: {args.requests} requests in {seconds:.1f} s")
    print(
        f"  {rate(args.requests, seconds)} requests, {rate(args.requests * 40, seconds)} statuses"
    )


if __name__ == "__main__":
    asyncio.run(main())
