"""Suspending a domain through the real CLI while ``jumelage serve`` runs: the accepted member
on that domain reads nothing more (its signed fetches answer 403, for partner-only and public
objects alike), receives nothing more (its pending deliveries are given up, nothing new is
queued while a member on another server still receives), and the CLI and the admin page say
what the suspension did; lifting the block makes the membership active again."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from federation.signatures import sign_request
from tests.conftest import csrf_of
from tests.databases import fresh_database, is_postgres
from tests.federation.peer import PRIVATE_PEM, Peer, Received, start_peer
from tests.federation.test_real_server import _wait_for
from tests.servers import free_port, jumelage, migrate, running_server, server_env

AP = "application/activity+json"
SUSPENDED = "127.0.0.2"
PENDING = re.compile(r'name="remote_id" value="(\d+)">\s*<button name="action" value="approve_')


@pytest.fixture
async def database(tmp_path: Path) -> str:
    return await fresh_database(tmp_path, "suspension", migrated=True)


@pytest.fixture
def far() -> Iterator[Peer]:
    """The member's server on the domain that gets suspended."""
    peer, server = start_peer(SUSPENDED)
    yield peer
    server.shutdown()


async def _deliveries_to(database: str, peer: Peer) -> dict[str, int]:
    """Rows of the server's delivery queue for the peer, by state, read from its database."""
    sql = "SELECT state, COUNT(*) FROM deliveries WHERE host = {p} GROUP BY state"
    host = urlsplit(peer.base).netloc
    if is_postgres():
        url = urlunsplit(urlsplit(database)._replace(scheme="postgresql"))
        conn = await asyncpg.connect(url)
        try:
            return {r[0]: r[1] for r in await conn.fetch(sql.format(p="$1"), host)}
        finally:
            await conn.close()
    with sqlite3.connect(database.removeprefix("sqlite://")) as conn:
        return dict(conn.execute(sql.format(p="?"), (host,)).fetchall())


async def _web(base: str) -> httpx.AsyncClient:
    web = httpx.AsyncClient(base_url=base)
    token = csrf_of((await web.get("/login")).text)
    login = {"csrf_token": token, "username": "maelle", "password": "long password"}
    assert (await web.post("/login", data=login)).status_code == 303
    return web


async def _form(web: httpx.AsyncClient, page: str, action: str, data: dict[str, str]) -> None:
    token = csrf_of((await web.get(page)).text)
    r = await web.post(action, data={"csrf_token": token, **data})
    assert r.status_code == 303, r.text


async def _join_and_approve(web: httpx.AsyncClient, base: str, peer: Peer, name: str) -> None:
    group = f"{base}/t/brest_lapaz"
    join = {
        "type": "Join",
        "id": f"{peer.base}/j/{name}",
        "actor": peer.actor(name),
        "object": group,
    }
    headers, body = peer.signed_post(name, join, f"{group}/inbox")
    assert (await web.post(f"{group}/inbox", content=body, headers=headers)).status_code == 202
    page = "/t/brest_lapaz/members"
    for _ in range(200):  # the in-server worker records the request
        ids = re.findall(PENDING, (await web.get(page)).text)
        if ids:
            break
        await _sleep()
    await _form(web, page, page, {"action": "approve_remote", "remote_id": ids[0]})
    await _wait_for(peer, "Accept")


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.1)


async def _post_partner_only(web: httpx.AsyncClient, text: str) -> None:
    data = {"content_en": text, "visibility": "partners"}
    await _form(web, "/t/brest_lapaz", "/t/brest_lapaz/updates", data)


async def _creates_with(peer: Peer, text: str, count: int = 1) -> list[Received]:
    for _ in range(300):
        found = [
            r
            for r in peer.received
            if r.activity.get("type") == "Create" and text in str(r.activity.get("object"))
        ]
        if len(found) >= count:
            return found
        await _sleep()
    raise AssertionError(f"no Create with {text!r} arrived")


async def _signed_get(peer: Peer, name: str, url: str) -> int:
    headers = sign_request("GET", url, peer.actor(name) + "#main-key", PRIVATE_PEM)
    async with httpx.AsyncClient() as c:
        return (await c.get(url, headers={**headers, "accept": AP})).status_code


async def test_suspended_domain_reads_and_receives_nothing_until_the_block_is_lifted(
    tmp_path: Path, database: str, far: Peer, peer: Peer
) -> None:
    port = free_port()
    env = server_env(tmp_path, database, port)
    migrate(env)
    password = ("--password", "long password")
    jumelage(env, "users", "create", "maelle", "--email", "m@x.org", *password, "--admin")
    jumelage(env, "twinnings", "create", "brest_lapaz", "--title", "Brest", "--owner", "maelle")
    with running_server(tmp_path, database, port=port) as base:
        web = await _web(base)
        await _join_and_approve(web, base, far, "ana")
        await _join_and_approve(web, base, peer, "bob")  # on a domain that stays allowed
        await _post_partner_only(web, "first secret")
        [create] = await _creates_with(far, "first secret")
        item = create.activity["object"]["id"]
        assert await _signed_get(far, "ana", item) == 200

        far.answers.extend([(503, {})] * 20)  # ana's server is down: the next one waits
        tried = len(far.tried)
        await _post_partner_only(web, "second secret")
        while len(far.tried) == tried:
            await _sleep()
        assert (await _deliveries_to(database, far)).get("pending", 0) >= 1

        done = jumelage(env, "domains", "block", SUSPENDED, "--severity", "suspend")
        assert "1 membership suspended" in done.stdout, done.stdout
        given_up = re.search(r"(\d+) pending deliver(y|ies) given up", done.stdout)
        assert given_up and int(given_up.group(1)) >= 1, done.stdout
        assert "pending" not in await _deliveries_to(database, far)

        far.answers.clear()
        assert await _signed_get(far, "ana", item) in (403, 404)
        assert await _signed_get(far, "ana", f"{base}/t/brest_lapaz") in (403, 404)
        assert await _signed_get(far, "ana", f"{base}/t/brest_lapaz/members") in (403, 404)
        assert await _signed_get(peer, "bob", item) == 200  # bob's signed fetch still reads

        rows_before = sum((await _deliveries_to(database, far)).values())
        await _post_partner_only(web, "third secret")
        await _creates_with(peer, "third secret")  # fanned out: bob has it
        assert sum((await _deliveries_to(database, far)).values()) == rows_before

        admin = (await web.get("/admin")).text
        assert SUSPENDED in admin and "1 membership suspended" in admin

        lifted = jumelage(env, "domains", "unblock", SUSPENDED)
        assert "1 membership active again" in lifted.stdout, lifted.stdout
        assert await _signed_get(far, "ana", item) == 200
        await _post_partner_only(web, "fourth secret")
        await _creates_with(far, "fourth secret")
        texts = str([r.activity for r in far.received])
        assert "second secret" not in texts and "third secret" not in texts
        await web.aclose()
