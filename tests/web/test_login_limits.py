"""Log-in budgets count attempts where they come from: someone failing with a person's name
from one address blocks that address, not the person, who still logs in from another one (on
the log-in page and through the Mastodon password grant alike). Behind a trusted reverse
proxy, the address is the one the proxy forwards; anyone else's X-Forwarded-For is ignored."""

from __future__ import annotations

import dataclasses
import ipaddress

import httpx
from starlette.applications import Starlette

from models.config import Settings
from models.oauth import register_app
from server.app import create_app
from tests.conftest import PASSWORD, make_account, post_form


def _client(app: Starlette, address: str, **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver.localhost", headers=headers
    )


async def _log_in(client: httpx.AsyncClient, password: str) -> int:
    form = {"username": "nadia", "password": password}
    return (await post_form(client, "/login", "/login", form)).status_code


async def _password_grant(client: httpx.AsyncClient, client_id: str, secret: str) -> int:
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "client_secret": secret,
        "username": "nadia",
        "password": PASSWORD,
        "scope": "read",
    }
    return (await client.post("/oauth/token", data=form)).status_code


async def test_failures_from_one_address_do_not_lock_the_person_out(app: Starlette) -> None:
    await make_account("nadia")
    oauth, secret = await register_app("app", "urn:ietf:wg:oauth:2.0:oob", "read", "")
    async with _client(app, "192.0.2.10") as a, _client(app, "198.51.100.20") as b:
        failures = [await _log_in(a, "wrong") for _ in range(20)]
        assert failures == [400] * 10 + [429] * 10
        assert await _log_in(b, PASSWORD) == 303
        assert await _password_grant(b, oauth.client_id, secret) == 200
        assert await _log_in(a, PASSWORD) == 429  # the failing address stays limited
        assert await _password_grant(a, oauth.client_id, secret) == 429


async def test_one_address_trying_many_names_is_limited(app: Starlette) -> None:
    await make_account("nadia")
    async with _client(app, "192.0.2.10") as a, _client(app, "198.51.100.20") as b:
        for n in range(30):
            form = {"username": f"someone{n}", "password": "guess"}
            assert (await post_form(a, "/login", "/login", form)).status_code == 400
        assert await _log_in(a, PASSWORD) == 429
        assert await _log_in(b, PASSWORD) == 303


async def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings: Settings) -> None:
    await make_account("nadia")
    proxied = dataclasses.replace(settings, trusted_proxies=(ipaddress.ip_network("127.0.0.0/8"),))
    app = create_app(proxied, manage_database=False)
    attacker = {"X-Forwarded-For": "10.1.1.1, 192.0.2.10"}  # the proxy appended 192.0.2.10
    async with _client(app, "127.0.0.1", **attacker) as a:
        assert [await _log_in(a, "wrong") for _ in range(11)][-1] == 429
    async with _client(app, "127.0.0.1", **{"X-Forwarded-For": "198.51.100.20"}) as b:
        assert await _log_in(b, PASSWORD) == 303
    # A peer that is not a trusted proxy cannot pick the address it is counted under.
    async with _client(app, "203.0.113.7", **{"X-Forwarded-For": "192.0.2.10"}) as c:
        assert await _log_in(c, PASSWORD) == 303
    async with _client(app, "127.0.0.1", **{"X-Forwarded-For": "192.0.2.10"}) as d:
        assert await _log_in(d, PASSWORD) == 429
