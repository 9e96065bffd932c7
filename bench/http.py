"""The request path under load, against its own ceiling: a bare Starlette app on the same
hypercorn set-up is measured first, then a Jumelage instance seeded with ``jumelage demo`` and
60 more public updates; each row is ``wrk`` (a compiled load generator, so the client costs
little CPU) for ``--seconds`` with ``--connections`` connections, printed as requests/s, p50,
p99 and the ratio to the bare app in the same run. The inbox row replays signed activities
signed beforehand (``bench.inbox_load``). The stampede row is many connections on a
public update posted just before it (so no cache holds it); it reports the answers that were
not 2xx.

    apt-get install wrk
    python -m bench.http [--database-url postgres://...] [--seconds 10] [--connections 16]
                         [--workers N] [--no-access-log]

``--workers`` runs ``jumelage serve --workers N`` (PostgreSQL only); memory is reported for
each server process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import free_port, fresh_settings, jumelage_server, start, stop
from bench.inbox_load import ACTORS, InboxLoad
from models import db
from models.accounts import Account
from models.config import Settings
from models.demo import DEMO_PASSWORD, fill_demo
from models.oauth import issue_token, register_app
from models.posting import post_update
from models.twinnings import Twinning

ACTIVITY = "Accept: application/activity+json"
SLUG = "budget_participatif"


@dataclass
class Result:
    rate: float
    p50: str
    p99: str
    failed: int


def wrk(url: str, seconds: int, connections: int, *headers: str, script: str = "") -> Result:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", script]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(non_2xx.group(1)) if non_2xx else 0
    failed += sum(int(n) for n in errors.groups()) if errors else 0
    return Result(rate, p50, p99, failed)


async def seed(extra_updates: int) -> tuple[str, int]:
    """The demo, 60 more public updates in its first twinning, a token for its founder."""
    await fill_demo()
    maelle = await Account.get(username="maelle")
    twinning = await Twinning.get(slug=SLUG)
    last = None
    for n in range(extra_updates):
        text = {"fr": f"Nouvelle publique {n}", "es": f"Novedad pública {n}"}
        last = await post_update(maelle, twinning, "public", text)
    app, _ = await register_app("bench", "urn:ietf:wg:oauth:2.0:oob", "read", "")
    _, token, _ = await issue_token(app, maelle, "read")
    assert last is not None
    return token, last.id


async def publish(settings: Settings) -> int:
    """One more public update, written while the server runs (as a member posting it)."""
    await db.connect(settings)
    try:
        maelle = await Account.get(username="maelle")
        twinning = await Twinning.get(slug=SLUG)
        return (await post_update(maelle, twinning, "public", {"fr": "Tout juste publiée"})).id
    finally:
        await db.close()


def session_cookie(base: str) -> str:
    """Maëlle logged in, as a browser is: the cookie header wrk sends."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = {"csrf_token": token, "username": "maelle", "password": DEMO_PASSWORD}
        client.post("/login", data=form)
        return "Cookie: " + "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def server_processes(pid: int) -> list[int]:
    """The server, or with ``--workers`` the processes it started (its helper aside)."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    serving = [c for c in children if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
    return serving or [pid]


def rows(base: str, item: int, token: str, cookie: str) -> list[tuple[str, str, list[str]]]:
    update = f"{base}/t/{SLUG}/updates/{item}"
    return [
        ("twinning actor document", f"{base}/t/{SLUG}", [ACTIVITY]),
        ("person actor document", f"{base}/u/maelle", [ACTIVITY]),
        ("update object document", update, [ACTIVITY]),
        ("home page, anonymous", f"{base}/", []),
        ("twinning page, anonymous", f"{base}/t/{SLUG}", []),
        ("update page, anonymous", update, []),
        ("member home", f"{base}/", [cookie]),
        ("twinning feed, member", f"{base}/t/{SLUG}", [cookie]),
        (
            "home timeline, 40 statuses, token",
            f"{base}/api/v1/timelines/home?limit=40",
            [f"Authorization: Bearer {token}"],
        ),
    ]


async def inbox_row(base: str, seconds: int, connections: int) -> Result:
    """Enough activities signed beforehand for ~1,500 a second; the warm-up lets the server
    fetch each actor's key once, as it does on first contact."""
    load = InboxLoad(base, free_port(), ACTORS + seconds * 1500)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for headers, body in load.warm:
                (await client.post("/inbox", content=body, headers=headers)).raise_for_status()
        return wrk(f"{base}/inbox", seconds, connections, script=str(load.script))
    finally:
        stop(load.sink)


def report(name: str, result: Result, bare: float) -> None:
    ratio = result.rate / bare if bare else 0
    failed = f"  ({result.failed} not 2xx or failed)" if result.failed else ""
    print(
        f"| {name} | {result.rate:,.0f} | {result.p50} / {result.p99} | {ratio:.3f} |{failed}",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--stampede", type=int, default=200, help="connections of the stampede")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--no-access-log", action="store_true", help="JUMELAGE_ACCESS_LOG=0")
    args = parser.parse_args()
    bare_port = free_port()
    bare = start(
        [sys.executable, "-m", "bench.bare", str(bare_port)],
        {**os.environ},
        f"http://127.0.0.1:{bare_port}/",
    )
    try:
        baseline = wrk(f"http://127.0.0.1:{bare_port}/", args.seconds, args.connections)
    finally:
        stop(bare)
    port = free_port()
    settings = await fresh_settings(args.database_url, port)
    token, item = await seed(60)
    await db.close()
    log = {"JUMELAGE_ACCESS_LOG": "0"} if args.no_access_log else {}
    server = jumelage_server(settings, port, args.workers, **log)
    base = f"http://127.0.0.1:{port}"
    kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
    processes = f", {args.workers} server processes" if args.workers > 1 else ""
    access = ", no access log" if args.no_access_log else ""
    print(f"\n{kind}, {args.connections} connections, {args.seconds} s each{processes}{access}\n")
    print("| request | requests/s | p50 / p99 | ratio to bare |")
    print("|---|---|---|---|")
    report("bare Starlette, 1 KB JSON", baseline, baseline.rate)
    try:
        cookie = session_cookie(base)
        for name, url, headers in rows(base, item, token, cookie):
            report(name, wrk(url, args.seconds, args.connections, *headers), baseline.rate)
        inbox = await inbox_row(base, args.seconds, args.connections)
        report("inbox: signed Create accepted (202)", inbox, baseline.rate)
        fresh = await publish(settings)  # not in any cache yet: the stampede meets it new
        stampede = wrk(f"{base}/t/{SLUG}/updates/{fresh}", args.seconds, args.stampede, ACTIVITY)
        report(f"stampede: update object, {args.stampede} connections", stampede, baseline.rate)
        memory = ", ".join(f"{resident_mb(p):.0f}" for p in server_processes(server.pid))
        print(f"\nserver resident memory after the run (MB per process): {memory}")
    finally:
        stop(server)


if __name__ == "__main__":
    asyncio.run(main())
