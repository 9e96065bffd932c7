"""Media uploads (``/api/v2/media``) and the files themselves (``/media/<name>``), which are
served only to whoever may see the item they are attached to: read from the node's store and
sent through this route after that check, never by a link into the bucket (see
``models.media_store``)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q

from federation.authorized_fetch import signing_actor
from models.content import ContentItem
from models.media import MAX_DESCRIPTION, MediaFile, media_key, store_media
from models.visibility import may_remote_actor_view, may_view
from server.activitypub import federation_of
from server.api.core import ApiError, Call, authenticate, endpoint, not_found
from server.api.entities import Viewing, media_entity
from server.stored_files import stored_file
from server.web.guards import viewer_of

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MEDIA_TYPES = (*IMAGE_TYPES, "application/pdf")


def _view(call: Call) -> Viewing:
    return Viewing(call.settings, call.account, call.user.locale or "en")


@endpoint("write:media")
async def upload(call: Call) -> Any:
    form = call.params.form
    file = form.get("file") if form is not None else None
    if not isinstance(file, UploadFile):
        raise ApiError(422, "Validation failed: file is missing (send it as multipart form data)")
    content = await file.read()
    media = await store_media(
        call.user, call.settings.data_dir, content, call.params.text("description")
    )
    return media_entity(_view(call), media)


async def _own(call: Call) -> MediaFile:
    number = call.request.path_params["media_id"]
    media = await MediaFile.get_or_none(id=number, account=call.user)
    if media is None:
        raise not_found()
    return media


@endpoint("read:statuses")
async def get_media(call: Call) -> Any:
    return media_entity(_view(call), await _own(call))


@endpoint("write:media")
async def update_media(call: Call) -> Any:
    media = await _own(call)
    if call.params.has("description"):
        description = call.params.text("description")
        if len(description) > MAX_DESCRIPTION:
            raise ApiError(422, f"Validation failed: description is over {MAX_DESCRIPTION}")
        media.description = description.strip()
        await media.save(update_fields=["description"])
    return media_entity(_view(call), media)


async def _may_fetch(request: Request, media: MediaFile) -> bool:
    """A file not yet attached: its uploader. An attached one: whoever may see its item (by
    session, API token or, for another server, a signed fetch by a member), the uploader
    included only as long as they may (someone who left a twinning loses its files too)."""
    viewer = viewer_of(request)
    if viewer is None and request.headers.get("authorization"):
        try:
            _, viewer = await authenticate(request)
        except ApiError:
            return False
    if media.item_id is None:
        return viewer is not None and viewer.id == media.account_id
    item = await ContentItem.get(id=media.item_id)
    if await may_view(viewer, item):
        return True
    url = request.app.state.settings.base_url + request.url.path
    signer = await signing_actor(federation_of(request), url, request.headers)
    return signer is not None and await may_remote_actor_view(signer, item)


async def serve_file(request: Request) -> Response:
    """A file, or a picture's thumbnail, to whoever may fetch the file."""
    name = request.path_params["name"]
    media = await MediaFile.get_or_none(Q(name=name) | Q(preview_name=name))
    if media is None or not await _may_fetch(request, media):
        raise HTTPException(404)
    media_type = media.media_type
    if name != media.name:
        media_type = "image/png" if name.endswith(".png") else "image/jpeg"
    headers = {"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"}
    if media.kind != "image":
        headers["Content-Disposition"] = "attachment"
    data_dir = request.app.state.settings.data_dir
    return await stored_file(data_dir, media_key(name), media_type, headers)


routes = [
    Route("/api/v1/media", upload, methods=["POST"]),
    Route("/api/v2/media", upload, methods=["POST"]),
    Route("/api/v1/media/{media_id:id}", get_media),
    Route("/api/v1/media/{media_id:id}", update_media, methods=["PUT"]),
    Route("/media/{name:media_name}", serve_file),
]
