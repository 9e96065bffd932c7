"""The home page: what the instance is, the twinning method, and the latest public activity."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.twinnings import Twinning
from models.visibility import visible_items
from server.web.render import render


async def home(request: Request) -> Response:
    viewer = getattr(request.state, "viewer", None)
    twinnings = await Twinning.all().order_by("-created_at").limit(6)
    updates = (
        await visible_items(viewer)
        .filter(twinning_id__not_isnull=True)
        .prefetch_related("twinning", "author", "remote_author")
        .limit(8)
    )
    return render(request, "home.html", twinnings=twinnings, updates=updates)


routes = [Route("/", home)]
