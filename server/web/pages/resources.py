"""The resource centre: adding a document or a link to a twinning, and the instance-wide list
of resources with filters. Showing one is the item page; its file is served by ``/media``."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.errors import ModelError
from models.pagination import paginate
from models.resources import RESOURCE_KINDS, ResourceInput, add_resource, resources
from models.twinnings import Twinning
from server.params import query_text
from server.web.forms import langmap, page_number, read_form, text, texts
from server.web.guards import get_or_404, redirect, require_viewer, viewer_of
from server.web.pages.twinning_tabs import refused_form
from server.web.render import render

FIELDS = ("url", "authors", "year", "publisher", "language", "licence", "folder")


def resource_input(form: FormData) -> ResourceInput:
    return ResourceInput(
        title=langmap(form, "resource_title"),
        description=langmap(form, "resource_description"),
        resource_kind=text(form, "resource_kind"),
        fields_of_action=texts(form, "resource_fields"),
        visibility=text(form, "visibility"),
        **{name: text(form, name) for name in FIELDS},
    )


async def add(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    form = await read_form(request, upload=True)
    data = resource_input(form)
    upload = form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    try:
        item = await add_resource(
            viewer, twinning, data, request.app.state.settings.data_dir, content
        )
    except ModelError as exc:
        values: dict[str, object] = {name: text(form, name) for name in FIELDS}
        values |= {"resource_kind": data.resource_kind, "visibility": data.visibility}
        values |= {"resource_title": data.title, "resource_description": data.description}
        values |= {"resource_fields": data.fields_of_action}
        # A browser never lets a page fill a file input: the form names the file to choose again.
        values["lost_file"] = upload.filename if isinstance(upload, UploadFile) else ""
        return await refused_form(request, twinning, "resources", exc, values)
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


async def centre(request: Request) -> Response:
    """Resources across twinnings: public ones for everyone, partner-only ones for members."""
    filters = {name: query_text(request, name) for name in ("kind", "field", "language", "q")}
    query = resources(
        viewer_of(request),
        filters["kind"],
        filters["field"],
        filters["language"],
        filters["q"],
    ).prefetch_related("twinning", "resource", "author", "remote_author")
    page = await paginate(query, page_number(request))
    return render(request, "resources.html", page=page, kinds=RESOURCE_KINDS, filters=filters)


routes = [
    Route("/t/{slug:handle}/resources", add, methods=["POST"]),
    Route("/resources", centre),
]
