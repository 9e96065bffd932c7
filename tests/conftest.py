"""Shared fixtures: one migrated database per test session (SQLite, or PostgreSQL when
``JUMELAGE_TEST_DATABASE_URL`` is set), emptied after each test, and an HTTP client on the app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from tortoise import Tortoise, connections

from federation.context import Federation
from models import db
from models.accounts import Account, create_account
from models.config import Settings, load_settings
from server.app import create_app
from tests.databases import fresh_database

PASSWORD = "correct horse battery"


@pytest_asyncio.fixture(scope="session")
async def settings(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Settings]:
    data_dir = tmp_path_factory.mktemp("data")
    url = await fresh_database(data_dir, "session", migrated=True)
    settings = load_settings(
        {
            "JUMELAGE_DATA_DIR": str(data_dir),
            "JUMELAGE_DATABASE_URL": url,
            "JUMELAGE_DOMAIN": "testserver.localhost",
            "JUMELAGE_ALLOW_PRIVATE_ADDRESSES": "1",
        }
    )
    await db.migrate(settings)
    await db.close()
    await db.connect(settings)
    yield settings
    await db.close()


def tables_children_first() -> list[str]:
    """Every table of the models, each after the tables that refer to it, so rows can be
    deleted in this order without breaking a foreign key (self-references aside)."""
    models = list(Tortoise.apps["models"].values())
    refers: dict[str, set[str]] = {}
    for model in models:
        names = [*model._meta.fk_fields, *model._meta.o2o_fields]
        targets = {model._meta.fields_map[n].related_model._meta.db_table for n in names}
        refers[model._meta.db_table] = targets - {model._meta.db_table}
    ordered: list[str] = []
    while refers:
        leaves = sorted(t for t in refers if not any(t in r for r in refers.values()))
        assert leaves, f"tables refer to each other in a circle: {sorted(refers)}"
        ordered += leaves
        for table in leaves:
            del refers[table]
    return ordered


@pytest_asyncio.fixture(autouse=True)
async def clean_tables(settings: Settings) -> AsyncIterator[None]:
    yield
    conn = connections.get("default")
    for table in tables_children_first():
        await conn.execute_query(f"DELETE FROM {table}")


@pytest_asyncio.fixture
async def fed(settings: Settings) -> AsyncIterator[Federation]:
    federation = await Federation.start(settings)
    yield federation
    await federation.close()


@pytest.fixture
def app(settings: Settings, fed: Federation):  # type: ignore[no-untyped-def]
    """The app without its lifespan (httpx does not run it): the federation context is the
    test's, and no worker runs, so tests drive the queues with ``run_once``."""
    application = create_app(settings, manage_database=False)
    application.state.federation = fed
    return application


@pytest_asyncio.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.localhost") as c:
        yield c


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, object]
) -> httpx.Response:
    """Submit a form the way a browser does: read the page, take its CSRF token, post."""
    token = csrf_of((await client.get(page)).text)
    return await client.post(action, data={"csrf_token": token, **data})


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> None:
    response = await post_form(
        client, "/login", "/login", {"username": username, "password": password}
    )
    assert response.status_code == 303, response.text


async def make_account(username: str, **kwargs: object) -> Account:
    return await create_account(username, f"{username}@example.org", PASSWORD, **kwargs)


def here() -> Path:
    return Path(__file__).resolve().parent
