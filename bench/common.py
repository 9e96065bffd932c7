"""Shared set-up of the benchmarks: a fresh database, a Jumelage server process, the sink."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from models import db
from models.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def free_ports(count: int) -> list[int]:
    """Distinct free ports: every socket stays bound until all are chosen (two separate picks
    can return the same port, and the sink then fails to start beside the server)."""
    import socket

    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def free_port() -> int:
    return free_ports(1)[0]


async def _admin(server: str, *statements: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def fresh_settings(database: str, port: int) -> Settings:
    """A new database: a SQLite file in a temporary directory, or a PostgreSQL database that
    is dropped again when the benchmark exits."""
    data_dir = Path(tempfile.mkdtemp(prefix="jumelage-bench-"))
    url = f"sqlite://{data_dir / 'bench.sqlite3'}"
    if database.startswith("postgres"):
        parts = urlsplit(database)
        name = f"jumelage_bench_{os.getpid()}"
        server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        await _admin(server, drop, f'CREATE DATABASE "{name}"')
        atexit.register(lambda: asyncio.run(_admin(server, drop)))
        url = urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))
    settings = load_settings(
        {
            "JUMELAGE_DATA_DIR": str(data_dir),
            "JUMELAGE_DATABASE_URL": url,
            "JUMELAGE_DOMAIN": f"127.0.0.1:{port}",
            "JUMELAGE_ALLOW_PRIVATE_ADDRESSES": "1",
        }
    )
    await db.migrate(settings)
    await db.close()
    await db.connect(settings)
    return settings


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "JUMELAGE_DATA_DIR": str(settings.data_dir),
        "JUMELAGE_DATABASE_URL": settings.database_url,
        "JUMELAGE_DOMAIN": settings.domain,
        "JUMELAGE_ALLOW_PRIVATE_ADDRESSES": "1",
        "JUMELAGE_INLINE_WORKER": "0",
        **extra,
    }


def start_quietly(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def start(command: list[str], env: dict[str, str], probe: str) -> subprocess.Popen[bytes]:
    proc = start_quietly(command, env)
    for _ in range(300):
        try:
            httpx.get(probe, timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{command} did not start")


def jumelage_server(
    settings: Settings, port: int, workers: int = 1, **env: str
) -> subprocess.Popen[bytes]:
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    return start(
        [sys.executable, "-m", "server.cli", *command],
        environment(settings, **env),
        f"http://127.0.0.1:{port}/",
    )


def sink(port: int, **env: str) -> subprocess.Popen[bytes]:
    return start(
        [sys.executable, "-m", "bench.sink", str(port)],
        {**os.environ, **env},
        f"http://127.0.0.1:{port}/stats",
    )


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds else "n/a"


async def sink_stats(port: int) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"http://127.0.0.1:{port}/stats")).json()


def stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)
