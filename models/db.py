"""Database set-up: the tortoise configuration, connection and migrations (tortoise's own
migration system; files under ``models/migrations``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.executor import MigrationExecutor

from models.config import ConfigError, Settings

MODEL_MODULES = [
    "models.handles",
    "models.accounts",
    "models.organisations",
    "models.twinnings",
    "models.content",
    "models.facets",
    "models.ratelimits",
    "models.keys",
    "models.remote",
    "models.follows",
    "models.queues",
    "models.reactions",
    "models.oauth",
    "models.social",
    "models.notifications",
    "models.markers",
    "models.seen",
    "models.media",
    "models.events",
    "models.discussions",
    "models.resources",
    "models.mail",
    "models.pages",
    "models.happenings",
    "models.translation_requests",
    "models.phases",
    "models.moderation",
    "models.scheduled",
    "models.evaluations",
    "models.inbound_mail",
    "models.personal_blocks",
    "models.filters",
    "models.programmes",
    "models.task_templates",
    "models.tasks",
    "models.polls",
    "models.push",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


@contextlib.asynccontextmanager
async def _reaching(settings: Settings) -> AsyncIterator[None]:
    """Turns driver errors at connection time into one configuration error naming the setting."""
    try:
        yield
    except (TimeoutError, OSError, DBConnectionError) as exc:
        raise ConfigError("JUMELAGE_DATABASE_URL", f"cannot reach the database: {exc}") from exc


async def connect(settings: Settings) -> None:
    # tortoise-orm 1.x keeps its state in a context variable of the task that called init; the
    # ASGI server runs the lifespan and each request in different tasks, so the global fallback
    # is what lets requests see the connection opened at start-up.
    async with _reaching(settings):
        await Tortoise.init(
            config=tortoise_config(settings.database_url), _enable_global_fallback=True
        )


async def migrate(settings: Settings, target: str | None = None) -> None:
    """Apply pending migrations (up to ``target``, ``models.0001_initial`` say)."""
    async with _reaching(settings):
        await tortoise_migrate(config=tortoise_config(settings.database_url), target=target)


async def pending_migrations(settings: Settings) -> list[str]:
    """Names of migrations not yet applied; needs ``connect`` first."""
    executor = MigrationExecutor(get_connection("default"), tortoise_config("")["apps"])
    async with _reaching(settings):
        plan = await executor.plan(None)
    return [f"{s.migration.app_label}.{s.migration.name}" for s in plan if not s.backward]


async def close() -> None:
    await Tortoise.close_connections()
