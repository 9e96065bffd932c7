"""Every route of the client API, and a JSON 404 for any other ``/api/`` path."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api import (
    accounts,
    blocks,
    filter_keywords,
    filters,
    instance,
    media,
    notifications,
    oauth,
    polls,
    push,
    reports,
    scheduled,
    search,
    statuses,
    streaming,
    timelines,
    translation,
)
from server.api.core import error_response


async def unknown(request: Request) -> Response:
    return error_response(404, "Record not found")


METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
routes = [
    *oauth.routes,
    *instance.routes,
    *accounts.routes,
    *blocks.routes,
    *filters.routes,
    *filter_keywords.routes,
    *statuses.routes,
    *polls.routes,
    *translation.routes,
    *timelines.routes,
    *notifications.routes,
    *search.routes,
    *media.routes,
    *reports.routes,
    *scheduled.routes,
    *push.routes,
    *streaming.routes,
    Route("/api/{rest:path}", unknown, methods=METHODS),
]
