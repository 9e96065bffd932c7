"""Probes and metrics as a supervisor and Prometheus use them: /healthz answers, /readyz says
what fails (a stuck queue, a database gone) with 503, /metrics needs its token and moves with
requests, inbox activities and the delivery queue."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from federation.context import Federation
from models.config import Settings
from models.queues import Delivery
from models.remote import Host
from server.app import create_app
from tests.conftest import log_in, make_account, post_form
from tests.databases import fresh_database, is_postgres
from tests.servers import running_server

TOKEN = "a-long-metrics-token-for-tests"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest_asyncio.fixture
async def probed(settings: Settings, fed: Federation) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(dataclasses.replace(settings, metrics_token=TOKEN), manage_database=False)
    app.state.federation = fed
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.localhost") as c:
        yield c


def _samples(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def _scrape(
    client: httpx.AsyncClient,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    return _samples(answer.text)


async def _stuck_delivery() -> None:
    await Delivery.create(
        activity_uri="https://testserver.localhost/a/1",
        payload="{}",
        inbox_url="https://far.example/inbox",
        host="far.example",
        signer_type="account",
        signer_id=1,
        signer_key_id="https://testserver.localhost/u/x#main-key",
        next_attempt_at=datetime.now(UTC) - timedelta(hours=1),
    )


async def test_health_and_readiness(probed: httpx.AsyncClient) -> None:
    assert (await probed.get("/healthz")).json() == {"status": "ok"}
    ready = await probed.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"ready": True, "database": "ok", "migrations": "ok", "queues": "ok"}
    await _stuck_delivery()
    stuck = await probed.get("/readyz")
    assert stuck.status_code == 503
    assert stuck.json()["queues"] == "1 deliveries waiting for over 15 minutes"


async def test_metrics_need_their_token(
    client: httpx.AsyncClient, probed: httpx.AsyncClient
) -> None:
    off = await client.get("/metrics")  # the shared app has no token configured
    assert off.status_code == 404 and "JUMELAGE_METRICS_TOKEN" in off.text
    assert (await probed.get("/metrics")).status_code == 401
    wrong = await probed.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"


async def test_metrics_move_with_requests_inbox_and_queue(probed: httpx.AsyncClient) -> None:
    before = await _scrape(probed)
    web = ("jumelage_http_requests_total", (("method", "GET"), ("route", "web"), ("status", "200")))
    refused = ("jumelage_inbox_activities_total", (("outcome", "refused"),))
    rows = ("jumelage_delivery_queue_rows", (("state", "pending"),))
    for _ in range(3):
        assert (await probed.get("/directory")).status_code == 200
    unsigned = await probed.post(
        "/inbox", content=b"{}", headers={"Content-Type": "application/activity+json"}
    )
    assert unsigned.status_code in (400, 401)
    await _stuck_delivery()
    after = await _scrape(probed)
    assert after[web] == before.get(web, 0) + 3
    assert after[refused] == before.get(refused, 0) + 1
    assert after[rows] == before[rows] + 1
    oldest = after[("jumelage_delivery_queue_oldest_pending_seconds", ())]
    assert oldest >= 0
    count = ("jumelage_http_request_duration_seconds_count", (("route", "web"),))
    assert after[count] >= 3


async def test_readiness_fails_while_the_database_is_gone(tmp_path: Path) -> None:
    url = await fresh_database(tmp_path, "ready", migrated=True)
    await asyncio.to_thread(_probe_while_gone, tmp_path, url)


def _probe_while_gone(tmp_path: Path, url: str) -> None:
    with running_server(tmp_path, url) as base:
        assert httpx.get(base + "/readyz").status_code == 200
        with _database_gone(url):
            gone = httpx.get(base + "/readyz", timeout=30)
            assert gone.status_code == 503, gone.text
            assert gone.json()["database"] != "ok"
            assert httpx.get(base + "/healthz").status_code == 200
        back = httpx.get(base + "/readyz", timeout=30)
        assert back.status_code == 200, back.text


@contextmanager
def _database_gone(url: str) -> Iterator[None]:
    """PostgreSQL: the database refuses connections and its sessions are ended. SQLite: the
    file is moved away (an unmounted volume, a deleted file), then put back."""
    if is_postgres():
        asyncio.run(_allow_connections(url, False))
        try:
            yield
        finally:
            asyncio.run(_allow_connections(url, True))
        return
    path = Path(url.removeprefix("sqlite://"))
    path.rename(path.with_suffix(".away"))
    try:
        yield
    finally:
        path.with_suffix(".away").rename(path)


async def _allow_connections(url: str, allow: bool) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = await asyncpg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")))
    try:
        await conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
    finally:
        await conn.close()


async def test_the_admin_sees_failing_hosts_and_retries_or_gives_up(
    client: httpx.AsyncClient,
) -> None:
    await make_account("root", role="admin")
    await make_account("maelle")
    await Host.create(host="far.example", failing_since=datetime.now(UTC), failures=4)
    await _stuck_delivery()
    await Delivery.filter(host="far.example").update(
        last_error="ConnectError: far.example refused",
        next_attempt_at=datetime.now(UTC) + timedelta(hours=2),
    )
    await log_in(client, "maelle")
    assert (await client.get("/admin/queues")).status_code == 404
    await post_form(client, "/", "/logout", {})
    await log_in(client, "root")
    page = (await client.get("/admin/queues")).text
    assert "far.example" in page and "ConnectError: far.example refused" in page
    assert "1 delivery waiting" in page and "4 failures in a row" in page
    retried = await post_form(
        client, "/admin/queues", "/admin/queues/hosts", {"host": "far.example", "action": "retry"}
    )
    assert retried.status_code == 303
    row = await Delivery.get(host="far.example")
    assert row.next_attempt_at <= datetime.now(UTC)
    assert "1 deliveries will be tried now" in (await client.get("/admin/queues")).text
    await post_form(
        client, "/admin/queues", "/admin/queues/hosts", {"host": "far.example", "action": "give_up"}
    )
    assert (await Delivery.get(host="far.example")).state == "failed"
    for data in ({"host": "nowhere.example", "action": "retry"}, {"host": "far.example"}):
        refused = await post_form(client, "/admin/queues", "/admin/queues/hosts", data)
        assert refused.status_code == 400, data
