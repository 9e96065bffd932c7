"""The directory: organisations and twinnings by field, country, language and phase, with text
search; the search also finds updates, through the visibility rule like every list.

Results come first, with how many were found; the counts per field and country follow as a
table whose bars are drawn by CSS, so the chart is readable on a phone and by a screen reader,
and its links are ordinary links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.facets import count_by, country_code, owners_with
from models.listing import listed
from models.organisations import Organisation
from models.pagination import Page, paginate
from models.remote import RemoteActor
from models.twinnings import Twinning, TwinningPartner
from models.visibility import visible_items
from server import i18n
from server.params import query_text
from server.web.forms import page_number
from server.web.guards import viewer_of
from server.web.render import render

FILTERS = ("field", "country", "language", "phase")
KINDS = ("twinnings", "organisations", "updates", "remote")


@dataclass
class Found:
    """One page of results and how many there are in all."""

    page: Page[Any]
    total: int


def _filters(request: Request) -> dict[str, str]:
    """The chosen facets; a country may be typed as a code or a name, in any case."""
    chosen = {f: query_text(request, f).strip()[:40] for f in FILTERS}
    if chosen["country"]:
        chosen["country"] = country_code(chosen["country"]) or chosen["country"]
    return chosen


async def _found(query: QuerySet[Any], number: int) -> Found:
    return Found(await paginate(query, number), await query.count())


async def _updates(request: Request, q: str, number: int) -> Found:
    """Updates found by text, through the visibility rule."""
    viewer = viewer_of(request)
    query = listed(visible_items(viewer), viewer).filter(twinning_id__not_isnull=True)
    if q:
        query = query.filter(search_text__icontains=q.lower())
    return await _found(query.prefetch_related("twinning", "author", "remote_author"), number)


async def _remote_twinnings(q: str, number: int) -> Found:
    """Twinnings (and other groups) of other servers this one knows of."""
    query = RemoteActor.filter(actor_type="Group")
    if q:
        query = query.filter(Q(name__icontains=q) | Q(handle__icontains=q) | Q(domain__icontains=q))
    return await _found(query.order_by("name", "id"), number)


async def _actors(
    model: type[Twinning] | type[Organisation], filters: dict[str, str], q: str, number: int
) -> Found:
    owner = "twinning" if model is Twinning else "organisation"
    query: QuerySet[Any] = model.all()
    for facet, value in filters.items():
        if value:
            query = query.filter(id__in=owners_with(owner, facet, value))
    if q:
        query = query.filter(search_text__icontains=q.lower())
    return await _found(query.order_by("-created_at", "-id"), number)


async def _partners_of(twinnings: list[Twinning]) -> dict[int, list[Organisation]]:
    """The partner organisations of each listed twinning, in one query."""
    rows = await TwinningPartner.filter(twinning_id__in=[t.id for t in twinnings]).prefetch_related(
        "organisation"
    )
    partners: dict[int, list[Organisation]] = {}
    for row in rows:
        partners.setdefault(row.twinning_id, []).append(row.organisation)  # type: ignore[attr-defined]
    return partners


async def _country_choices(chosen: str) -> list[tuple[str, str]]:
    """The countries someone in the directory is from (and the chosen one), by name in the
    reader's language, in that language's order."""
    codes = {*await count_by("twinning", "country"), *await count_by("organisation", "country")}
    if chosen and country_code(chosen):
        codes.add(chosen)
    return [(code, i18n.country_name(code)) for code in _by_name(codes)]


def _by_name(codes: set[str]) -> list[str]:
    """Country codes in the order of their names in the reader's language."""
    return sorted(codes, key=lambda code: i18n.sort_key(i18n.country_name(code)))


async def _search(request: Request, kind: str, q: str, filters: dict[str, str]) -> Found:
    number = page_number(request)
    if kind == "updates":
        return await _updates(request, q, number)
    if kind == "remote":
        return await _remote_twinnings(q, number)
    model = Twinning if kind == "twinnings" else Organisation
    return await _actors(model, filters, q, number)


async def directory(request: Request) -> Response:
    kind = query_text(request, "kind", "twinnings")
    kind = kind if kind in KINDS else "twinnings"
    q = query_text(request, "q", "").strip()[:100]
    filters = _filters(request)
    found = await _search(request, kind, q, filters)
    counts = {
        "field": await count_by("twinning", "field"),
        "country": await count_by("twinning", "country"),
    }
    largest = max([1, *counts["field"].values(), *counts["country"].values()])
    partners = await _partners_of(found.page.items) if kind == "twinnings" else {}
    countries_of = {
        t.id: _by_name({*t.countries, *(o.country for o in partners.get(t.id, []))})
        for t in (found.page.items if kind == "twinnings" else [])
    }
    return render(
        request,
        "directory.html",
        kind=kind,
        q=q,
        filters=filters,
        unknown_country=bool(filters["country"]) and country_code(filters["country"]) is None,
        countries=await _country_choices(filters["country"]),
        page=found.page,
        total=found.total,
        partners=partners,
        countries_of=countries_of,
        counts=counts,
        country_counts=[(c, counts["country"][c]) for c in _by_name(set(counts["country"]))],
        largest=largest,
    )


routes = [Route("/directory", directory)]
