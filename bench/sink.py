"""Stands for many remote instances at once: listens on every loopback address, serves an actor
document for any /users/NAME, and verifies the HTTP signature of every POST against the key of
the Jumelage actor that signs (fetched once from the Jumelage server, as a real peer would).

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
from hypercorn.asyncio import serve
from hypercorn.config import Config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federation.signatures import PublicKey, generate_keypair, verify_request

# The benchmark that signs as remote actors hands the sink their public key.
PUBLIC_PEM = (
    Path(os.environ["BENCH_PUBLIC_PEM"]).read_text()
    if os.environ.get("BENCH_PUBLIC_PEM")
    else generate_keypair()[0]
)
KEYS: dict[str, PublicKey] = {}
STATS: Counter[str] = Counter()


async def lookup(key_id: str) -> PublicKey | None:
    if key_id not in KEYS:
        async with httpx.AsyncClient() as client:
            actor = (
                await client.get(
                    key_id.split("#")[0], headers={"Accept": "application/activity+json"}
                )
            ).json()
        key = actor["publicKey"]
        KEYS[key_id] = PublicKey(key["id"], key["owner"], key["publicKeyPem"])
    return KEYS[key_id]


async def actor(request: Request) -> Response:
    uri = str(request.url).split("?")[0]
    host = request.headers["host"]
    document: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": uri,
        "type": "Person",
        "preferredUsername": request.path_params["name"],
        "inbox": f"{uri}/inbox",
        "endpoints": {"sharedInbox": f"http://{host}/inbox"},
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": PUBLIC_PEM},
    }
    return Response(json.dumps(document), media_type="application/activity+json")


async def inbox(request: Request) -> Response:
    body = await request.body()
    url = str(request.url)
    try:
        await verify_request(
            "POST", url, request.headers, body, domain=request.headers["host"], lookup=lookup
        )
    except Exception as exc:
        STATS[f"refused: {exc}"] += 1
        return JSONResponse({"error": str(exc)}, 401)
    STATS["verified"] += 1
    return Response(status_code=202)


async def stats(request: Request) -> Response:
    return JSONResponse(dict(STATS))


app = Starlette(
    routes=[
        Route("/users/{name}", actor),
        Route("/inbox", inbox, methods=["POST"]),
        Route("/users/{name}/inbox", inbox, methods=["POST"]),
        Route("/stats", stats),
    ]
)


def main() -> None:
    config = Config()
    config.bind = [f"0.0.0.0:{sys.argv[1]}"]
    config.accesslog = None
    config.backlog = 2048
    asyncio.run(serve(app, config))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
