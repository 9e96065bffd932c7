"""A small reverse proxy for tests, doing what nginx's ``proxy_pass`` with
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`` does: it passes each request
on with the client's Host header, appends the client's address to X-Forwarded-For (after
whatever the client sent), says ``X-Forwarded-Proto: https`` as a TLS front would, and
connects to the server from an address of its own, so the server can tell it apart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

# Headers about one connection, not the request (RFC 9110, 7.6.1); aiohttp sets its own.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}


def _request_headers(request: web.Request) -> CIMultiDict[str]:
    headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP)
    sent = ", ".join(headers.getall("X-Forwarded-For", []))
    headers.popall("X-Forwarded-For", None)
    headers["X-Forwarded-For"] = f"{sent}, {request.remote}" if sent else str(request.remote)
    headers["X-Forwarded-Proto"] = "https"
    return headers


def _handler(upstream: str, session: list[aiohttp.ClientSession]) -> web.Handler:
    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        async with session[0].request(
            request.method,
            upstream + request.rel_url.raw_path_qs,
            headers=_request_headers(request),
            data=body or None,
            allow_redirects=False,
        ) as answer:
            content = await answer.read()
            headers = CIMultiDict(
                (k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP
            )
            return web.Response(status=answer.status, headers=headers, body=content)

    return forward


@contextmanager
def reverse_proxy(upstream: str, listen: str, source: str) -> Iterator[str]:
    """Serves on ``listen`` (a loopback address) in a thread of its own, passing requests to
    ``upstream`` from the address ``source``; yields the proxy's base URL."""
    loop = asyncio.new_event_loop()
    session: list[aiohttp.ClientSession] = []
    runner: list[web.AppRunner] = []
    port: list[int] = []
    ready = threading.Event()

    async def start() -> None:
        connector = aiohttp.TCPConnector(local_addr=(source, 0))
        session.append(
            aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),  # each client keeps its own cookies
            )
        )
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", _handler(upstream.rstrip("/"), session))
        runner.append(web.AppRunner(app, access_log=None))
        await runner[0].setup()
        site = web.TCPSite(runner[0], listen, 0)
        await site.start()
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(30)
    try:
        yield f"http://{listen}:{port[0]}"
    finally:

        async def stop() -> None:
            await runner[0].cleanup()
            await session[0].close()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
