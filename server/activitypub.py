"""ActivityPub's HTTP edge: discovery documents and, on the pages of people, twinnings and
organisations, the actor JSON for clients that ask for it (content negotiation)."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federation import actors, collections, programmes
from federation.authorized_fetch import signing_actor
from federation.context import Federation
from federation.errors import FederationError
from federation.inbox import MAX_INBOX_BODY, InboundPost, receive
from federation.local import LocalTarget, local_target
from federation.nodeinfo import nodeinfo, nodeinfo_links
from federation.vocabulary import ACTIVITY_JSON, wants_activity_json
from federation.webfinger import host_meta, webfinger
from models.lookup import record_id
from models.programmes import Programme
from server.params import BadParameter, query_text


def wants_actor(request: Request) -> bool:
    return wants_activity_json(request.headers.get("accept", ""))


def activity_response(document: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False),
        status,
        media_type=ACTIVITY_JSON,
        headers={"Vary": "Accept"},
    )


def object_response(document: dict[str, Any], is_public: bool) -> Response:
    """An object's document: a public item's is the same for anyone who asks (shared caches
    may keep it); any other one was judged for its signer and is theirs alone."""
    response = activity_response(document)
    response.headers["Cache-Control"] = "public, max-age=180" if is_public else "private, no-store"
    return response


def _json(document: dict[str, Any], media_type: str = "application/json") -> Response:
    return JSONResponse(
        document, media_type=media_type, headers={"Access-Control-Allow-Origin": "*"}
    )


async def webfinger_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        document = await webfinger(settings, query_text(request, "resource"))
    except BadParameter as exc:
        return JSONResponse({"error": exc.detail}, exc.status_code)
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


INBOX_TYPES = ("application/activity+json", "application/ld+json", "application/json")


def federation_of(request: Request) -> Federation:
    return request.app.state.federation


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status)


async def inbox_endpoint(request: Request) -> Response:
    """Shared and per-actor inboxes: 202 once the activity is checked and stored."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_INBOX_BODY:
        return _error(413, "activity too large")
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in INBOX_TYPES:
        return _error(415, "send application/activity+json")
    body = await request.body()
    settings = request.app.state.settings
    url = settings.base_url + request.url.path
    try:
        stored = await receive(federation_of(request), InboundPost(url, request.headers, body))
    except FederationError as exc:
        return _error(exc.status, exc.message)
    return JSONResponse({"status": "accepted" if stored else "duplicate"}, 202)


async def _target(request: Request) -> LocalTarget:
    settings = request.app.state.settings
    prefix = request.url.path.split("/")[1]
    handle = request.path_params.get("handle") or request.path_params["slug"]
    uri = f"{settings.base_url}/{prefix}/{handle}"
    target = await local_target(settings, uri)
    if target is None:
        raise HTTPException(404)
    return target


async def outbox_endpoint(request: Request) -> Response:
    raw = request.query_params.get("page")
    page = record_id(raw) if raw is not None else None
    if raw is not None and (page is None or not 1 <= page <= 10_000):
        return _error(400, "page must be a whole number from 1 to 10000")
    settings = request.app.state.settings
    return activity_response(await collections.outbox(settings, await _target(request), page))


async def followers_endpoint(request: Request) -> Response:
    return activity_response(await collections.followers(await _target(request)))


async def following_endpoint(request: Request) -> Response:
    return activity_response(await collections.following(await _target(request)))


async def members_collection(request: Request) -> Response:
    """The members collection of a twinning (its HTML page shares the address)."""
    settings = request.app.state.settings
    url = settings.base_url + request.url.path
    signer = await signing_actor(federation_of(request), url, request.headers)
    document = await collections.members(settings, await _target(request), signer)
    response = activity_response(document)
    if "orderedItems" in document:
        response.headers["Cache-Control"] = "private, no-store"
    return response


async def programme_collection(request: Request) -> Response:
    """A programme's outbox (the ``Add`` of each twinning) or featured collection."""
    target = await _target(request)
    programme = await Programme.get(id=target.actor_id)
    settings = request.app.state.settings
    if request.url.path.endswith("/featured"):
        return activity_response(await programmes.featured(settings, programme))
    return activity_response(await programmes.outbox(settings, programme))


def _collection_routes() -> list[Route]:
    routes = []
    for prefix in ("u", "t", "o"):
        routes += [
            Route(f"/{prefix}/{{handle:handle}}/outbox", outbox_endpoint),
            Route(f"/{prefix}/{{handle:handle}}/followers", followers_endpoint),
            Route(f"/{prefix}/{{handle:handle}}/following", following_endpoint),
        ]
    routes += [
        Route("/p/{handle:handle}/outbox", programme_collection),
        Route("/p/{handle:handle}/featured", programme_collection),
        Route("/p/{handle:handle}/followers", followers_endpoint),
        Route("/p/{handle:handle}/following", following_endpoint),
    ]
    return routes


routes = [
    *_collection_routes(),
    Route("/inbox", inbox_endpoint, methods=["POST"]),
    Route("/actor/inbox", inbox_endpoint, methods=["POST"]),
    Route("/u/{handle:handle}/inbox", inbox_endpoint, methods=["POST"]),
    Route("/t/{handle:handle}/inbox", inbox_endpoint, methods=["POST"]),
    Route("/o/{handle:handle}/inbox", inbox_endpoint, methods=["POST"]),
    Route("/p/{handle:handle}/inbox", inbox_endpoint, methods=["POST"]),
    Route("/.well-known/webfinger", webfinger_endpoint),
    Route("/.well-known/host-meta", host_meta_endpoint),
    Route("/.well-known/nodeinfo", nodeinfo_links_endpoint),
    Route("/nodeinfo/2.1", nodeinfo_endpoint),
    Route("/actor", instance_actor_endpoint),
]
