"""Federation with real processes: ``jumelage serve`` on loopback and a Mastodon-shaped peer.
The peer follows a twinning, receives the Accept and the twinning's public update, each signed
with the key our server publishes; an activity accepted just before the server is killed is
processed after restart by a separate ``jumelage worker``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import pytest

from federation.signatures import PublicKey, verify_request
from tests.conftest import csrf_of
from tests.databases import fresh_database
from tests.federation.peer import Peer, Received
from tests.servers import ROOT, free_port, jumelage, migrate, running_server, server_env

AP = {"Accept": "application/activity+json"}


@pytest.fixture
async def database(tmp_path: Path) -> str:
    return await fresh_database(tmp_path, "real", migrated=True)


async def _wait_for(peer: Peer, kind: str, count: int = 1, seconds: float = 20) -> list[Received]:
    for _ in range(int(seconds * 10)):
        found = [r for r in peer.received if r.activity.get("type") == kind]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {kind} arrived; got {[r.activity['type'] for r in peer.received]}")


async def _check_signed_by(base: str, received: Received, url: str) -> str:
    """Verifies a delivery as a receiving server does: the key is fetched from our server."""

    async def lookup(key_id: str) -> PublicKey | None:
        async with httpx.AsyncClient() as c:
            actor = (await c.get(key_id.split("#")[0], headers=AP)).json()
        key = actor["publicKey"]
        return PublicKey(key["id"], key["owner"], key["publicKeyPem"])

    verified = await verify_request(
        "POST", url, received.headers, received.body, domain=url.split("/")[2], lookup=lookup
    )
    return verified.owner


def _setup(env: dict[str, str]) -> None:
    migrate(env)
    jumelage(env, "users", "create", "maelle", "--email", "m@x.org", "--password", "long password")
    jumelage(env, "twinnings", "create", "brest_lapaz", "--title", "Brest", "--owner", "maelle")


async def _post_update(base: str, text: str) -> None:
    async with httpx.AsyncClient(base_url=base) as web:
        page = await web.get("/login")
        token = csrf_of(page.text)
        await web.post(
            "/login", data={"csrf_token": token, "username": "maelle", "password": "long password"}
        )
        page = await web.get("/t/brest_lapaz")
        token = csrf_of(page.text)
        r = await web.post(
            "/t/brest_lapaz/updates",
            data={"csrf_token": token, "content_en": text, "visibility": "public"},
        )
        assert r.status_code == 303


async def test_mastodon_shaped_follower_receives_signed_public_updates(
    tmp_path: Path, database: str, peer: Peer
) -> None:
    port = free_port()
    _setup(server_env(tmp_path, database, port))
    with running_server(tmp_path, database, port=port) as base:
        group = f"{base}/t/brest_lapaz"
        follow = {
            "type": "Follow",
            "id": f"{peer.base}/f/1",
            "actor": peer.actor("ana"),
            "object": group,
        }
        headers, body = peer.signed_post("ana", follow, f"{group}/inbox")
        async with httpx.AsyncClient() as c:
            assert (
                await c.post(f"{group}/inbox", content=body, headers=headers)
            ).status_code == 202
        [accept] = await _wait_for(peer, "Accept")
        assert await _check_signed_by(base, accept, peer.base + accept.path) == group
        await _post_update(base, "Hello from **Brest**")
        announces = await _wait_for(peer, "Announce", 2)
        for announce in announces:
            assert announce.path == "/inbox"
            assert await _check_signed_by(base, announce, peer.base + "/inbox") == group
        boost = next(a for a in announces if isinstance(a.activity["object"], str))
        async with httpx.AsyncClient() as c:
            note = (await c.get(boost.activity["object"], headers=AP)).json()
        assert note["type"] == "Note" and "<strong>Brest</strong>" in note["content"]


async def test_activity_accepted_before_a_crash_is_processed_by_a_worker(
    tmp_path: Path, database: str, peer: Peer
) -> None:
    port = free_port()
    env = server_env(tmp_path, database, port)
    _setup(env)
    with running_server(
        tmp_path, database, port=port, kill=True, JUMELAGE_INLINE_WORKER="0"
    ) as base:
        group = f"{base}/t/brest_lapaz"
        follow = {
            "type": "Follow",
            "id": f"{peer.base}/f/2",
            "actor": peer.actor("bob"),
            "object": group,
        }
        headers, body = peer.signed_post("bob", follow, f"{group}/inbox")
        async with httpx.AsyncClient() as c:
            assert (
                await c.post(f"{group}/inbox", content=body, headers=headers)
            ).status_code == 202
    assert not peer.received  # killed before any worker ran
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        "worker",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        [accept] = await _wait_for(peer, "Accept")
        assert accept.activity["object"]["id"] == f"{peer.base}/f/2"
    finally:
        worker.terminate()
        await worker.wait()
