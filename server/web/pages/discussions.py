"""Starting a discussion in a twinning. Reading one is the item page (its answers are the
thread's replies), which also marks it read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.discussions import start_discussion
from models.errors import ModelError
from models.twinnings import Twinning
from server.web.forms import langmap, read_form, text
from server.web.guards import get_or_404, redirect, require_viewer
from server.web.pages.twinning_tabs import refused_form


async def start(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    form = await read_form(request)
    title, content = langmap(form, "subject"), langmap(form, "message")
    try:
        item = await start_discussion(
            viewer, twinning, text(form, "visibility"), title, content, text(form, "language")
        )
    except ModelError as exc:
        values = {"subject": title, "message": content, "visibility": text(form, "visibility")}
        return await refused_form(request, twinning, "discussions", exc, values)
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


routes = [Route("/t/{slug:handle}/discussions", start, methods=["POST"])]
