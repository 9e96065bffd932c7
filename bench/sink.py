"""Stands for many remote instances at once: listens on every loopback address, serves an actor
document for any /users/NAME, and verifies the HTTP signature of every POST against the key of
the Jumelage actor that signs (fetched once from the Jumelage server, as a real peer would).

It runs on aiohttp's server rather than hypercorn: the benchmarks share two cores between
Jumelage and the sink, and a lighter server leaves more of them to what is measured.

Run by the benchmarks: ``python -m bench.sink PORT``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from federation.signatures import PublicKey, generate_keypair, verify_request

# The benchmark that signs as remote actors hands the sink their public key.
PUBLIC_PEM = (
    Path(os.environ["BENCH_PUBLIC_PEM"]).read_text()
    if os.environ.get("BENCH_PUBLIC_PEM")
    else generate_keypair()[0]
)
KEYS: dict[str, asyncio.Future[PublicKey]] = {}
STATS: Counter[str] = Counter()


async def fetch_key(key_id: str) -> PublicKey:
    async with httpx.AsyncClient() as client:
        actor = (
            await client.get(key_id.split("#")[0], headers={"Accept": "application/activity+json"})
        ).json()
    key = actor["publicKey"]
    return PublicKey(key["id"], key["owner"], key["publicKeyPem"])


async def lookup(key_id: str) -> PublicKey | None:
    """One fetch per key, however many requests signed with it arrive at once."""
    if key_id not in KEYS:
        KEYS[key_id] = asyncio.ensure_future(fetch_key(key_id))
    try:
        return await KEYS[key_id]
    except Exception:
        KEYS.pop(key_id, None)  # fetched again by the next request
        raise


async def actor(request: web.Request) -> web.Response:
    host = request.headers["host"]
    uri = f"http://{host}{request.path}"
    document: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": uri,
        "type": "Person",
        "preferredUsername": request.match_info["name"],
        "inbox": f"{uri}/inbox",
        "endpoints": {"sharedInbox": f"http://{host}/inbox"},
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": PUBLIC_PEM},
    }
    return web.Response(text=json.dumps(document), content_type="application/activity+json")


async def inbox(request: web.Request) -> web.Response:
    body = await request.read()
    url = f"http://{request.headers['host']}{request.path_qs}"
    try:
        await verify_request(
            "POST", url, request.headers, body, domain=request.headers["host"], lookup=lookup
        )
    except Exception as exc:
        STATS[f"refused: {exc}"] += 1
        return web.json_response({"error": str(exc)}, status=401)
    STATS["verified"] += 1
    return web.Response(status=202)


async def stats(request: web.Request) -> web.Response:
    return web.json_response(dict(STATS))


def main() -> None:
    app = web.Application()
    app.add_routes(
        [
            web.get("/users/{name}", actor),
            web.post("/inbox", inbox),
            web.post("/users/{name}/inbox", inbox),
            web.get("/stats", stats),
        ]
    )
    web.run_app(app, host="0.0.0.0", port=int(sys.argv[1]), backlog=2048, access_log=None)


if __name__ == "__main__":
    main()
