"""The outgoing client against a real local HTTP server: what it accepts and what it refuses."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from federation.fetch import FetchError, RemoteClient, guarded_socket, is_forbidden_address


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        media: str = "application/activity+json",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        base = f"http://{self.headers['Host']}"
        me = json.dumps({"id": base + self.path, "type": "Person"}).encode()
        routes = {
            "/actor": lambda: self._send(200, me),
            "/ldjson": lambda: self._send(200, me, 'application/ld+json; profile="x"'),
            "/wrongtype": lambda: self._send(200, me, "text/html"),
            "/wrongid": lambda: self._send(200, b'{"id": "https://evil.example/x"}'),
            "/notjson": lambda: self._send(200, b"{nope"),
            "/gone": lambda: self._send(410, b""),
            "/redirect": lambda: self._send(302, b"", extra={"Location": "/actor"}),
            "/loop": lambda: self._send(302, b"", extra={"Location": "/loop"}),
            "/bomb": lambda: self._send(
                200, gzip.compress(b" " * 3_000_000), extra={"Content-Encoding": "gzip"}
            ),
            "/slow": lambda: (time.sleep(3), self._send(200, me)),
        }
        routes[self.path]()


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
async def client() -> RemoteClient:  # type: ignore[misc]
    c = RemoteClient(allow_private=True, deadline=1.0)
    yield c
    await c.close()


async def test_fetches_an_activitystreams_document(client: RemoteClient, origin: str) -> None:
    assert (await client.fetch_object(origin + "/actor"))["type"] == "Person"
    assert (await client.fetch_object(origin + "/ldjson"))["type"] == "Person"


async def test_redirects_are_followed_and_the_id_must_match_the_final_url(
    client: RemoteClient, origin: str
) -> None:
    document = await client.fetch_object(origin + "/redirect")
    assert document["id"] == origin + "/actor"
    with pytest.raises(FetchError, match="too many redirects"):
        await client.fetch_object(origin + "/loop")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/wrongtype", "not ActivityStreams"),
        ("/wrongid", "claims another id"),
        ("/notjson", "invalid JSON"),
        ("/gone", "answered 410"),
        ("/bomb", "more than"),
        ("/slow", "did not answer"),
    ],
)
async def test_bad_answers_are_refused(
    client: RemoteClient, origin: str, path: str, message: str
) -> None:
    with pytest.raises(FetchError, match=message):
        await client.fetch_object(origin + path)


async def test_private_addresses_are_refused_at_connect_time(origin: str) -> None:
    guarded = RemoteClient(allow_private=False, deadline=2.0)
    try:
        with pytest.raises(FetchError, match="only https"):
            await guarded.fetch_object(origin + "/actor")
        port = origin.rsplit(":", 1)[1]
        for host in ("127.0.0.1", "localhost", "[::ffff:127.0.0.1]"):
            with pytest.raises(FetchError, match="private address"):
                await guarded.fetch_object(f"https://{host}:{port}/actor")
    finally:
        await guarded.close()
    info = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port)))
    with pytest.raises(OSError, match="private address"):
        guarded_socket(allow_private=False)(info)
    guarded_socket(allow_private=True)(info).close()


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:10.0.0.1", True),
        ("224.0.0.1", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_forbidden_addresses(address: str, forbidden: bool) -> None:
    assert is_forbidden_address(address) is forbidden
