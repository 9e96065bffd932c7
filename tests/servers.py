"""Real ``jumelage serve`` processes for browser (and later federation) tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.databases import is_migrated

ROOT = Path(__file__).resolve().parent.parent
# Seconds a server may take to answer: about 2 s, but 40 s on a loaded machine.
STARTUP = 90


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def server_env(
    data_dir: Path, database_url: str, port: int, host: str = "127.0.0.1", **env: str
) -> dict[str, str]:
    """``host``: a loopback address of its own (127.0.0.2, ...) makes another server."""
    return {
        **os.environ,
        "JUMELAGE_DATA_DIR": str(data_dir),
        "JUMELAGE_DATABASE_URL": database_url,
        "JUMELAGE_DOMAIN": f"{host}:{port}",
        "JUMELAGE_ALLOW_PRIVATE_ADDRESSES": "1",
        **env,
    }


def jumelage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Runs the CLI; a failure shows what the command said, not just its exit status."""
    command = [sys.executable, "-m", "server.cli", *args]
    done = subprocess.run(command, env=env, cwd=ROOT, timeout=120, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"jumelage {' '.join(args)} failed: {done.stderr}{done.stdout}")
    return done


def migrate(env: dict[str, str]) -> None:
    """``jumelage migrate``, unless the database was handed out migrated already."""
    if not is_migrated(env["JUMELAGE_DATABASE_URL"]):
        jumelage(env, "migrate")


@dataclass(frozen=True)
class Served:
    base: str
    pid: int


@contextmanager
def running_server(
    data_dir: Path,
    database_url: str,
    port: int | None = None,
    kill: bool = False,
    host: str = "127.0.0.1",
    **env: str,
) -> Iterator[str]:
    """Migrates (unless done), starts the server, waits until it answers, yields its base
    URL, stops it (with SIGKILL when ``kill``, as a crash would)."""
    with serving(data_dir, database_url, port, kill, host, **env) as served:
        yield served.base


@contextmanager
def serving(
    data_dir: Path,
    database_url: str,
    port: int | None = None,
    kill: bool = False,
    host: str = "127.0.0.1",
    workers: int = 1,
    **env: str,
) -> Iterator[Served]:
    """``running_server``, telling the process id too (to read its memory, say); one server
    process unless ``workers`` asks for more."""
    port = port or free_port(host)
    full_env = server_env(data_dir, database_url, port, host, **env)
    command = [sys.executable, "-m", "server.cli"]
    migrate(full_env)
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [*command, "serve", "--host", host, "--port", str(port), "--workers", str(workers)],
        env=full_env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                httpx.get(base + "/", timeout=5)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((data_dir / "server.log").read_text()) from None
                time.sleep(0.2)
        yield Served(base, proc.pid)
    finally:
        if kill:
            proc.kill()
        else:
            proc.terminate()
        proc.wait(timeout=10)
        log.close()
