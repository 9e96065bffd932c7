"""Pictures of actors (``/pictures/<hash>.<ext>``): public, and named by the hash of their
bytes, so every cache may keep them for a year; and the reading of the forms that change them."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.errors import N_, Invalid
from models.pictures import picture_key, picture_media_type
from server.stored_files import stored_file
from server.web.forms import read_form, text

IMMUTABLE = "public, max-age=31536000, immutable"


async def serve_picture(request: Request) -> Response:
    name = request.path_params["name"]
    key = picture_key(name)
    if key is None:
        raise HTTPException(404)
    headers = {"Cache-Control": IMMUTABLE, "Content-Disposition": "inline"}
    data_dir = request.app.state.settings.data_dir
    return await stored_file(data_dir, key, picture_media_type(name), headers)


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
