"""An app posting with ``Idempotency-Key`` while the server is killed (SIGKILL) mid-stream, then
retrying every key once the server is back: each key makes exactly one update, whatever the
moment of the crash."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.api.conftest import PASSWORD, password_token
from tests.databases import fresh_database
from tests.servers import ROOT, free_port, jumelage, migrate, running_server, server_env

KEYS = 120


async def _post_all(
    base: str, token: str, keys: list[str], under_way: asyncio.Event | None = None
) -> set[str]:
    """Posts one status per key, 8 at a time; returns the keys that got an answer, and sets
    ``under_way`` once a sixth of them have one."""
    answered: set[str] = set()
    limit = asyncio.Semaphore(8)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as api:

        async def one(key: str) -> None:
            async with limit:
                try:
                    r = await api.post(
                        "/api/v1/statuses",
                        data={"status": f"@lapaz note {key}", "visibility": "public"},
                        headers={"Idempotency-Key": key},
                    )
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    answered.add(key)
                if under_way is not None and len(answered) >= len(keys) // 6:
                    under_way.set()

        await asyncio.gather(*(one(k) for k in keys))
    return answered


async def _all_public_statuses(base: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    params: dict[str, object] = {"limit": 40}
    async with httpx.AsyncClient(base_url=base) as web:
        while True:
            batch = (await web.get("/api/v1/timelines/public", params=params)).json()
            found += batch
            if len(batch) < 40:
                return found
            params = {"limit": 40, "max_id": batch[-1]["id"]}


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", "1"]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


async def _wait_up(base: str) -> None:
    async with httpx.AsyncClient() as web:
        for _ in range(600):  # up to 2 min on a loaded machine
            try:
                await web.get(base + "/")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise AssertionError("server did not start")


async def test_a_retry_after_a_crash_mid_request_returns_the_first_status(
    tmp_path: Path,
) -> None:
    database = await fresh_database(tmp_path, "crash", migrated=True)
    port = free_port()
    env = server_env(tmp_path, database, port)
    migrate(env)
    jumelage(env, "users", "create", "alice", "--email", "a@x.org", "--password", PASSWORD)
    jumelage(env, "twinnings", "create", "lapaz", "--title", "La Paz", "--owner", "alice")
    keys = [f"key-{n:03d}" for n in range(KEYS)]
    server = _start(env, port, tmp_path / "first.log")
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_up(base)
        token = await asyncio.to_thread(password_token, base, "alice")
        under_way = asyncio.Event()
        posting = asyncio.create_task(_post_all(base, token, keys, under_way))
        waiting = asyncio.create_task(under_way.wait())
        await asyncio.wait([posting, waiting], return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        os.kill(server.pid, signal.SIGKILL)
        first = await posting
    finally:
        server.kill()
        server.wait(timeout=10)
    assert 0 < len(first) < KEYS, "the crash should fall in the middle of the stream"

    with running_server(tmp_path, database, port=port) as base:
        retried = await _post_all(base, token, keys)
        assert retried == set(keys)
        statuses = await _all_public_statuses(base)
    texts = [s["content"] for s in statuses]
    counts = {key: sum(key in t for t in texts) for key in keys}
    assert set(counts.values()) == {1}, {k: n for k, n in counts.items() if n != 1}
