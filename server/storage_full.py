"""When the database cannot write for lack of space, every request that writes answers 503
with ``Retry-After`` and says so in the reader's language (JSON for apps and servers, a page
for browsers), and the log gets one line a minute instead of a traceback per request. Nothing
is kept in a broken state: once space is freed, the next write succeeds."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.storage_full import StorageFullLog, is_storage_full
from server import i18n
from server.web.render import render

log = logging.getLogger(__name__)
RETRY_AFTER = 60  # seconds


_log = StorageFullLog(log, "answering 503")


def _answer(request: Request) -> Response:
    message = i18n.gettext(
        "The server has run out of storage space and cannot save anything for now. "
        "Please try again in a few minutes."
    )
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if "text/html" in request.headers.get("accept", "") and not request.url.path.startswith(
        "/api/"
    ):
        page = render(
            request, "error.html", 503, title=i18n.gettext("Storage full"), detail=message
        )
        page.headers.update(headers)
        return page
    return JSONResponse({"error": message}, 503, headers=headers)


class StorageFull:
    """Turns a storage-full database error into the 503 (before Starlette's last-resort
    handler, which would answer 500 and log a traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started or not is_storage_full(exc):
                raise
            _log.report(exc)
            await _answer(Request(scope, receive))(scope, receive, send)
