"""Two real Jumelage instances on loopback, each with its own database: a person of B joins a
twinning of A (approved on A), another follows it; public and partner-only updates cross over
and are visible exactly where they should be; edits and deletions follow; B, down for a while,
gets what it missed once it is back."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import csrf_of
from tests.databases import fresh_database
from tests.servers import free_port, jumelage, migrate, running_server, server_env

PASSWORD = "long password"
PUBLIC_NEWS = "Public news from Brest"
SECRET = "Partner budget 4711"


@pytest.fixture
async def databases(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = await fresh_database(tmp_path / "a", "a", migrated=True)
    return (a, await fresh_database(tmp_path / "b", "b", migrated=True))


async def _session(base: str, username: str) -> httpx.AsyncClient:
    web = httpx.AsyncClient(base_url=base, timeout=20)
    token = csrf_of((await web.get("/login")).text)
    r = await web.post(
        "/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    assert r.status_code == 303
    return web


async def _post(web: httpx.AsyncClient, page: str, action: str, data: dict[str, str]) -> str:
    token = csrf_of((await web.get(page)).text)
    r = await web.post(action, data={"csrf_token": token, **data})
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    for _ in range(int(seconds * 5)):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


async def _subscribe(web: httpx.AsyncClient, handle: str, kind: str) -> None:
    page = await web.get("/remote", params={"handle": handle})
    assert page.status_code == 200, page.text
    group_id = re.search(r'name="group_id" value="(\d+)"', page.text)
    assert group_id
    await _post(web, "/remote", "/remote/subscribe", {"group_id": group_id.group(1), "kind": kind})


def two_instances(
    tmp_path: Path, databases: tuple[str, str], people_of_b: tuple[str, ...]
) -> tuple[int, int]:
    """Migrated instances A (Maëlle and her twinning ``brest_lapaz``) and B (``people_of_b``),
    not started yet; their ports."""
    port_a, port_b = free_port(), free_port()
    env_a = server_env(tmp_path / "a", databases[0], port_a)
    env_b = server_env(tmp_path / "b", databases[1], port_b)
    for env in (env_a, env_b):
        migrate(env)
    jumelage(env_a, "users", "create", "maelle", "--email", "m@a.org", "--password", PASSWORD)
    jumelage(env_a, "twinnings", "create", "brest_lapaz", "--title", "Brest", "--owner", "maelle")
    for name in people_of_b:
        jumelage(env_b, "users", "create", name, "--email", f"{name}@b.org", "--password", PASSWORD)
    return port_a, port_b


async def test_two_instances_share_a_twinning(tmp_path: Path, databases: tuple[str, str]) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("jorge", "lucia"))
    handle = f"@brest_lapaz@127.0.0.1:{port_a}"
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            jorge, lucia = await _session(base_b, "jorge"), await _session(base_b, "lucia")
            maelle = await _session(base_a, "maelle")
            await _subscribe(jorge, handle, "join")
            await _subscribe(lucia, handle, "follow")

            async def join_request_arrived() -> bool:
                return "remote_id" in (await maelle.get("/t/brest_lapaz/members")).text

            await _eventually(join_request_arrived)
            members = (await maelle.get("/t/brest_lapaz/members")).text
            remote_id = re.search(r'name="remote_id" value="(\d+)"', members)
            assert remote_id and "@jorge@127.0.0.1" in members
            await _post(
                maelle,
                "/t/brest_lapaz/members",
                "/t/brest_lapaz/members",
                {"action": "approve_remote", "remote_id": remote_id.group(1)},
            )

            async def accepted() -> bool:
                return "waiting for approval" not in (await jorge.get("/remote")).text

            await _eventually(accepted)
            public_url = await _post(
                maelle,
                "/t/brest_lapaz",
                "/t/brest_lapaz/updates",
                {"content_en": PUBLIC_NEWS, "visibility": "public"},
            )
            secret_url = await _post(
                maelle,
                "/t/brest_lapaz",
                "/t/brest_lapaz/updates",
                {"content_en": SECRET, "visibility": "partners"},
            )

            async def both_arrived() -> bool:
                feed = (await jorge.get("/feed")).text
                return PUBLIC_NEWS in feed and SECRET in feed

            await _eventually(both_arrived)
            lucia_feed = (await lucia.get("/feed")).text
            assert PUBLIC_NEWS in lucia_feed and SECRET not in lucia_feed
            async with httpx.AsyncClient(base_url=base_b) as anonymous:
                for path in ("/", "/feed", "/directory?kind=updates&q=budget"):
                    assert SECRET not in (await anonymous.get(path)).text

            await _post(
                maelle,
                public_url + "/edit",
                public_url + "/edit",
                {"content_en": PUBLIC_NEWS + " (edited)"},
            )
            await _post(maelle, secret_url, secret_url + "/delete", {})

            async def changes_arrived() -> bool:
                feed = (await jorge.get("/feed")).text
                return "(edited)" in feed and SECRET not in feed

            await _eventually(changes_arrived)
            for web in (jorge, lucia, maelle):
                await web.aclose()

        later = "News while B was down"
        maelle = await _session(base_a, "maelle")
        await _post(
            maelle,
            "/t/brest_lapaz",
            "/t/brest_lapaz/updates",
            {"content_en": later, "visibility": "public"},
        )
        await asyncio.sleep(1)  # A tries, fails and schedules a retry
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            lucia = await _session(base_b, "lucia")

            async def arrived_after_restart() -> bool:
                return later in (await lucia.get("/feed")).text

            await _eventually(arrived_after_restart, seconds=90)
            await lucia.aclose()
        await maelle.aclose()
