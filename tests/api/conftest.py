"""One real ``jumelage serve`` per test module for the client API, with two people and a
twinning made through the CLI, driven by real Mastodon client libraries."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database
from tests.servers import free_port, jumelage, server_env, serving

PASSWORD = "correct horse battery"


@dataclass
class Instance:
    base: str
    env: dict[str, str]
    data_dir: Path
    pid: int

    def cli(self, *args: str) -> str:
        return jumelage(self.env, *args).stdout


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    data_dir = tmp_path_factory.mktemp("api")
    url = asyncio.run(fresh_database(data_dir, "api", migrated=True))
    port = free_port()
    with serving(data_dir, url, port=port) as served:
        env = server_env(data_dir, url, port)
        node = Instance(served.base, env, data_dir, served.pid)
        for name in ("alice", "bob", "carla"):
            node.cli(
                "users", "create", name, "--email", f"{name}@example.org", "--password", PASSWORD
            )
        node.cli("twinnings", "create", "lapaz", "--title", "Brest – La Paz", "--owner", "alice")
        node.cli("twinnings", "create", "bogota", "--title", "Lyon – Bogotá", "--owner", "carla")
        yield node


def register_app(base: str, scopes: str = "read write follow push") -> dict[str, str]:
    answer = httpx.post(
        f"{base}/api/v1/apps",
        data={
            "client_name": "tests",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": scopes,
        },
    )
    answer.raise_for_status()
    return answer.json()


def password_token(
    base: str, username: str, scopes: str = "read write follow push", password: str = PASSWORD
) -> str:
    app = register_app(base, scopes)
    answer = httpx.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": username,
            "password": password,
            "scope": scopes,
        },
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])
