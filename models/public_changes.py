"""The generation of what every viewer sees alike: one number in the database, raised by the
database itself whenever a row that a public page or document shows is written.

Why triggers: public content is written from many places (web pages, the Mastodon API, the
inbox handlers, the worker, CLI commands, queryset updates that no ORM signal sees); a trigger
on each table shown publicly is the one hook none of them can bypass. The number moves in the
writer's own transaction, so it becomes visible exactly when the change does: a reader that
reads the generation first and the data after never files an old answer under a new number.
That makes it correct across several ``jumelage serve`` processes on one PostgreSQL: each
process asks for the number once per cacheable request (one primary-key read, ~0.1 ms on
loopback) instead of being told.

On PostgreSQL the trigger fires once per statement, *before* it, so a transaction takes the
generation row's lock before any row lock of the statement (writers of public tables queue on
it rather than deadlock); writes of public content are therefore serialised, which the
short transactions of ``happenings.acting`` afford. SQLite has one writer anyway; there the
trigger fires for each row, and tortoise (1.1) counts the rows of a queryset ``update`` or
``delete`` by the connection's ``total_changes``, which counts the trigger's write too: code that
needs the number of rows changed in a watched table counts them first (``domain_blocks._move``).

Tables never shown to anyone but their owner (queues, sessions, notifications) are listed in
``UNSEEN_TABLES`` and have no trigger: deliveries and inbox rows move all the time and must
not empty the caches. A new table is watched by default: its migration calls ``watch``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tortoise.connection import get_connection

TABLE = "public_generation"

UNSEEN_TABLES = frozenset(
    {
        "account_blocks",
        "account_mutes",
        "bookmarks",
        "deliveries",
        "discussion_reads",
        "filter_keywords",
        "filter_statuses",
        "filters",
        "happenings",
        "hosts",
        "idempotency_keys",
        "inbound_mails",
        "inbox_activities",
        "invitations",
        "mail_notices",
        "mail_list_choices",
        "mail_preferences",
        "mail_refusals",
        "markers",
        "moderation_log",
        "notifications",
        "oauth_apps",
        "oauth_codes",
        "oauth_tokens",
        "personal_domain_blocks",
        "push_jobs",
        "push_subscriptions",
        "rate_limits",
        "reports",
        "scheduled_statuses",
        "seen_markers",
        "tortoise_migrations",
        TABLE,
    }
)

BUMP = f"UPDATE {TABLE} SET n = n + 1 WHERE id = 1"


def create_sql(dialect: str) -> list[str]:
    """The table with its one row, and on PostgreSQL the function the triggers call."""
    statements = [
        f"CREATE TABLE {TABLE} (id INT NOT NULL PRIMARY KEY, n BIGINT NOT NULL)",
        f"INSERT INTO {TABLE} (id, n) VALUES (1, 1)",
    ]
    if dialect == "postgres":
        statements.append(
            "CREATE FUNCTION bump_public_generation() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
    return statements


def watch_sql(dialect: str, table: str) -> list[str]:
    """Triggers that raise the generation on every insert, update and delete of ``table``."""
    if dialect == "postgres":
        return [
            f"CREATE TRIGGER {table}_public_generation BEFORE INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_public_generation()"
        ]
    return [
        f"CREATE TRIGGER {table}_public_{event.lower()} AFTER {event} ON {table} BEGIN {BUMP}; END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def unwatch_sql(dialect: str, table: str) -> list[str]:
    if dialect == "postgres":
        return [f"DROP TRIGGER {table}_public_generation ON {table}"]
    return [f"DROP TRIGGER {table}_public_{event}" for event in ("insert", "update", "delete")]


Step = Callable[[Any, Any], Awaitable[None]]


def watching(tables: Sequence[str]) -> tuple[Step, Step]:
    """The two steps of a migration whose new tables are shown publicly:
    ``ops.RunPython(*watching([...]))`` puts the triggers on them, and takes them off when the
    migration is undone."""

    async def run(schema_editor: Any, sql: Callable[[str, str], list[str]]) -> None:
        client = schema_editor.client
        for table in tables:
            for statement in sql(client.capabilities.dialect, table):
                await client.execute_script(statement)

    async def watch(apps: Any, schema_editor: Any) -> None:
        await run(schema_editor, watch_sql)

    async def unwatch(apps: Any, schema_editor: Any) -> None:
        await run(schema_editor, unwatch_sql)

    return watch, unwatch


async def current_generation() -> int | None:
    """The number now; None when the database has no such table (not migrated yet)."""
    rows = await get_connection("default").execute_query_dict(f"SELECT n FROM {TABLE} WHERE id = 1")
    return int(rows[0]["n"]) if rows else None
