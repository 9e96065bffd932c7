"""What a node's admin watches, in Prometheus's format: requests by route class and status
with their latency, inbox activities accepted and refused, and, read from the database at each
scrape so that they hold for every process of the node, the delivery and inbox queues (depth
and age), failing and unavailable hosts, the mail queue and the bytes of stored media.

Counters are per process (each ``serve`` process is scraped on its own address); the queue
figures come from the shared database, so any process tells them for the whole node."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from federation.queue_admin import queue_figures

# Route classes, by path prefix; anything else is a web page.
_CLASSES = (
    ("/api/", "api"),
    ("/oauth/", "api"),
    ("/.well-known/", "well-known"),
    ("/nodeinfo", "well-known"),
    ("/static/", "static"),
    ("/media/", "media"),
    ("/healthz", "health"),
    ("/readyz", "health"),
    ("/metrics", "health"),
)


def route_class(path: str, method: str) -> str:
    if method == "POST" and path.endswith("/inbox"):
        return "inbox"
    for prefix, name in _CLASSES:
        if path.startswith(prefix):
            return name
    return "web"


@dataclass
class Metrics:
    """One registry per app, so that several apps in one process (tests) do not collide."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    inbox: Counter
    gauges: dict[str, Gauge]

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        requests = Counter(
            "jumelage_http_requests",
            "HTTP requests answered, by route class, method and status",
            ["route", "method", "status"],
            registry=registry,
        )
        latency = Histogram(
            "jumelage_http_request_duration_seconds",
            "Time to answer an HTTP request, by route class",
            ["route"],
            registry=registry,
        )
        inbox = Counter(
            "jumelage_inbox_activities",
            "Activities POSTed to an inbox, accepted or refused",
            ["outcome"],
            registry=registry,
        )
        gauges = {
            name: Gauge(f"jumelage_{name}", text, labels, registry=registry)
            for name, text, labels in _GAUGES
        }
        return cls(registry, requests, latency, inbox, gauges)

    def observe(self, path: str, method: str, status: int, seconds: float) -> None:
        kind = route_class(path, method)
        self.requests.labels(kind, method, str(status)).inc()
        self.latency.labels(kind).observe(seconds)
        if kind == "inbox":
            self.inbox.labels("accepted" if status < 300 else "refused").inc()


_GAUGES: tuple[tuple[str, str, list[str]], ...] = (
    ("delivery_queue_rows", "Rows of the delivery queue, by state", ["state"]),
    ("delivery_queue_oldest_pending_seconds", "Age of the oldest pending delivery", []),
    ("inbox_queue_unprocessed", "Received activities not yet processed", []),
    ("inbox_queue_oldest_unprocessed_seconds", "Age of the oldest unprocessed activity", []),
    ("hosts_failing", "Remote hosts held back after failures", []),
    ("hosts_unavailable", "Remote hosts failing for days, probed rarely", []),
    ("mail_queue_unsent", "Mails waiting to go out", []),
    ("media_bytes", "Bytes of stored media files", []),
)


async def read_queues(metrics: Metrics) -> None:
    """Sets the queue figures from the database."""
    figures = await queue_figures()
    g = metrics.gauges
    for state, count in figures.deliveries.items():
        g["delivery_queue_rows"].labels(state).set(count)
    g["delivery_queue_oldest_pending_seconds"].set(figures.oldest_pending_seconds)
    g["inbox_queue_unprocessed"].set(figures.inbox_unprocessed)
    g["inbox_queue_oldest_unprocessed_seconds"].set(figures.inbox_oldest_seconds)
    g["hosts_failing"].set(figures.hosts_failing)
    g["hosts_unavailable"].set(figures.hosts_unavailable)
    g["mail_queue_unsent"].set(figures.mail_unsent)
    g["media_bytes"].set(figures.media_bytes)


class RequestMetrics:
    """Counts every HTTP answer and its latency (the status as sent, errors included)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe(scope["path"], scope["method"], status, elapsed)


async def metrics_endpoint(request: Request) -> Response:
    """Answers only with ``JUMELAGE_METRICS_TOKEN`` as a bearer token; without the setting the
    address does not exist (404), so an instance exposes nothing by default."""
    token = request.app.state.settings.metrics_token
    if not token:
        return PlainTextResponse("Metrics are off: set JUMELAGE_METRICS_TOKEN.\n", 404)
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return PlainTextResponse(
            "A bearer token is needed.\n", 401, headers={"WWW-Authenticate": "Bearer"}
        )
    metrics: Metrics = request.app.state.metrics
    await read_queues(metrics)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
