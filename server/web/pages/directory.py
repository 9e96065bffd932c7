"""The directory: organisations and twinnings by field, country, language and phase, with text
search; the search also finds updates, through the visibility rule like every list."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.facets import count_by, owners_with
from models.organisations import Organisation
from models.pagination import paginate
from models.twinnings import Twinning
from models.visibility import visible_items
from server.web.forms import page_number
from server.web.render import render

FILTERS = ("field", "country", "language", "phase")
KINDS = ("twinnings", "organisations", "updates")


def _filters(request: Request) -> dict[str, str]:
    return {f: request.query_params.get(f, "").strip()[:40] for f in FILTERS}


async def directory(request: Request) -> Response:
    kind = request.query_params.get("kind", "twinnings")
    kind = kind if kind in KINDS else "twinnings"
    q = request.query_params.get("q", "").strip()[:100]
    filters = _filters(request)
    number = page_number(request)
    if kind == "updates":
        query = visible_items(getattr(request.state, "viewer", None)).filter(
            twinning_id__not_isnull=True
        )
        if q:
            query = query.filter(search_text__icontains=q.lower())
        page = await paginate(query.prefetch_related("twinning", "author"), number)
    else:
        model = Twinning if kind == "twinnings" else Organisation
        owner = "twinning" if kind == "twinnings" else "organisation"
        query = model.all()
        for facet, value in filters.items():
            if value:
                query = query.filter(id__in=owners_with(owner, facet, value))
        if q:
            query = query.filter(search_text__icontains=q.lower())
        page = await paginate(query.order_by("-created_at", "-id"), number)
    counts = {
        "field": await count_by("twinning", "field"),
        "country": await count_by("twinning", "country"),
    }
    return render(
        request,
        "directory.html",
        kind=kind,
        q=q,
        filters=filters,
        page=page,
        counts=counts,
    )


routes = [Route("/directory", directory)]
