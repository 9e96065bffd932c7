"""A real ``jumelage serve`` behind a real reverse proxy (tests/reverse_proxy.py), as a
production node runs. When the proxy's address is in ``JUMELAGE_TRUSTED_PROXIES``, log-in
budgets and the access log see each client's own address, whatever X-Forwarded-For the client
itself sends; when it is not, the header is ignored, from the proxy and from anyone sending it
straight to the server, so everyone behind the proxy shares its address and nobody escapes a
limit by naming another address. The public address in links is always the configured one,
never the Host or X-Forwarded-* headers of a request."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path

import httpx

from tests.api.conftest import PASSWORD, password_token
from tests.conftest import csrf_of
from tests.databases import fresh_database
from tests.reverse_proxy import reverse_proxy
from tests.servers import free_port, jumelage, running_server, server_env

PROXY = "127.0.0.3"  # the address the proxy connects to the server from
ALICE, BRUNO, DIRECT = "127.0.0.10", "127.0.0.11", "127.0.0.12"
FORGED_HOST = "evil.example"
ACCESS_LINE = re.compile(r'\] (\S+):\d+ - - \[[^\]]*\] "(\S+) (\S+) ')


def _client(base: str, source: str) -> httpx.Client:
    """A browser on its own loopback address."""
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=base, transport=transport, timeout=60)


def _log_in(client: httpx.Client, password: str, forwarded_for: str = "") -> int:
    token = csrf_of(client.get("/login").text)
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = {"csrf_token": token, "username": "nadia", "password": password}
    return client.post("/login", data=form, headers=headers).status_code


def _failing(client: httpx.Client, forge: bool = False) -> list[int]:
    """Eleven wrong passwords, each naming another address in its own X-Forwarded-For."""
    return [_log_in(client, "wrong", f"192.0.2.{n}" if forge else "") for n in range(11)]


def _login_addresses(data_dir: Path) -> Counter[str]:
    """How many ``POST /login`` the server's access log has from each client address."""
    found: Counter[str] = Counter()
    for line in (data_dir / "server.log").read_text().splitlines():
        match = ACCESS_LINE.search(line)
        if match and match.group(2, 3) == ("POST", "/login"):
            found[match.group(1)] += 1
    return found


def _node(tmp_path: Path, database: str) -> int:
    port = free_port()
    env = server_env(tmp_path, database, port)
    jumelage(env, "users", "create", "nadia", "--email", "n@example.org", "--password", PASSWORD)
    jumelage(env, "twinnings", "create", "lapaz", "--title", "Brest – La Paz", "--owner", "nadia")
    return port


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(tmp_path: Path) -> None:
    database = await fresh_database(tmp_path, "trusted", migrated=True)
    await asyncio.to_thread(_behind_a_trusted_proxy, tmp_path, database)


def _behind_a_trusted_proxy(tmp_path: Path, database: str) -> None:
    port = _node(tmp_path, database)
    with reverse_proxy(f"http://127.0.0.1:{port}", "127.0.0.1", PROXY) as proxy:
        public = proxy.removeprefix("http://")
        trusted = {"JUMELAGE_DOMAIN": public, "JUMELAGE_TRUSTED_PROXIES": PROXY}
        with running_server(tmp_path, database, port=port, **trusted) as server:
            _links_name_the_public_address(proxy)
            with _client(proxy, ALICE) as alice:
                assert _failing(alice, forge=True) == [400] * 10 + [429]
                assert _log_in(alice, PASSWORD) == 429
            # Straight to the server, a forged header is no way to spend Bruno's budget.
            with _client(server, DIRECT) as direct:
                failures = [_log_in(direct, "wrong", BRUNO) for _ in range(11)]
                assert failures == [400] * 10 + [429]
            with _client(proxy, BRUNO) as bruno:
                assert _log_in(bruno, PASSWORD) == 303
    assert _login_addresses(tmp_path) == Counter({ALICE: 12, DIRECT: 11, BRUNO: 1})


def _links_name_the_public_address(proxy: str) -> None:
    """A client naming another host (Host, X-Forwarded-Host) and the proxy saying https never
    change the addresses the node writes: those come from JUMELAGE_DOMAIN and its scheme."""
    token = password_token(proxy, "nadia")
    auth = {"Authorization": f"Bearer {token}"}
    posted = httpx.post(f"{proxy}/api/v1/statuses", data={"status": "@lapaz Hello"}, headers=auth)
    assert posted.status_code == 200, posted.text
    forged = {"Host": FORGED_HOST, "X-Forwarded-Host": FORGED_HOST}
    domain = proxy.removeprefix("http://")
    pages = {
        "/api/v1/timelines/public": {},
        "/api/v1/instance": {},
        f"/.well-known/webfinger?resource=acct:nadia@{domain}": {},
        "/.well-known/nodeinfo": {},
        "/u/nadia": {"Accept": "application/activity+json"},
        "/feed.atom": {},
        "/": {},
    }
    with httpx.Client(base_url=proxy, timeout=60) as client:
        for path, headers in pages.items():
            answer = client.get(path, headers={**forged, **headers})
            assert answer.status_code == 200, (path, answer.text)
            assert FORGED_HOST not in answer.text, path
            assert f"https://{domain}" not in answer.text, path
            assert FORGED_HOST not in str(answer.headers), path
        timeline = client.get("/api/v1/timelines/public", headers=forged)
        assert timeline.json()[0]["uri"].startswith(proxy + "/")
        assert timeline.headers["link"].startswith(f"<{proxy}/api/v1/timelines/public?")


async def test_without_trust_the_forwarded_header_is_ignored(tmp_path: Path) -> None:
    database = await fresh_database(tmp_path, "untrusted", migrated=True)
    await asyncio.to_thread(_behind_an_untrusted_proxy, tmp_path, database)


def _behind_an_untrusted_proxy(tmp_path: Path, database: str) -> None:
    port = _node(tmp_path, database)
    with reverse_proxy(f"http://127.0.0.1:{port}", "127.0.0.1", PROXY) as proxy:
        public = {"JUMELAGE_DOMAIN": proxy.removeprefix("http://")}
        with running_server(tmp_path, database, port=port, **public) as server:
            with _client(server, DIRECT) as direct:
                assert _failing(direct, forge=True) == [400] * 10 + [429]
                assert _log_in(direct, PASSWORD, "198.51.100.7") == 429
            with _client(proxy, ALICE) as alice:
                assert _failing(alice) == [400] * 10 + [429]
            # Bruno comes through the same proxy, so he is counted under the same address.
            with _client(proxy, BRUNO) as bruno:
                assert _log_in(bruno, PASSWORD) == 429
            with _client(server, "127.0.0.13") as elsewhere:
                assert _log_in(elsewhere, PASSWORD) == 303
    assert _login_addresses(tmp_path) == Counter({DIRECT: 12, PROXY: 12, "127.0.0.13": 1})
