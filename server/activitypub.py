"""ActivityPub's HTTP edge: discovery documents and, on the pages of people, twinnings and
organisations, the actor JSON for clients that ask for it (content negotiation)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federation import actors
from federation.errors import FederationError
from federation.nodeinfo import nodeinfo, nodeinfo_links
from federation.vocabulary import ACTIVITY_JSON, wants_activity_json
from federation.webfinger import host_meta, webfinger


def wants_actor(request: Request) -> bool:
    return wants_activity_json(request.headers.get("accept", ""))


def activity_response(document: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False),
        status,
        media_type=ACTIVITY_JSON,
        headers={"Vary": "Accept"},
    )


def _json(document: dict[str, Any], media_type: str = "application/json") -> Response:
    return JSONResponse(
        document, media_type=media_type, headers={"Access-Control-Allow-Origin": "*"}
    )


async def webfinger_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        document = await webfinger(settings, request.query_params.get("resource", ""))
    except FederationError as exc:
        return JSONResponse({"error": exc.message}, exc.status)
    return _json(document, "application/jrd+json")


async def host_meta_endpoint(request: Request) -> Response:
    return Response(
        host_meta(request.app.state.settings),
        media_type="application/xrd+xml",
        headers={"Access-Control-Allow-Origin": "*"},
    )


async def nodeinfo_links_endpoint(request: Request) -> Response:
    return _json(nodeinfo_links(request.app.state.settings))


async def nodeinfo_endpoint(request: Request) -> Response:
    schema = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
    return _json(await nodeinfo(request.app.state.settings), schema)


async def instance_actor_endpoint(request: Request) -> Response:
    return activity_response(await actors.instance_actor_document(request.app.state.settings))


routes = [
    Route("/.well-known/webfinger", webfinger_endpoint),
    Route("/.well-known/host-meta", host_meta_endpoint),
    Route("/.well-known/nodeinfo", nodeinfo_links_endpoint),
    Route("/nodeinfo/2.1", nodeinfo_endpoint),
    Route("/actor", instance_actor_endpoint),
]
