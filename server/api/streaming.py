"""Mastodon's streaming API: server-sent events at ``/api/v1/streaming/<stream>`` and one
WebSocket at ``/api/v1/streaming`` carrying any number of streams (``?stream=`` and
``{"type": "subscribe", ...}`` messages), as apps such as Elk, Phanpy and Mastodon.py use.

Every connection needs a person's token, given once: the ``Authorization`` header, the
``access_token`` query parameter or (WebSocket) ``Sec-WebSocket-Protocol`` (RFC 6750 forbids
more than one, so two are refused). The token's scopes must cover the stream; the token and
the person are checked again before each event is drawn, so a revoked token or a suspended
person stops hearing anything. What each event says is decided for each subscriber when it is
sent (``server.api.stream_render``). A server-sent stream sends ``:thump`` every
``HEARTBEAT`` seconds, as Mastodon does, so proxies and apps know it is alive."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from models.accounts import Account
from models.config import Settings
from models.oauth import OAuthToken, covers, token_of
from server.api.core import bearer_of, error_response
from server.api.stream_render import (
    PUBLIC_STREAMS,
    SCOPES,
    Stream,
    StreamRefused,
    render,
    stream_for,
)
from server.streams import Hub, Subscriber, TooManyConnections

log = logging.getLogger(__name__)
HEARTBEAT = 15.0
Drawn = tuple[Stream, str, str]


def hub_of(app: Any) -> Hub:
    """One hub per application (a test may run several apps in one process)."""
    hub = getattr(app.state, "stream_hub", None)
    if hub is None:
        hub = app.state.stream_hub = Hub()
    return hub


async def person_of(
    header: str | None, query_token: str | None, protocol: str | None
) -> tuple[OAuthToken, Account]:
    given = [t.strip() for t in (header, query_token, protocol) if t and t.strip()]
    if len(given) > 1:
        raise StreamRefused(400, "Give the access token one way only")
    if not given:
        raise StreamRefused(401, "Missing access token")
    token = await token_of(given[0])
    if token is None or token.account_id is None:
        raise StreamRefused(401, "Invalid access token")
    account = token.account
    if account is None or not account.is_active:
        raise StreamRefused(401, "Your login is currently disabled")
    return token, account


def check_scope(token: OAuthToken, stream: Stream) -> None:
    if not covers(token.scope_set, SCOPES.get(stream.name, "read:statuses")):
        raise StreamRefused(403, "Access token does not have the required scopes")


async def still_allowed(token_id: int, account_id: int) -> Account | None:
    if not await OAuthToken.filter(id=token_id).exists():
        return None
    account = await Account.get_or_none(id=account_id)
    return account if account is not None and account.is_active else None


async def drawn_events(
    settings: Settings,
    token: OAuthToken,
    subscriber: Subscriber,
    streams: Callable[[], list[Stream]],
) -> AsyncIterator[Drawn | None]:
    """Each event as drawn for the subscriber, stream by stream; None when it is time for a
    heartbeat. Ends when the subscriber was dropped or may no longer listen."""
    assert token.account_id is not None
    while True:
        event = await subscriber.next_event(HEARTBEAT)
        if subscriber.dropped.is_set():
            return
        if event is None:
            yield None
            continue
        viewer = await still_allowed(token.id, token.account_id)
        if viewer is None:
            return
        for stream in streams():
            try:
                drawn = await render(settings, viewer, stream, event)
            except Exception:
                log.exception("could not draw a %s event for a stream", event.kind)
                continue
            if drawn is not None:
                yield stream, *drawn


class EventStream:
    """A ``text/event-stream`` answer that leaves the hub however it ends (the client gone,
    dropped for being slow, or the token revoked)."""

    def __init__(self, lines: AsyncIterator[str], on_close: Callable[[], Awaitable[None]]) -> None:
        self.lines = lines
        self.on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/event-stream; charset=utf-8"),
                        (b"cache-control", b"private, no-store"),
                        (b"x-accel-buffering", b"no"),
                    ],
                }
            )
            async with anyio.create_task_group() as group:
                group.start_soon(_cancel_on_disconnect, receive, group.cancel_scope)
                async for line in self.lines:
                    await send(
                        {"type": "http.response.body", "body": line.encode(), "more_body": True}
                    )
                group.cancel_scope.cancel()
            with contextlib.suppress(OSError):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            with anyio.CancelScope(shield=True):
                await self.on_close()


async def _cancel_on_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


async def _sse_lines(events: AsyncIterator[Drawn | None]) -> AsyncIterator[str]:
    yield ":)\n\n"
    async for drawn in events:
        if drawn is None:
            yield ":thump\n\n"
            continue
        _, event, payload = drawn
        yield f"event: {event}\ndata: {payload}\n\n"


def server_sent(name: str) -> Callable[[Request], Awaitable[Response]]:
    async def stream(request: Request) -> Response:
        settings = request.app.state.settings
        hub = hub_of(request.app)
        query = request.query_params
        try:
            given = request.query_params.get("access_token")
            token, account = await person_of(bearer_of(request), given, None)
            media = name in PUBLIC_STREAMS and query.get("only_media") in ("true", "1")
            chosen = await stream_for(
                f"{name}:media" if media else name,
                request.query_params.get("tag") or "",
                request.query_params.get("list") or "",
                account,
            )
            check_scope(token, chosen)
            subscriber = await hub.join(settings, token.id)
        except StreamRefused as exc:
            return error_response(exc.status, exc.message)
        except TooManyConnections:
            return error_response(429, "Too many streaming connections for this access token")
        events = drawn_events(settings, token, subscriber, lambda: [chosen])
        return EventStream(_sse_lines(events), lambda: hub.leave(subscriber))  # type: ignore[return-value]

    stream.__name__ = f"stream_{name.replace(':', '_')}"
    return stream


async def health(request: Request) -> Response:
    return PlainTextResponse("OK")


async def _refuse(socket: WebSocket, status: int, text: str) -> None:
    """An HTTP answer instead of the upgrade, where the server can give one (hypercorn can);
    else a policy close, which the server turns into a 403."""
    if "websocket.http.response" in socket.scope.get("extensions", {}):
        await socket.send_denial_response(error_response(status, text))
    else:
        await socket.close(code=1008, reason=text)


async def _asked_stream(data: dict[str, Any], account: Account, token: OAuthToken) -> Stream:
    name, tag, number = data.get("stream"), data.get("tag"), data.get("list")
    if not isinstance(name, str):
        raise StreamRefused(400, "Unknown stream type")
    chosen = await stream_for(
        name,
        tag if isinstance(tag, str) else "",
        str(number) if isinstance(number, str | int) else "",
        account,
    )
    check_scope(token, chosen)
    return chosen


async def websocket(socket: WebSocket) -> None:
    """Streams come and go by ``subscribe`` and ``unsubscribe`` messages; an odd message
    is answered with Mastodon's ``{"error": ..., "status": 400}`` and the connection stays."""
    settings = socket.app.state.settings
    hub = hub_of(socket.app)
    protocol = socket.headers.get("sec-websocket-protocol")
    query = socket.query_params
    streams: list[Stream] = []
    try:
        header = socket.headers.get("authorization", "")
        bearer = header[7:] if header[:7].lower() == "bearer " else None
        token, account = await person_of(bearer, query.get("access_token"), protocol)
        if query.get("stream"):
            streams.append(await _asked_stream(dict(query), account, token))
        subscriber = await hub.join(settings, token.id)
    except StreamRefused as exc:
        return await _refuse(socket, exc.status, exc.message)
    except TooManyConnections:
        return await _refuse(socket, 429, "Too many streaming connections for this access token")
    try:
        await socket.accept(subprotocol=protocol.strip() if protocol else None)
        async with anyio.create_task_group() as group:
            group.start_soon(_read_messages, socket, account, token, streams, group.cancel_scope)
            async for drawn in drawn_events(settings, token, subscriber, lambda: list(streams)):
                if drawn is not None:
                    stream, event, payload = drawn
                    text = {"stream": stream.label(), "event": event, "payload": payload}
                    await socket.send_text(json.dumps(text, ensure_ascii=False))
            group.cancel_scope.cancel()
        with contextlib.suppress(RuntimeError, OSError):
            await socket.close()
    except (WebSocketDisconnect, OSError):
        pass
    finally:
        with anyio.CancelScope(shield=True):
            await hub.leave(subscriber)


async def _read_messages(
    socket: WebSocket,
    account: Account,
    token: OAuthToken,
    streams: list[Stream],
    done: anyio.CancelScope,
) -> None:
    try:
        while True:
            text = await socket.receive_text()
            try:
                await _obey(text, account, token, streams)
            except StreamRefused as exc:
                await socket.send_text(json.dumps({"error": exc.message, "status": exc.status}))
    except (WebSocketDisconnect, KeyError, RuntimeError):
        done.cancel()


async def _obey(text: str, account: Account, token: OAuthToken, streams: list[Stream]) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        raise StreamRefused(400, "Could not parse the message as JSON") from None
    if not isinstance(data, dict) or data.get("type") not in ("subscribe", "unsubscribe"):
        raise StreamRefused(400, "Unknown message type")
    chosen = await _asked_stream(data, account, token)
    if data["type"] == "subscribe" and chosen not in streams:
        streams.append(chosen)
    elif data["type"] == "unsubscribe" and chosen in streams:
        streams.remove(chosen)


S = "/api/v1/streaming"
routes = [
    Route(f"{S}/health", health),
    Route(f"{S}/user", server_sent("user")),
    Route(f"{S}/user/notification", server_sent("user:notification")),
    Route(f"{S}/public", server_sent("public")),
    Route(f"{S}/public/local", server_sent("public:local")),
    Route(f"{S}/public/remote", server_sent("public:remote")),
    Route(f"{S}/hashtag", server_sent("hashtag")),
    Route(f"{S}/hashtag/local", server_sent("hashtag:local")),
    Route(f"{S}/list", server_sent("list")),
    Route(f"{S}/direct", server_sent("direct")),
    WebSocketRoute(S, websocket),
]
