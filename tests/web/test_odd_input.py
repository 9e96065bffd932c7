"""Odd input never makes a 500: every route of the app (web pages, the Mastodon API,
ActivityPub, well-known) is called with each path parameter replaced by huge and negative
numbers, 10 KB strings, NUL bytes and invalid UTF-8, and with every parameter name the server
reads given those values (and given twice, and as an array), anonymously and as a member who
is signed in and holds an API token."""

from __future__ import annotations

import asyncio
import functools
import re
from pathlib import Path
from urllib.parse import unquote

import httpx
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Message

from models.accounts import Account
from models.content import ContentItem
from models.lookup import MAX_ID, record_id
from models.media import attach, store_media
from models.oauth import issue_token, register_app
from models.posting import post_reply, post_update
from models.twinnings import TwinningInput, create_twinning
from server.params import ID_PATTERN
from tests.conftest import log_in, make_account

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
SERVER = Path(__file__).resolve().parents[2] / "server"
# How the server reads a parameter: web pages through query_text, the API through Params.
READS = re.compile(
    r"""(?:query_text\(request, |\.(?:text|flag|number|items|has)\(|query_params\.get\(|"""
    r"""bound\()"([\w\[\]]+)\""""
)
# Path values: none can name a row but the largest id. Past the router only the values a
# route's convertor accepts reach a handler, whoever asks, so a signed-in member, whose
# handlers read more, gets those typed parameters with the largest id alone.
PATH_ODD = [
    "99999999999999999999999",
    str(MAX_ID),
    "-1",
    "%C2%B2",  # a superscript two: a digit to str.isdigit, not to int
    "a" * 10_240,
    "a%00b",
    "%C3%28%FF%FE",  # invalid UTF-8
]
UNTYPED = re.compile(r"{\w+(?::path)?}")
NUL = "a%00b"
# Query values, each given to every parameter name at once.
QUERY_ODD = ["99999999999999999999999", "-1", "%C2%B2", "b" * 600, NUL, "%C3%28%FF%FE"]
LONG = "c" * 10_240  # given to a few names at a time: URLs stay under httpx's 64 KB bound
LONG_GROUP = 6


@functools.cache
def parameter_names() -> tuple[str, ...]:
    """Every parameter name the server's code reads, found in its source, so that a new one
    is fuzzed without anyone adding it here."""
    names: set[str] = set()
    for path in SERVER.rglob("*.py"):
        names.update(READS.findall(path.read_text()))
    names.update({"state", "response_type", "code_challenge", "field", "country", "phase"})
    return tuple(sorted(names))


async def _world(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A member with a twinning, an update, a reply and a file: the valid path values."""
    member = await make_account("member")
    t = await create_twinning(member, "walk_t", TwinningInput(title={"fr": "Jumelage"}))
    item = await post_update(member, t, "public", {"fr": "Nouvelles"})
    await post_reply(member, item, {"fr": "Réponse"})
    reply = await ContentItem.get(in_reply_to_id=item.id)
    media = await store_media(member, app.state.settings.data_dir, b"%PDF-1.4 odd")
    await attach(item, [media.id])
    return {
        "slug": "walk_t",
        "handle": "walk_t",
        "username": "member",
        "item_id": str(item.id),
        "reply_id": str(reply.id),
        "status_id": str(item.id),
        "account_id": f"p{member.id}",
        "list_id": str(t.id),
        "media_id": str(media.id),
        "notification_id": "1",
        "report_id": "1",
        "scheduled_id": "1",
        "filter_id": "1",
        "keyword_id": "1",
        "filter_status_id": "1",
        "poll_id": "1",
        "evaluation_id": "1",
        "task_id": "1",
        "group_id": "1",
        "silenced_id": "1",
        "request_id": "1",
        "name": media.name,
        "hashtag": "nouvelles",
        "rest": "v1/unknown",
        "key": "0" * 40,
    }


def _routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, path pattern) of every route, reading methods before the others so that a
    DELETE of the walk's own status comes last."""
    found = [
        (method, route.path)
        for route in app.routes
        if isinstance(route, Route)
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
    order = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
    return sorted(found, key=lambda r: order[r[0]])


def _fill(pattern: str, values: dict[str, str], odd: tuple[str, str] | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return odd[1] if odd and odd[0] == name else values[name]

    return PARAM.sub(value, pattern)


def _long_queries(names: tuple[str, ...]) -> list[str]:
    return [
        "&".join(f"{n}={LONG}" for n in names[start : start + LONG_GROUP])
        for start in range(0, len(names), LONG_GROUP)
    ]


def _reads_query(method: str, pattern: str) -> bool:
    """Web pages and feeds read their query on GET; the API and OAuth on every method; web
    forms refuse a POST without its CSRF token before reading anything."""
    return method == "GET" or pattern.startswith(("/api/", "/oauth/"))


class Walk:
    """Requests of one viewer, and the 5xx answers met. They go to the app as ASGI calls with
    the raw path and query, the way the server hands them over: httpx checks every character
    of a URL in Python, which made this walk of 64 KB queries last minutes."""

    def __init__(self, app: Starlette, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.signed_in = bool(headers)
        self.failures: list[str] = []
        self.count = 0
        self.answered = 0  # 2xx and 3xx: proof that the walk reaches the handlers

    async def status(self, method: str, url: str) -> int:
        path, _, query = url.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "server": ("testserver.localhost", 80),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
            "path": unquote(path),
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver.localhost"), *self.headers],
        }
        answer: list[int] = []
        sent_body, done = False, asyncio.Event()

        async def receive() -> Message:
            """An empty body, then, once the answer is complete (or a stream of events
            opened), the client leaves."""
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.append(message["status"])
                if (b"content-type", b"text/event-stream; charset=utf-8") in message["headers"]:
                    done.set()  # a stream opened, which is its answer; the client leaves
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        try:
            await self.app(scope, receive, send)
        except Exception as exc:  # what a server would answer with a 500
            answer.append(500)
            self.failures.append(f"{exc!r}")
        self.count += 1
        self.answered += answer[0] < 400
        if answer[0] >= 500:
            self.failures.append(f"{answer[0]} {method} {url[:200]}")
        return answer[0]

    async def route(self, method: str, pattern: str, values: dict[str, str]) -> None:
        """Each path parameter made odd in turn; then every parameter name given each odd
        query value at once, and given twice and as an array. A route that refuses the NUL
        byte reads its query, and its names also get 10 KB values, a few at a time (by the
        member, whose handlers read the most)."""
        for match in PARAM.finditer(pattern):
            typed = not UNTYPED.fullmatch(match.group(0))
            odds = [str(MAX_ID)] if typed and self.signed_in else PATH_ODD
            for odd in odds:
                await self.status(method, _fill(pattern, values, (match.group(1), odd)))
        if not _reads_query(method, pattern):
            return
        path, names = _fill(pattern, values), parameter_names()
        refused_nul = False
        for odd in QUERY_ODD:
            answer = await self.status(method, path + "?" + "&".join(f"{n}={odd}" for n in names))
            refused_nul = refused_nul or (odd == NUL and answer in (400, 422))
        await self.status(method, path + "?" + "&".join(f"{n}=1&{n}=2&{n}[]=3" for n in names))
        if refused_nul and self.signed_in:
            for query in _long_queries(names):
                await self.status(method, f"{path}?{query}")


async def test_no_route_answers_odd_input_with_a_server_error(app) -> None:  # type: ignore[no-untyped-def]
    values = await _world(app)
    oauth, _ = await register_app("fuzz", "urn:ietf:wg:oauth:2.0:oob", "read write follow", "")
    member = await Account.get(username="member")
    _, token, _ = await issue_token(oauth, member, "read write follow")
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.localhost") as c:
        await log_in(c, "member")
        cookie = "; ".join(f"{name}={value}" for name, value in c.cookies.items())
    member_headers = {"Cookie": cookie, "Authorization": f"Bearer {token}"}
    failures, count, answered = [], 0, []
    for headers in ({}, member_headers):
        walk = Walk(app, headers)
        for method, pattern in _routes(app):
            await walk.route(method, pattern, values)
        failures += walk.failures
        count += walk.count
        answered.append(walk.answered)
    assert 100 < answered[0] < answered[1]  # the member reaches more than a visitor
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.localhost", headers=member_headers
    ) as c:  # the walk did not sign the member out
        assert (await c.get("/settings")).status_code == 200
    assert count > 2000
    assert not failures, "\n".join(failures[:60])


def test_the_id_convertor_matches_exactly_the_ids_a_row_can_have() -> None:
    matches = re.compile(f"^{ID_PATTERN}$").match
    edges = [0, 1, 9, 10, 10**9 - 1, 10**9, 2 * 10**9, MAX_ID - 1, MAX_ID, MAX_ID + 1, 10**10]
    for number in [*edges, *range(MAX_ID - 1000, MAX_ID + 1000, 7), *range(0, 10**11, 99_991_117)]:
        assert bool(matches(str(number))) == (number <= MAX_ID), number
        assert record_id(str(number)) == (number if number <= MAX_ID else None)
    for text in ["", "-1", "1 ", "²", "١", "1e3", "9" * 5000]:
        assert not matches(text) and record_id(text) is None, text
    assert not matches("01")  # one path per row


async def test_the_reported_odd_requests_answer_4xx_with_a_reason(
    client: httpx.AsyncClient,
) -> None:
    member = await make_account("member")
    await create_twinning(member, "walk_t", TwinningInput(title={"fr": "Jumelage"}))
    finger = await client.get(
        f"/.well-known/webfinger?resource=acct:{'a' * 5000}@testserver.localhost"
    )
    assert finger.status_code == 400 and "resource" in finger.json()["error"]
    unknown = await client.get(
        f"/.well-known/webfinger?resource=acct:{'a' * 500}@testserver.localhost"
    )
    assert unknown.status_code == 404 and unknown.json()["error"]
    assert (await client.get("/t/walk_t/updates/99999999999999999999999")).status_code == 404
    status = await client.get("/api/v1/statuses/99999999999999999999999")
    assert status.status_code == 404 and status.json() == {"error": "Record not found"}
    nul = await client.get("/directory?q=a%00b")
    assert nul.status_code == 400 and "q: it may not contain a NUL character" in nul.text
    nul_id = await client.get("/api/v1/timelines/public?max_id=1%002")
    assert nul_id.status_code == 400 and "max_id" in nul_id.json()["error"]
    word = await client.get("/api/v1/timelines/public?max_id=" + "b" * 3000)
    assert (
        word.status_code == 422
        and word.json()["error"] == "Validation failed: max_id must be an id"
    )
    huge = await client.get("/api/v1/timelines/public?max_id=99999999999999999999999")
    assert huge.status_code == 200
