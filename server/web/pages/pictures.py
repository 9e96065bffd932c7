"""Pictures of actors (``/pictures/<hash>.<ext>``): public, and named by the hash of their
bytes, so every cache may keep them for a year; and the reading of the forms that change them."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from models.errors import N_, Invalid
from models.pictures import picture_media_type, picture_path
from server.web.forms import read_form, text

IMMUTABLE = "public, max-age=31536000, immutable"


async def serve_picture(request: Request) -> Response:
    path = picture_path(request.app.state.settings.data_dir, request.path_params["name"])
    if path is None:
        raise HTTPException(404)
    media_type = picture_media_type(path.name)
    headers = {"Cache-Control": IMMUTABLE, "Content-Disposition": "inline"}
    return FileResponse(path, media_type=media_type, headers=headers)


async def picture_form(request: Request) -> bytes | None:
    """The picture sent by a picture form, or None when the form asks to take it away."""
    form = await read_form(request, upload=True)
    if text(form, "action") == "remove":
        return None
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid("file", N_("choose a picture first"))
    return await upload.read()


routes = [Route("/pictures/{name:media_name}", serve_picture)]
