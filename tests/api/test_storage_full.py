"""A database that runs out of space, for real: the SQLite file of a real server (on
PostgreSQL, its database's tablespace) sits on a small tmpfs that is filled up. Writes through
the Mastodon API, a web form and the inbox then answer 503 with Retry-After and a message
(JSON for apps and servers, a page for browsers), the log says it in one line, not a
traceback per request; once space is freed the same requests succeed, and the database is
intact."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from tests.api.conftest import PASSWORD, password_token
from tests.conftest import csrf_of
from tests.databases import base_url, is_postgres
from tests.federation.peer import Peer, start_peer
from tests.servers import free_port, jumelage, running_server, server_env

SLACK = 64 * 1024  # bytes left free after filling: enough to open the database, not to write


@dataclass
class SmallDisk:
    mount: Path
    database_url: str


@pytest.fixture
async def small_disk() -> AsyncIterator[SmallDisk]:
    """A 32 MB tmpfs of its own holding the database: the SQLite file, or on PostgreSQL a
    tablespace of the test database. Mounting needs root; without it the test says so."""
    mount = _mount()
    try:
        if not is_postgres():
            yield SmallDisk(mount, f"sqlite://{mount / 'jumelage.sqlite3'}")
            return
        async with _tablespace_database(mount) as url:
            yield SmallDisk(mount, url)
    finally:
        _unmount(mount)


def _mount() -> Path:
    mount = Path(tempfile.mkdtemp(prefix="jumelage-full-"))
    mount.chmod(0o755)  # PostgreSQL's server reaches its tablespace through it
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a small filesystem: {done.stderr.decode().strip()}")
    return mount


def _unmount(mount: Path) -> None:
    subprocess.run(["umount", "-l", str(mount)], check=True)
    mount.rmdir()


@contextlib.asynccontextmanager
async def _tablespace_database(mount: Path) -> AsyncIterator[str]:
    (mount / "pg").mkdir()
    shutil.chown(mount / "pg", "postgres", "postgres")
    parts = urlsplit(base_url())
    name = f"{parts.path.lstrip('/') or 'jumelage_test'}_full_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")))
    try:
        await admin.execute(f"CREATE TABLESPACE \"{name}\" LOCATION '{mount / 'pg'}'")
        await admin.execute(f'CREATE DATABASE "{name}" TABLESPACE "{name}"')
        yield urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'DROP TABLESPACE IF EXISTS "{name}"')
        await admin.close()


def _fill(mount: Path) -> Path:
    """Takes all the space but ``SLACK``."""
    filler = mount / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    for _ in range(5):  # then gives back exactly the slack; the running server may write meanwhile
        filler.write_bytes(b"")
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        try:
            filler.write_bytes(b"\0" * max(free - SLACK, 0))
            return filler
        except OSError:
            continue
    raise AssertionError("the small filesystem could not be filled to its slack")


async def _web_post(web: httpx.AsyncClient, text: str) -> httpx.Response:
    token = csrf_of((await web.get("/t/lapaz")).text)
    return await web.post(
        "/t/lapaz/updates",
        data={"csrf_token": token, "content_en": text, "visibility": "public"},
        headers={"Accept": "text/html"},
    )


async def _inbox_post(base: str, peer: Peer, n: int) -> httpx.Response:
    group = f"{base}/t/lapaz"
    follow = {"type": "Follow", "id": f"{peer.base}/f/{n}", "actor": peer.actor("ana")}
    headers, body = peer.signed_post("ana", {**follow, "object": group}, f"{group}/inbox")
    async with httpx.AsyncClient(timeout=60) as c:
        return await c.post(f"{group}/inbox", content=body, headers=headers)


def _assert_full(r: httpx.Response, html: bool) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"].isdigit()
    assert "run out of storage space" in r.text
    if not html:
        assert "storage space" in r.json()["error"]


async def test_a_full_disk_answers_503_with_retry_after_and_recovers_when_space_is_freed(
    tmp_path: Path, small_disk: SmallDisk
) -> None:
    database = small_disk.database_url
    port = free_port()
    env = server_env(tmp_path, database, port, JUMELAGE_INLINE_WORKER="0")
    jumelage(env, "migrate")
    jumelage(env, "users", "create", "alice", "--email", "a@x.org", "--password", PASSWORD)
    jumelage(env, "twinnings", "create", "lapaz", "--title", "La Paz", "--owner", "alice")
    peer, peer_server = start_peer()
    try:
        with running_server(tmp_path, database, port=port, JUMELAGE_INLINE_WORKER="0") as base:
            token = await asyncio.to_thread(password_token, base, "alice")
            bearer = {"Authorization": f"Bearer {token}"}
            api = httpx.AsyncClient(base_url=base, headers=bearer, timeout=60)
            web = httpx.AsyncClient(base_url=base, timeout=60)
            login = csrf_of((await web.get("/login")).text)
            await web.post(
                "/login", data={"csrf_token": login, "username": "alice", "password": PASSWORD}
            )
            filler = _fill(small_disk.mount)
            statuses = []
            for n in range(200):  # the slack fills up after a few posts
                text = f"@lapaz n{n} " + "x" * 1500
                statuses.append(await api.post("/api/v1/statuses", data={"status": text}))
                if statuses[-1].status_code != 200:
                    break
            codes = [r.status_code for r in statuses]
            assert 503 in codes, codes
            assert set(codes) <= {200, 503}, codes  # never a 500
            _assert_full(statuses[-1], html=False)
            _assert_full(await _web_post(web, "Full"), html=True)
            _assert_full(await _inbox_post(base, peer, 1), html=False)
            assert (await web.get("/t/lapaz")).status_code == 200  # reading still works

            filler.unlink()
            after = await api.post("/api/v1/statuses", data={"status": "@lapaz space again"})
            assert after.status_code == 200, after.text
            assert (await _web_post(web, "Space again")).status_code == 303
            assert (await _inbox_post(base, peer, 2)).status_code == 202
            await api.aclose()
            await web.aclose()
    finally:
        peer_server.shutdown()
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log
    assert log.count("the database is out of space") == 1, log
    if not is_postgres():
        with sqlite3.connect(small_disk.mount / "jumelage.sqlite3") as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
