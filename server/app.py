"""The Starlette application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from federation import worker as federation_worker
from federation.context import Federation
from models import db
from models.config import Settings
from server import activitypub, health, i18n, mailer
from server.api.routes import routes as api_routes
from server.errors import HANDLERS
from server.http_cache import SharedCache
from server.metrics import Metrics, RequestMetrics
from server.middleware import (
    ApiTrailingSlash,
    BlockedSigners,
    BodyLimit,
    ForwardedClient,
    SecurityHeaders,
    ViewerAndLanguage,
)
from server.storage_full import StorageFull
from server.web.pages import (
    accounts,
    admin,
    admin_queues,
    confirmations,
    digest,
    directory,
    discussions,
    evaluations,
    events,
    feeds,
    home,
    mail_archive,
    manifest,
    members,
    moderation,
    notifications,
    organisations,
    people,
    pictures,
    polls,
    programmes,
    remote,
    resources,
    tasks,
    translations,
    twinning_tabs,
    twinnings,
    unsubscribe,
    updates,
    usage,
    white_paper,
)

STATIC = Path(__file__).resolve().parent.parent / "static"


class PendingMigrations(Exception):
    """The database is behind the code; on PostgreSQL the admin runs ``jumelage migrate``."""


async def prepare_database(settings: Settings) -> None:
    """The embedded SQLite default migrates itself; a shared PostgreSQL is migrated on purpose."""
    await db.connect(settings)
    pending = await db.pending_migrations(settings)
    if pending and not settings.is_sqlite:
        await db.close()
        raise PendingMigrations(", ".join(pending))
    if pending:
        await db.close()
        await db.migrate(settings)
        await db.close()
        await db.connect(settings)


def create_app(settings: Settings, manage_database: bool = True) -> Starlette:
    i18n.load_catalogues()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await prepare_database(settings)
        fed = app.state.federation = await Federation.start(settings)
        stop = asyncio.Event()
        workers = []
        if manage_database and settings.inline_worker:
            workers.append(asyncio.create_task(federation_worker.run(fed, stop)))
            if settings.smtp_url:
                workers.append(asyncio.create_task(mailer.run(settings, stop)))
        yield
        stop.set()
        for worker in workers:
            await worker
        await fed.close()
        if manage_database:
            await db.close()

    routes = [
        *health.routes,
        *api_routes,
        *activitypub.routes,
        *home.routes,
        *manifest.routes,
        *notifications.routes,
        *accounts.routes,
        *directory.routes,
        *feeds.routes,
        *events.routes,
        *discussions.routes,
        *digest.routes,
        *resources.routes,
        *translations.routes,
        *white_paper.routes,
        *evaluations.routes,
        *tasks.routes,
        *usage.routes,
        *organisations.routes,
        *twinnings.routes,
        *twinning_tabs.routes,
        *confirmations.routes,
        *members.routes,
        *updates.routes,
        *polls.routes,
        *people.routes,
        *pictures.routes,
        *programmes.routes,
        *remote.routes,
        *moderation.routes,
        *admin.routes,
        *admin_queues.routes,
        *unsubscribe.routes,
        *mail_archive.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    metrics = Metrics.create()
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(ForwardedClient, trusted=settings.trusted_proxies),
            Middleware(RequestMetrics, metrics=metrics),
            Middleware(SecurityHeaders),
            Middleware(ApiTrailingSlash),
            Middleware(BodyLimit),
            Middleware(BlockedSigners),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="jumelage",
                https_only=settings.scheme == "https",
                same_site="lax",
                max_age=30 * 86400,
            ),
            Middleware(StorageFull),
            Middleware(ViewerAndLanguage),
            Middleware(SharedCache),
        ],
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    return app
