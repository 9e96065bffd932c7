"""A stand-in for another fediverse server, on loopback: every GET answers an actor document
(a Mastodon-shaped ``Person`` whose id is the URL asked, with a test key) unless a path is
given a document or a redirect of its own, every POST to an inbox is recorded, and its
answers can be scripted (503 then 202, say), made slow, or held forever (a host that accepts
and never answers)."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image

from federation.signatures import generate_keypair, sign_request

# Real payloads of other servers, kept in the repository (see its README).
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fediverse"
PUBLIC_PEM, PRIVATE_PEM = generate_keypair()
AVATAR_PATH = "/system/avatar.png"  # the icon every actor of the peer names


def avatar_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


OTHER_PUBLIC_PEM, OTHER_PRIVATE_PEM = generate_keypair()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when the request arrived

    @property
    def activity(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Peer:
    base: str = ""
    received: list[Received] = field(default_factory=list)
    answers: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    status: int = 202  # the answer once the scripted ones are used up
    delay: float = 0.0  # seconds each POST waits before it is answered
    hold: threading.Event | None = None  # POSTs wait, unanswered, until it is set
    posts: int = 0  # POSTs that arrived, whatever was answered
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> served as is
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location (302)
    tried: list[str] = field(default_factory=list)  # paths of every POST, answered or not
    # Files served as they are (path -> (media type, bytes)), and the paths of GETs of them.
    files: dict[str, tuple[str, bytes]] = field(
        default_factory=lambda: {AVATAR_PATH: ("image/png", avatar_png())}
    )
    file_gets: list[str] = field(default_factory=list)

    def actor(self, name: str) -> str:
        return f"{self.base}/users/{name}"

    async def cached(self, name: str, actor_type: str = "Person") -> Any:
        """The peer's actor as our cache holds it once fetched (a RemoteActor row)."""
        from models.remote import RemoteActor, now

        return await RemoteActor.create(
            uri=self.actor(name),
            actor_type=actor_type,
            handle=name,
            domain="127.0.0.1",
            inbox=self.actor(name) + "/inbox",
            fetched_at=now(),
        )

    def actor_document(self, uri: str) -> dict[str, Any]:
        person = json.loads((FIXTURES / "mastodon" / "objects" / "person.json").read_text())
        person.update(
            {
                "id": uri,
                "preferredUsername": uri.rsplit("/", 1)[-1],
                "inbox": f"{uri}/inbox",
                "outbox": f"{uri}/outbox",
                "followers": f"{uri}/followers",
                "endpoints": {"sharedInbox": f"{self.base}/inbox"},
                "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": PUBLIC_PEM},
                "icon": {"type": "Image", "mediaType": "image/png", "url": self.base + AVATAR_PATH},
            }
        )
        if person["preferredUsername"].startswith("group"):  # the peer's twinnings
            person["type"] = "Group"
        return person

    def signed_post(
        self,
        name: str,
        activity: dict[str, Any],
        inbox_url: str,
        private_pem: str = PRIVATE_PEM,
        key_name: str | None = None,
        **sign_options: Any,
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body as Mastodon sends them: signed over (request-target), host, date,
        digest with rsa-sha256."""
        body = json.dumps(activity).encode()
        key_id = self.actor(key_name or name) + "#main-key"
        headers = sign_request("POST", inbox_url, key_id, private_pem, body, **sign_options)
        headers["content-type"] = "application/activity+json"
        return headers, body


def start_peer(host: str = "127.0.0.1") -> tuple[Peer, ThreadingHTTPServer]:
    """``host``: a loopback address of its own (127.0.0.2, ...) makes a server of another
    host, with a delivery line of its own."""
    peer = Peer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(
            self, status: int, body: bytes = b"", extra: dict[str, str] | None = None
        ) -> None:
            extra = dict(extra or {})
            self.send_response(status)
            self.send_header("Content-Type", extra.pop("Content-Type", "application/activity+json"))
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.startswith("/.well-known/webfinger"):
                name = self.path.split("acct%3A", 1)[-1].split("%40", 1)[0]
                jrd = {"links": [{"rel": "self", "type": "application/activity+json",
                                  "href": peer.actor(name)}]}  # fmt: skip
                self._answer(200, json.dumps(jrd).encode())
                return
            path = self.path.split("?", 1)[0]
            if path in peer.files:
                peer.file_gets.append(path)
                media_type, content = peer.files[path]
                self._answer(200, content, {"Content-Type": media_type})
                return
            if path in peer.redirects:
                self._answer(302, b"", {"Location": peer.redirects[path]})
                return
            document = peer.documents.get(path) or peer.actor_document(peer.base + path)
            self._answer(200, json.dumps(document).encode())

        def do_POST(self) -> None:
            arrived = time.monotonic()
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            peer.posts += 1
            peer.tried.append(self.path)
            if peer.hold is not None:
                peer.hold.wait()
            time.sleep(peer.delay)
            status, extra = peer.answers.popleft() if peer.answers else (peer.status, {})
            if 200 <= status < 300:
                headers = dict(self.headers.items())
                peer.received.append(Received(self.path, headers, body, arrived))
            self._answer(status, b"", extra)

    server = ThreadingHTTPServer((host, 0), Handler)
    server.block_on_close = False  # a held request must not keep the test from ending
    peer.base = f"http://{host}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return peer, server


async def drain(fed: Any) -> None:
    """Runs the queues until nothing is left to do (instead of sleeping)."""
    from federation.worker import run_once

    while await run_once(fed):
        pass
