"""The home page: what the instance is, the twinning method, and the latest public activity."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.errors import ModelError
from models.pages import edit_page, page_text
from models.twinnings import Twinning
from models.visibility import visible_items
from server.web.forms import error_text, langmap, read_form
from server.web.guards import redirect, require_admin
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
    return render(
        request, "home.html", twinnings=twinnings, updates=updates, method=await page_text("method")
    )


async def edit_method(request: Request) -> Response:
    """The admins' editor of the method text shown on the home page."""
    admin = require_admin(request)
    if request.method == "GET":
        return render(request, "method_form.html", values=await page_text("method"), error=None)
    form = await read_form(request)
    try:
        await edit_page(admin, "method", langmap(form, "method"))
    except ModelError as exc:
        values = langmap(form, "method")
        return render(request, "method_form.html", 400, values=values, error=error_text(exc))
    return redirect("/#method")


routes = [Route("/", home), Route("/method/edit", edit_method, methods=["GET", "POST"])]
