"""Probes for whatever supervises a node (systemd, a load balancer, Kubernetes): ``/healthz``
says the process answers; ``/readyz`` says it can do its work: the database answers, its schema
is the code's, and the queues move (nothing due has waited past a limit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

from models import db
from models.queues import Delivery, InboxActivity
from server.metrics import metrics_endpoint

# A row due longer than this, and held by no worker, means the queue does not move.
STUCK_AFTER = timedelta(minutes=15)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _database(request: Request) -> str:
    """The database answers; on SQLite its file is still where the settings say (an open
    connection keeps answering from a deleted or unmounted file, and every write since is
    lost at the next start)."""
    await connections.get("default").execute_query("SELECT 1")
    settings = request.app.state.settings
    if settings.is_sqlite and not settings.sqlite_path.exists():
        return f"the database file {settings.sqlite_path} is gone"
    return "ok"


async def _migrations(request: Request) -> str:
    pending = await db.pending_migrations(request.app.state.settings)
    return "ok" if not pending else f"{len(pending)} migrations not applied (jumelage migrate)"


async def _queues() -> str:
    limit = datetime.now(UTC) - STUCK_AFTER
    late = Delivery.filter(state="pending", next_attempt_at__lt=limit, claimed_until=None)
    waiting = InboxActivity.filter(processed_at=None, received_at__lt=limit, claimed_until=None)
    stuck = [
        f"{n} {what} waiting for over {int(STUCK_AFTER.total_seconds() // 60)} minutes"
        for what, n in (("deliveries", await late.count()), ("activities", await waiting.count()))
        if n
    ]
    return "; ".join(stuck) or "ok"


async def readyz(request: Request) -> Response:
    """503 with the reason of each failing check; a check that cannot run says why."""
    checks: dict[str, str] = {}
    for name, check in (
        ("database", lambda: _database(request)),
        ("migrations", lambda: _migrations(request)),
        ("queues", _queues),
    ):
        try:
            checks[name] = await check()
        except Exception as exc:  # a probe reports any failure rather than raising it
            checks[name] = f"{type(exc).__name__}: {exc}"[:300]
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)


routes = [
    Route("/healthz", healthz),
    Route("/readyz", readyz),
    Route("/metrics", metrics_endpoint),
]
