"""A status scheduled from an app on instance A reaches a follower on instance B only once it
is due: before, an ordinary update posted after it arrives and it does not; then the worker of
A posts it and it federates like any other."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from tests.api.conftest import password_token
from tests.federation.test_two_instances import (
    PASSWORD,
    _eventually,
    _post,
    _session,
    _subscribe,
    databases,
    two_instances,
)
from tests.servers import running_server

__all__ = ["databases"]  # the fixture, shared with the two-instance test

SCHEDULED = "Assemblée générale le 12"
ORDINARY = "Posted after the schedule was made"


async def _make_due(database_url: str) -> None:
    """The test moves the clock of the schedule rather than waiting the five minutes an app
    must schedule ahead."""
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as db:
            db.execute("UPDATE scheduled_statuses SET scheduled_at = '2000-01-01 00:00:00+00:00'")
        return
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("UPDATE scheduled_statuses SET scheduled_at = now() - interval '1 s'")
    finally:
        await conn.close()


async def test_a_scheduled_status_federates_only_once_due(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("lucia",))
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            lucia = await _session(base_b, "lucia")
            maelle = await _session(base_a, "maelle")
            await _subscribe(lucia, f"@brest_lapaz@127.0.0.1:{port_a}", "follow")

            async def followed() -> bool:
                return "waiting for approval" not in (await lucia.get("/remote")).text

            await _eventually(followed)
            token = password_token(base_a, "maelle", "read write", PASSWORD)
            api = httpx.AsyncClient(
                base_url=base_a, headers={"Authorization": f"Bearer {token}"}, timeout=20
            )
            when = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
            made = await api.post(
                "/api/v1/statuses",
                data={"status": f"@brest_lapaz {SCHEDULED}", "scheduled_at": when},
            )
            assert made.status_code == 200, made.text
            await _post(
                maelle,
                "/t/brest_lapaz",
                "/t/brest_lapaz/updates",
                {"content_en": ORDINARY, "visibility": "public"},
            )

            async def ordinary_arrived() -> bool:
                return ORDINARY in (await lucia.get("/feed")).text

            await _eventually(ordinary_arrived)
            assert SCHEDULED not in (await lucia.get("/feed")).text
            assert SCHEDULED not in (await maelle.get("/t/brest_lapaz")).text

            due_from = datetime.now(UTC)
            await _make_due(databases[0])

            async def scheduled_arrived() -> bool:
                return SCHEDULED in (await lucia.get("/feed")).text

            await _eventually(scheduled_arrived)
            me = (await api.get("/api/v1/accounts/verify_credentials")).json()
            published = (await api.get(f"/api/v1/accounts/{me['id']}/statuses")).json()
            assert (await api.get("/api/v1/scheduled_statuses")).json() == []
            mine = [s for s in published if SCHEDULED in s["content"]]
            assert len(mine) == 1
            assert datetime.fromisoformat(mine[0]["created_at"]) >= due_from - timedelta(seconds=1)
            for client in (api, lucia, maelle):
                await client.aclose()
