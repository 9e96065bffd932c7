"""Healthy-host lag with dead peers: how long an update takes to reach a healthy follower host
when N other follower hosts accept connections and never answer, against a baseline in the
same run where the healthy host is the only follower.

A real ``jumelage serve`` (inline worker) publishes updates posted through its Mastodon API;
the healthy host (127.0.0.1) is an aiohttp server in this process that notes when each boost
arrives; each dead host is a socket on an address of its own (127.0.1.1, ...) that accepts and
never answers. Lag: from the API's answer to the arrival of the boost.

    python -m bench.dead_peers [--dead 100] [--updates 50] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime

import httpx
from aiohttp import web

from bench.common import environment, free_ports, fresh_settings, start, stop
from models import db
from models.accounts import create_account
from models.follows import Follow
from models.remote import RemoteActor
from models.twinnings import TwinningInput, create_twinning

PASSWORD = "bench password"
ARRIVED: dict[str, float] = {}


def dead_host(i: int) -> str:
    return f"127.0.{i // 250 + 1}.{i % 250 + 1}"


async def healthy_inbox(request: web.Request) -> web.Response:
    activity = await request.json()
    obj = activity.get("object")
    if activity.get("type") == "Announce" and isinstance(obj, str):
        ARRIVED.setdefault(obj, time.monotonic())
    return web.Response(status=202)


async def start_healthy(port: int) -> web.AppRunner:
    app = web.Application()
    app.add_routes([web.post("/inbox", healthy_inbox)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # until the client gives up
    writer.close()


async def follower(host: str, port: int, twinning_id: int, name: str) -> None:
    base = f"http://{host}:{port}"
    actor = await RemoteActor.create(
        uri=f"{base}/users/{name}",
        actor_type="Person",
        handle=name,
        domain=host,
        inbox=f"{base}/users/{name}/inbox",
        shared_inbox=f"{base}/inbox",
        fetched_at=datetime.now(UTC),
    )
    await Follow.create(follower_id=actor.id, target_type="twinning", target_id=twinning_id)


async def token(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as c:
        app = (
            await c.post(
                "/api/v1/apps",
                data={"client_name": "bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                      "scopes": "read write"},
            )
        ).json()  # fmt: skip
        answer = await c.post(
            "/oauth/token",
            data={"grant_type": "password", "client_id": app["client_id"],
                  "client_secret": app["client_secret"], "username": "owner",
                  "password": PASSWORD, "scope": "read write"},
        )  # fmt: skip
        return str(answer.json()["access_token"])


async def lags(base: str, bearer: str, slug: str, updates: int) -> list[float]:
    """Posts ``updates`` public updates to ``slug``, one every 0.1 s, and waits for each boost
    at the healthy host (a minute at most)."""
    posted: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {bearer}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as api:
        for n in range(updates):
            r = await api.post("/api/v1/statuses", data={"status": f"@{slug} news {n}"})
            r.raise_for_status()
            posted[r.json()["uri"]] = time.monotonic()
            await asyncio.sleep(0.1)
    deadline = time.monotonic() + 60
    while not set(posted) <= set(ARRIVED) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    missing = set(posted) - set(ARRIVED)
    if missing:
        raise SystemExit(f"{len(missing)} of {updates} updates never reached the healthy host")
    return sorted(ARRIVED[uri] - at for uri, at in posted.items())


def figures(values: list[float]) -> tuple[float, float, float]:
    p99 = values[max(int(len(values) * 0.99) - 1, 0)]
    return statistics.median(values), p99, values[-1]


async def run(database: str, dead: int, updates: int) -> None:
    port, healthy_port, dead_port = free_ports(3)
    settings = await fresh_settings(database, port)
    owner = await create_account("owner", "owner@bench.invalid", PASSWORD)
    alone = await create_twinning(owner, "alone", TwinningInput(title={"en": "Alone"}))
    crowded = await create_twinning(owner, "crowded", TwinningInput(title={"en": "Crowded"}))
    for twinning in (alone, crowded):
        await follower("127.0.0.1", healthy_port, twinning.id, f"healthy{twinning.id}")
    for i in range(dead):
        await follower(dead_host(i), dead_port, crowded.id, f"dead{i}")
    servers = [
        await asyncio.start_server(never_answer, dead_host(i), dead_port) for i in range(dead)
    ]
    healthy = await start_healthy(healthy_port)
    env = environment(settings, JUMELAGE_INLINE_WORKER="1")
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", "1"]
    server = start(command, env, f"http://127.0.0.1:{port}/")
    base = f"http://127.0.0.1:{port}"
    try:
        bearer = await token(base)
        baseline = figures(await lags(base, bearer, "alone", updates))
        with_dead = figures(await lags(base, bearer, "crowded", updates))
    finally:
        stop(server)
        await healthy.cleanup()
        for s in servers:
            s.close()
        await db.close()
    kind = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"database                 {kind}")
    print(f"updates per phase        {updates}, one every 0.1 s, through the Mastodon API")
    print(f"dead peers               {dead} hosts that accept and never answer")
    for label, (p50, p99, top) in (("healthy alone", baseline), (f"with {dead} dead", with_dead)):
        print(f"lag, {label:<19} p50 {p50:.3f} s   p99 {p99:.3f} s   max {top:.3f} s")
    print(f"ratio to the baseline    p50 {with_dead[0] / baseline[0]:.2f}x   "
          f"p99 {with_dead[1] / baseline[1]:.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite")
    parser.add_argument("--dead", type=int, default=100)
    parser.add_argument("--updates", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.dead, args.updates))


if __name__ == "__main__":
    main()
