"""Fresh databases for tests: SQLite files by default, PostgreSQL when
``JUMELAGE_TEST_DATABASE_URL`` names one (CI sets it); each caller gets its own database.

Migrating a new database takes seconds (two dozen migrations, each its own transaction), and
the suite starts dozens of them; so a migrated database is a copy of one template migrated
once per test process (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL). A migrated template holds nothing but the migration records."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
# The template of this process (a SQLite path or a PostgreSQL database name), made on first use.
_template: list[str] = []
# URLs handed out already migrated, so servers started on them skip ``jumelage migrate``.
_migrated: set[str] = set()


def base_url() -> str:
    return os.environ.get("JUMELAGE_TEST_DATABASE_URL", "")


def is_postgres() -> bool:
    return base_url().startswith(("postgres://", "postgresql://"))


def is_migrated(url: str) -> bool:
    return url in _migrated


async def fresh_database(tmp_dir: Path, label: str, migrated: bool = False) -> str:
    """A new database URL: empty, or with every migration applied when ``migrated``; on
    PostgreSQL a new database named after the base one."""
    if not migrated:
        return await _empty_database(tmp_dir, label)
    template = await _template_database()
    if is_postgres():
        url = await _create_postgres(label, template=template)
    else:
        url = await asyncio.to_thread(_copy_sqlite, template, tmp_dir / f"{label}.sqlite3")
    _migrated.add(url)
    return url


def _copy_sqlite(template: str, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return f"sqlite://{target}"


async def _empty_database(tmp_dir: Path, label: str) -> str:
    if not is_postgres():
        return f"sqlite://{tmp_dir / f'{label}.sqlite3'}"
    return await _create_postgres(label)


async def _create_postgres(label: str, template: str = "") -> str:
    parts = urlsplit(base_url())
    name = f"{parts.path.lstrip('/') or 'jumelage_test'}_{label}_{uuid.uuid4().hex[:6]}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await conn.close()
    return urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))


async def _template_database() -> str:
    """Migrates this process's template the first time, with the real ``jumelage migrate``."""
    if _template:
        return _template[0]
    data_dir = Path(tempfile.mkdtemp(prefix="jumelage-template-"))
    url = await _empty_database(data_dir, "template")
    env = {**os.environ, "JUMELAGE_DATA_DIR": str(data_dir), "JUMELAGE_DATABASE_URL": url}
    command = [sys.executable, "-m", "server.cli", "migrate"]
    done = await asyncio.to_thread(
        subprocess.run, command, env=env, cwd=ROOT, timeout=300, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrating the test template failed: {done.stderr}{done.stdout}")
    where = urlsplit(url).path.lstrip("/") if is_postgres() else url.removeprefix("sqlite://")
    _template.append(where)
    return where
