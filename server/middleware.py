"""ASGI middleware: the client's address behind a trusted proxy, a bound on request bodies
(checked before anything parses them), the refusal of requests signed by blocked domains, and
the per-request viewer and language."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from federation.authorized_fetch import is_signed_by_blocked_domain
from models.config import IPNetwork
from models.notifications import unread_count
from server import i18n
from server.clients import forwarded_client
from server.web.session import load_viewer

MAX_BODY = 1024 * 1024
MAX_UPLOAD = 17 * 1024 * 1024  # a 16 MB document and its multipart envelope
UPLOAD_PATHS = ("/api/v1/media", "/api/v2/media", "/api/v1/accounts/update_credentials")
UPLOAD_PATTERN = re.compile(r"^/(t/[^/]+/(resources|picture)|o/[^/]+/logo|settings/avatar)$")
# Paths that never draw a page, so never show the header's notification count.
NO_PAGE_PREFIXES = (
    "/api/",
    "/static/",
    "/media/",
    "/pictures/",
    "/.well-known/",
    "/nodeinfo",
    "/oauth/token",
    "/manifest.webmanifest",
    "/favicon.ico",
)


class ForwardedClient:
    """Behind a trusted reverse proxy, the request's client becomes the one the proxy names
    in X-Forwarded-For. The scope is changed in place, as uvicorn's proxy-headers middleware
    does, because hypercorn writes its access log from the scope it handed over: rate
    limits, logs and metrics then all see the same address. Without trusted proxies nothing
    changes, and a client's own X-Forwarded-For is ignored."""

    def __init__(self, app: ASGIApp, trusted: tuple[IPNetwork, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted and scope["type"] in ("http", "websocket") and scope.get("client"):
            forwarded = [
                v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"
            ]
            peer = scope["client"][0]
            client = forwarded_client(peer, forwarded, self.trusted)
            if client != peer:
                scope["client"] = (client, 0)
        await self.app(scope, receive, send)


class BodyLimit:
    """413 for bodies over ``MAX_BODY`` (``MAX_UPLOAD`` on upload paths), whether announced by
    Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        uploads = path in UPLOAD_PATHS or UPLOAD_PATTERN.match(path)
        limit = MAX_UPLOAD if uploads else self.max_body
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > limit:
            await PlainTextResponse("Request body too large", 413)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except TooLarge:
            await PlainTextResponse("Request body too large", 413)(scope, receive, send)


class TooLarge(Exception):
    pass


CSP = b"default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP + b"; form-action 'self'"),
]
# The OAuth consent form redirects to the app's own address, which browsers check against
# form-action; that page alone goes without it.
OAUTH_HEADERS = [*SECURITY_HEADERS[:2], (b"content-security-policy", CSP)]


class SecurityHeaders:
    """Headers every response carries: no sniffing, no framing, no inline script, no leaking
    of private URLs in Referer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = OAUTH_HEADERS if scope["path"] == "/oauth/authorize" else SECURITY_HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class BlockedSigners:
    """403 for any request signed with a key of a blocked domain, on every route at once:
    objects, collections, actors, media and inboxes alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"signature" in dict(scope["headers"]):
            if await is_signed_by_blocked_domain(Request(scope).headers):
                response = PlainTextResponse("this domain is blocked here", 403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ViewerAndLanguage:
    """Loads the signed-in account and picks the language: the account's, then the switcher's
    cookie, then Accept-Language, then the instance default. For pages, it counts the
    viewer's unread notifications for the header's bell (as apps count them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        viewer = await load_viewer(request)
        request.state.viewer = viewer
        if (
            viewer is not None
            and viewer.is_active
            and not scope["path"].startswith(NO_PAGE_PREFIXES)
        ):
            request.state.bell = await unread_count(viewer)
        settings = request.app.state.settings
        lang = i18n.negotiate(
            [viewer.locale if viewer else None, request.cookies.get("lang")],
            request.headers.get("accept-language", ""),
            settings.default_locale,
        )
        i18n.set_locale(lang)
        await self.app(scope, receive, send)


class ApiTrailingSlash:
    """Mastodon (Rails) ignores a trailing slash on API paths and some clients send one
    (Mastodon.py asks for ``/api/v2/instance/``); the path is read without it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/") and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/"), "raw_path": path.rstrip("/").encode()}
        await self.app(scope, receive, send)
