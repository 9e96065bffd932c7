"""What is the same for every visitor, kept in each process and answered again until the
database says something public changed: actor documents (person, twinning, organisation,
instance), the object documents of public updates, and the pages a logged-out visitor reads
(home, a twinning's feed, an update).

An entry is filed under (kind, path, query, language) with the generation of public content
(``models.public_changes``: a number the database raises on every write of a table shown
publicly, in the writer's own transaction). Each cacheable request reads that number first
(one primary-key read) and serves the entry only if it was made under the same number, so an
edit, a new update, a membership or a remote reply arriving through any process empties every
process's cache at once; pages also expire after ``PAGE_SECONDS`` because they say "3 minutes
ago". Answers carry a strong ``ETag`` and ``If-None-Match`` gets 304. When many ask at once
for what is not kept yet (servers fetching a just-published update), one request makes it and
the others of that process wait for it.

What is never shared: anything asked with a session account or an ``Authorization`` header,
and object fetches signed by a server (a partner-only item is answered to its members alone):
those go to the route and leave with ``Cache-Control: private, no-store``. Actor documents do
not depend on who asks (the routes never read a signature for them), so signed fetches of them
are answered from the cache after ``BlockedSigners`` has refused blocked domains. A page is
shared only when the renderer says it holds nothing of its visitor (``render`` sets
``same_for_every_visitor``: no account, no flash, no form token); an object document only when
its route says ``public``."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from federation.vocabulary import wants_activity_json
from models.public_changes import current_generation
from server import i18n

PAGE_SECONDS = 60  # pages show relative times; documents do not
DOCUMENT_SECONDS = 600
PAGE_MAX_AGE = 60  # what browsers and proxies are told
DOCUMENT_MAX_AGE = 180  # as Mastodon tells for its actors and statuses
ENTRIES = 1024
BYTES = 32 * 1024 * 1024  # any query string makes a key: the bound holds whatever is asked
# The session middleware adds "Cookie" to both: it reads the session (for the viewer) every time.
PAGE_VARY = b"Accept, Accept-Language"
DOCUMENT_VARY = b"Accept"
PRIVATE = b"private, no-store"

PAGES = re.compile(r"^/(t/[^/]+(/updates/\d+)?)?$")
ACTORS = re.compile(r"^/(actor|[uto]/[^/]+)$")
OBJECTS = re.compile(r"^/t/[^/]+/updates/\d+$")


@dataclass(frozen=True)
class Plan:
    """How one request may be shared: ``actor`` documents always, ``object`` documents and
    ``page``s when their route says so."""

    kind: str
    key: tuple[str, str, str, str]


@dataclass(frozen=True)
class Entry:
    generation: int
    made: float
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


def plan_for(scope: Scope, headers: Headers) -> Plan | None:
    """The cache's kind for this GET, or None for routes it does not keep."""
    path = scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    if path == "/actor" or wants_activity_json(headers.get("accept", "")):
        if ACTORS.match(path) and not OBJECTS.match(path):
            return Plan("actor", ("actor", path, query, ""))
        if OBJECTS.match(path):
            return Plan("object", ("object", path, query, ""))
        return None
    if PAGES.match(path):
        return Plan("page", ("page", path, query, i18n.current_locale()))
    return None


class Store:
    """A map bounded in entries and bytes, least recently used out first."""

    def __init__(self, size: int = ENTRIES, max_bytes: int = BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[tuple[str, str, str, str], Entry] = OrderedDict()

    def get(self, key: tuple[str, str, str, str], generation: int) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        ttl = PAGE_SECONDS if key[0] == "page" else DOCUMENT_SECONDS
        if entry.generation != generation or time.monotonic() - entry.made > ttl:
            self._drop(key)
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, str, str, str], entry: Entry) -> None:
        if key in self.entries:
            self._drop(key)
        self.entries[key] = entry
        self.bytes += len(entry.body)
        while len(self.entries) > self.size or self.bytes > self.max_bytes:
            self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple[str, str, str, str]) -> None:
        self.bytes -= len(self.entries.pop(key).body)


def _is_private_request(scope: Scope, headers: Headers, plan: Plan) -> bool:
    state = scope.get("state", {})
    session = scope.get("session") or {}
    signed = "signature" in headers and plan.kind != "actor"
    return (
        state.get("viewer") is not None
        or "authorization" in headers
        or signed
        or bool(session.get("flash"))
    )


def _matches(if_none_match: str, etag: bytes) -> bool:
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.decode() in tags


def _shared_headers(plan: Plan, scope: Scope, entry: Entry) -> list[tuple[bytes, bytes]]:
    """Public for proxies, unless the session middleware will set a cookie on this answer."""
    page = plan.kind == "page"
    if scope.get("session"):
        control = b"private, no-cache"
    else:
        control = b"public, max-age=%d" % (PAGE_MAX_AGE if page else DOCUMENT_MAX_AGE)
    vary = PAGE_VARY if page else DOCUMENT_VARY
    return [(b"etag", entry.etag), (b"cache-control", control), (b"vary", vary)]


async def _answer(plan: Plan, scope: Scope, headers: Headers, entry: Entry, send: Send) -> None:
    cache_headers = _shared_headers(plan, scope, entry)
    if _matches(headers.get("if-none-match", ""), entry.etag):
        await send({"type": "http.response.start", "status": 304, "headers": cache_headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": entry.headers + cache_headers}
    )
    await send({"type": "http.response.body", "body": entry.body})


def _is_shareable(plan: Plan, scope: Scope, start: Message) -> bool:
    if start["status"] != 200:
        return False
    names = dict(start.get("headers", []))
    if b"set-cookie" in names:
        return False
    control = names.get(b"cache-control", b"").lower()
    if plan.kind == "page":
        return bool(scope.get("state", {}).get("same_for_every_visitor"))
    if plan.kind == "object":
        return control.startswith(b"public")
    return b"private" not in control and b"activity+json" in names.get(b"content-type", b"")


KEPT_OUT = {b"cache-control", b"vary", b"etag"}


class SharedCache:
    """The middleware; innermost, so the viewer and the language are known."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.store = Store()
        # Keys being made now: a stampede on a new update renders it once, the others wait.
        self.making: dict[tuple[str, str, str, str], asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        plan = plan_for(scope, headers)
        if plan is None:
            await self.app(scope, receive, send)
            return
        if _is_private_request(scope, headers, plan):
            await self.app(scope, receive, _private(send))
            return
        generation = await current_generation()
        entry = await self._kept(plan.key, generation)
        if entry is None:
            made = self.making.setdefault(plan.key, asyncio.Event())
            try:
                entry = await self._make(plan, scope, receive, send, generation)
            finally:
                made.set()
                if self.making.get(plan.key) is made:
                    del self.making[plan.key]
        if entry is not None:
            await _answer(plan, scope, headers, entry, send)

    async def _kept(self, key: tuple[str, str, str, str], generation: int | None) -> Entry | None:
        """The entry of this generation, after waiting for the request making it, if any."""
        if generation is None:
            return None
        making = self.making.get(key)
        if making is not None:
            await making.wait()
        return self.store.get(key, generation)

    async def _make(
        self, plan: Plan, scope: Scope, receive: Receive, send: Send, generation: int | None
    ) -> Entry | None:
        """Runs the route; keeps and returns its answer if it may be shared, else sends it."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = messages[0] if messages else None
        if start is None or generation is None or not _is_shareable(plan, scope, start):
            for message in messages:
                await send(message)
            return None
        body = b"".join(m.get("body", b"") for m in messages[1:])
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in KEPT_OUT]
        etag = b'"%s"' % hashlib.blake2b(body, digest_size=12).hexdigest().encode()
        entry = Entry(generation, time.monotonic(), kept, body, etag)
        self.store.put(plan.key, entry)
        return entry


def _private(send: Send) -> Send:
    """Answers to a signed-in visitor, an app's token or a signed object fetch are theirs."""

    async def private_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
            message = {**message, "headers": [*kept, (b"cache-control", PRIVATE)]}
        await send(message)

    return private_send
