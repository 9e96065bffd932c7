"""``jumelage check``: what an admin runs after installing or upgrading a node. The settings
(already read, so valid), the database (reachable, migrated), the media store (a probe file
written, read back and deleted: a wrong bucket or key shows here, not at the first upload),
and the public address seen from
outside the process: NodeInfo, WebFinger and the actors answer there as other servers will
ask for them, with the domain and scheme the settings give."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from models import db
from models.accounts import Account
from models.config import Settings
from models.media_store import StoreUnavailable, store_at

ACTIVITY = "application/activity+json"


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str


class Failed(Exception):
    """A check's reason for failing."""


async def _database(settings: Settings, _: httpx.AsyncClient) -> str:
    pending = await db.pending_migrations(settings)
    if pending:
        raise Failed(f"{len(pending)} migrations not applied: run jumelage migrate")
    kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
    return f"{kind} reachable, schema up to date"


async def _media_store(settings: Settings, _: httpx.AsyncClient) -> str:
    try:
        return await store_at(settings.data_dir).probe()
    except StoreUnavailable as exc:
        raise Failed(f"cannot write and read back a file: {exc.detail}") from exc
    except OSError as exc:
        raise Failed(f"cannot write and read back a file: {exc}") from exc


async def _get(client: httpx.AsyncClient, url: str, accept: str) -> dict[str, Any]:
    try:
        answer = await client.get(url, headers={"Accept": accept})
    except httpx.HTTPError as exc:
        raise Failed(f"{url}: {type(exc).__name__}: {exc}") from exc
    if answer.status_code != 200:
        raise Failed(f"{url} answered {answer.status_code}")
    try:
        document = answer.json()
    except ValueError as exc:
        raise Failed(f"{url} did not answer JSON") from exc
    if not isinstance(document, dict):
        raise Failed(f"{url} did not answer a JSON object")
    return document


async def _nodeinfo(settings: Settings, client: httpx.AsyncClient) -> str:
    links = await _get(client, f"{settings.base_url}/.well-known/nodeinfo", "application/json")
    hrefs = [str(link.get("href")) for link in links.get("links", []) if isinstance(link, dict)]
    if not hrefs or not hrefs[0].startswith(settings.base_url):
        raise Failed(f"the NodeInfo links do not point to {settings.base_url}: {hrefs}")
    info = await _get(client, hrefs[0], "application/json")
    software = info.get("software")
    if not isinstance(software, dict) or software.get("name") != "jumelage":
        raise Failed(f"{hrefs[0]} does not name Jumelage as its software")
    return f"{hrefs[0]} (version {software.get('version')})"


async def _instance_actor(settings: Settings, client: httpx.AsyncClient) -> str:
    url = f"{settings.base_url}/actor"
    actor = await _get(client, url, ACTIVITY)
    key = actor.get("publicKey")
    if actor.get("id") != url or not isinstance(key, dict) or "publicKeyPem" not in key:
        raise Failed(f"{url} is not this instance's actor with its key (id {actor.get('id')})")
    return url


async def _webfinger(settings: Settings, client: httpx.AsyncClient) -> str:
    account = await Account.filter(state="active").order_by("id").first()
    if account is None:
        return "no account yet to look up (make one, then check again)"
    acct = f"acct:{account.username}@{settings.domain}"
    found = await _get(
        client,
        f"{settings.base_url}/.well-known/webfinger?resource={acct}",
        "application/jrd+json",
    )
    links = [link for link in found.get("links", []) if isinstance(link, dict)]
    href = next((str(link["href"]) for link in links if link.get("type") == ACTIVITY), "")
    if not href.startswith(settings.base_url):
        raise Failed(f"{acct} points to {href or 'no actor'}, not to {settings.base_url}")
    actor = await _get(client, href, ACTIVITY)
    if actor.get("id") != href:
        raise Failed(f"{href} answers with another id ({actor.get('id')})")
    return f"{acct} → {href}"


CHECKS: list[tuple[str, Callable[[Settings, httpx.AsyncClient], Awaitable[str]]]] = [
    ("database", _database),
    ("media store", _media_store),
    ("nodeinfo", _nodeinfo),
    ("instance actor", _instance_actor),
    ("webfinger", _webfinger),
]


async def run_checks(settings: Settings) -> list[Outcome]:
    """Every check runs, whatever the others gave, so one run names every problem."""
    outcomes = [
        Outcome(
            "settings",
            True,
            f"{settings.base_url}, data in {settings.data_dir}"
            + ("" if settings.smtp_url else "; no SMTP (no mail)"),
        )
    ]
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        for name, check in CHECKS:
            try:
                outcomes.append(Outcome(name, True, await check(settings, client)))
            except Failed as exc:
                outcomes.append(Outcome(name, False, str(exc)))
    return outcomes
