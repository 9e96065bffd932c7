"""Fresh databases for tests: SQLite files by default, PostgreSQL when
``JUMELAGE_TEST_DATABASE_URL`` names one (CI sets it); each caller gets its own database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def base_url() -> str:
    return os.environ.get("JUMELAGE_TEST_DATABASE_URL", "")


def is_postgres() -> bool:
    return base_url().startswith(("postgres://", "postgresql://"))


async def fresh_database(tmp_dir: Path, label: str) -> str:
    """A new, empty database URL; on PostgreSQL a new database named after the base one."""
    if not is_postgres():
        return f"sqlite://{tmp_dir / f'{label}.sqlite3'}"
    parts = urlsplit(base_url())
    name = f"{parts.path.lstrip('/') or 'jumelage_test'}_{label}_{uuid.uuid4().hex[:6]}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))
