"""A node moved by backup and restore keeps its place in the fediverse. Instance B has a
member (Jorge) and a follower (Lucía) of a twinning of A; A is backed up with ``jumelage
backup`` while it runs, stopped, restored with ``jumelage restore`` into a new data directory
and a new database, and started again from that copy at the same address. What A publishes
next reaches B as before: Lucía receives the public update, Jorge both, B accepting them
because A signs with the very keys it had (B verified A's signatures before the move and
checks them after it with the keys it kept, fetching none anew), and what B received before
the move is still there."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from federation.fetch import USER_AGENT
from tests.databases import fresh_database
from tests.federation.test_two_instances import (
    _eventually,
    _post,
    _session,
    _subscribe,
    databases,
    two_instances,
)
from tests.servers import jumelage, running_server, server_env

__all__ = ["databases"]  # the fixture, used by name

BEFORE, SECRET_BEFORE = "Harvest news before the move", "Partner budget before the move"
AFTER, SECRET_AFTER = "Harvest news after the move", "Partner budget after the move"
ACTIVITY = {"Accept": "application/activity+json"}


async def _approve_jorge(maelle: httpx.AsyncClient) -> None:
    async def join_request_arrived() -> bool:
        return "remote_id" in (await maelle.get("/t/brest_lapaz/members")).text

    await _eventually(join_request_arrived)
    members = (await maelle.get("/t/brest_lapaz/members")).text
    start = members.index('name="remote_id" value="') + len('name="remote_id" value="')
    remote_id = members[start : members.index('"', start)]
    form = {"action": "approve_remote", "remote_id": remote_id}
    await _post(maelle, "/t/brest_lapaz/members", "/t/brest_lapaz/members", form)


async def _publish(maelle: httpx.AsyncClient, public: str, secret: str) -> str:
    """A public and a partner-only update of the twinning; the public one's address."""
    page = "/t/brest_lapaz"
    url = await _post(
        maelle, page, f"{page}/updates", {"content_en": public, "visibility": "public"}
    )
    await _post(maelle, page, f"{page}/updates", {"content_en": secret, "visibility": "partners"})
    return url


async def _arrived(
    jorge: httpx.AsyncClient, lucia: httpx.AsyncClient, public: str, secret: str
) -> None:
    """Jorge, a member, sees both updates; Lucía, a follower, the public one alone."""

    async def both_there() -> bool:
        jorge_feed, lucia_feed = (await jorge.get("/feed")).text, (await lucia.get("/feed")).text
        return public in jorge_feed and secret in jorge_feed and public in lucia_feed

    await _eventually(both_there, seconds=60)
    assert secret not in (await lucia.get("/feed")).text


async def _keys(base: str) -> dict[str, str]:
    """The public keys A's twinning and Maëlle sign with."""
    async with httpx.AsyncClient(base_url=base, headers=ACTIVITY, timeout=20) as client:
        return {
            path: (await client.get(path)).json()["publicKey"]["publicKeyPem"]
            for path in ("/t/brest_lapaz", "/u/maelle")
        }


def _actor_fetches(log: Path) -> list[str]:
    """Requests of another server for A's actor documents. B keeps keys for a day and fetches
    an actor again only when its signature fails with the kept key, so none after the move
    means B verified the restored node with the keys it already had."""
    actors = ('"GET /t/brest_lapaz ', '"GET /u/maelle ')
    return [
        line
        for line in log.read_text().splitlines()
        if USER_AGENT in line and any(actor in line for actor in actors)
    ]


async def test_followers_elsewhere_still_receive_after_a_restore(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("jorge", "lucia"))
    env_a = server_env(tmp_path / "a", databases[0], port_a)
    archive = tmp_path / "a.tar.gz"
    with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
        jorge, lucia = await _session(base_b, "jorge"), await _session(base_b, "lucia")
        with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
            maelle = await _session(base_a, "maelle")
            await _subscribe(jorge, f"@brest_lapaz@127.0.0.1:{port_a}", "join")
            await _subscribe(lucia, f"@brest_lapaz@127.0.0.1:{port_a}", "follow")
            await _approve_jorge(maelle)

            async def accepted() -> bool:
                return "waiting for approval" not in (await jorge.get("/remote")).text

            await _eventually(accepted)
            earlier_url = await _publish(maelle, BEFORE, SECRET_BEFORE)
            await _arrived(jorge, lucia, BEFORE, SECRET_BEFORE)
            keys = await _keys(base_a)
            summary = json.loads(jumelage(env_a, "backup", str(archive), "--json").stdout)
            await maelle.aclose()
            assert summary["rows"]["remote_memberships"] == summary["rows"]["follows"] == 1

        (tmp_path / "a2").mkdir()
        restored_db = await fresh_database(tmp_path / "a2", "restored")
        jumelage(server_env(tmp_path / "a2", restored_db, port_a), "restore", str(archive))
        with running_server(tmp_path / "a2", restored_db, port=port_a) as base_a:
            assert await _keys(base_a) == keys
            maelle = await _session(base_a, "maelle")
            assert (await maelle.get(earlier_url, headers=ACTIVITY)).status_code == 200
            await _publish(maelle, AFTER, SECRET_AFTER)
            await _arrived(jorge, lucia, AFTER, SECRET_AFTER)
            await maelle.aclose()
        assert not _actor_fetches(tmp_path / "a2" / "server.log")
        jorge_feed, lucia_feed = (await jorge.get("/feed")).text, (await lucia.get("/feed")).text
        assert BEFORE in jorge_feed and SECRET_BEFORE in jorge_feed and BEFORE in lucia_feed
        assert SECRET_BEFORE not in lucia_feed and SECRET_AFTER not in lucia_feed
        for web in (jorge, lucia):
            await web.aclose()
