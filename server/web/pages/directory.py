"""The directory: organisations and twinnings by field, country, language and phase, with text
search; the search also finds updates, through the visibility rule like every list."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.content import ContentItem
from models.facets import count_by, owners_with
from models.organisations import Organisation
from models.pagination import Page, paginate
from models.remote import RemoteActor
from models.twinnings import Twinning
from models.visibility import visible_items
from server.params import query_text
from server.web.forms import page_number
from server.web.guards import viewer_of
from server.web.render import render

FILTERS = ("field", "country", "language", "phase")
KINDS = ("twinnings", "organisations", "updates", "remote")


def _filters(request: Request) -> dict[str, str]:
    return {f: query_text(request, f).strip()[:40] for f in FILTERS}


async def _updates(request: Request, q: str, number: int) -> Page[ContentItem]:
    """Updates found by text, through the visibility rule."""
    query = visible_items(viewer_of(request)).filter(twinning_id__not_isnull=True)
    if q:
        query = query.filter(search_text__icontains=q.lower())
    return await paginate(query.prefetch_related("twinning", "author", "remote_author"), number)


async def _remote_twinnings(q: str, number: int) -> Page[RemoteActor]:
    """Twinnings (and other groups) of other servers this one knows of."""
    query = RemoteActor.filter(actor_type="Group")
    if q:
        query = query.filter(Q(name__icontains=q) | Q(handle__icontains=q) | Q(domain__icontains=q))
    return await paginate(query.order_by("name", "id"), number)


async def _actors(
    model: type[Twinning] | type[Organisation], filters: dict[str, str], q: str, number: int
) -> Page[Any]:
    owner = "twinning" if model is Twinning else "organisation"
    query: QuerySet[Any] = model.all()
    for facet, value in filters.items():
        if value:
            query = query.filter(id__in=owners_with(owner, facet, value))
    if q:
        query = query.filter(search_text__icontains=q.lower())
    return await paginate(query.order_by("-created_at", "-id"), number)


async def directory(request: Request) -> Response:
    kind = query_text(request, "kind", "twinnings")
    kind = kind if kind in KINDS else "twinnings"
    q = query_text(request, "q", "").strip()[:100]
    filters = _filters(request)
    number = page_number(request)
    page: Page[Any]
    if kind == "updates":
        page = await _updates(request, q, number)
    elif kind == "remote":
        page = await _remote_twinnings(q, number)
    else:
        model = Twinning if kind == "twinnings" else Organisation
        page = await _actors(model, filters, q, number)
    counts = {
        "field": await count_by("twinning", "field"),
        "country": await count_by("twinning", "country"),
    }
    largest = max([1, *counts["field"].values(), *counts["country"].values()])
    return render(
        request,
        "directory.html",
        kind=kind,
        q=q,
        filters=filters,
        page=page,
        counts=counts,
        largest=largest,
    )


routes = [Route("/directory", directory)]
