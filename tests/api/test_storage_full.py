"""A database that runs out of space, for real: the SQLite file of a real server sits on a
small tmpfs that is filled up. Writes through the Mastodon API, a web form and the inbox then
answer 503 with Retry-After and a message (JSON for apps and servers, a page for browsers),
the log says it in one line, not a traceback per request; once space is freed the same
requests succeed, and the database is intact."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import PASSWORD, password_token
from tests.conftest import csrf_of
from tests.databases import is_postgres
from tests.federation.peer import Peer, start_peer
from tests.servers import free_port, jumelage, running_server, server_env

SLACK = 64 * 1024  # bytes left free after filling: enough to open the database, not to write


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 8 MB tmpfs of its own (mounting needs root; without it the test says so)."""
    if is_postgres():
        pytest.skip("fills a SQLite file's filesystem; PostgreSQL's disk is the server's")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(mount: Path) -> Path:
    """Takes all the space but ``SLACK``."""
    filler = mount / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    filler.write_bytes(b"")  # then gives back exactly the slack
    free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
    filler.write_bytes(b"\0" * max(free - SLACK, 0))
    return filler


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
    async with httpx.AsyncClient() as c:
        return await c.post(f"{group}/inbox", content=body, headers=headers)


def _assert_full(r: httpx.Response, html: bool) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"].isdigit()
    assert "run out of storage space" in r.text
    if not html:
        assert "storage space" in r.json()["error"]


async def test_a_full_disk_answers_503_with_retry_after_and_recovers_when_space_is_freed(
    tmp_path: Path, small_disk: Path
) -> None:
    database = f"sqlite://{small_disk / 'jumelage.sqlite3'}"
    port = free_port()
    env = server_env(tmp_path, database, port, JUMELAGE_INLINE_WORKER="0")
    jumelage(env, "migrate")
    jumelage(env, "users", "create", "alice", "--email", "a@x.org", "--password", PASSWORD)
    jumelage(env, "twinnings", "create", "lapaz", "--title", "La Paz", "--owner", "alice")
    peer, peer_server = start_peer()
    try:
        with running_server(tmp_path, database, port=port, JUMELAGE_INLINE_WORKER="0") as base:
            token = await asyncio.to_thread(password_token, base, "alice")
            api = httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"})
            web = httpx.AsyncClient(base_url=base)
            login = csrf_of((await web.get("/login")).text)
            await web.post(
                "/login", data={"csrf_token": login, "username": "alice", "password": PASSWORD}
            )
            filler = _fill(small_disk)
            statuses = []
            for n in range(60):  # the slack fills up after a few posts
                text = f"@lapaz n{n} " + "x" * 400
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
    with sqlite3.connect(small_disk / "jumelage.sqlite3") as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
