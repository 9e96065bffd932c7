"""The periodic publication of a twinning: what it published in the last week or month
(updates, discussions, resources) and its coming meetings, as a public page. It is public, so
it holds public items only, whoever reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.events import upcoming
from models.twinnings import Twinning
from models.visibility import visible_items
from server import i18n
from server.params import query_text
from server.web.guards import get_or_404
from server.web.render import render

PERIODS = {"week": timedelta(days=7), "month": timedelta(days=31)}
SECTIONS = ("update", "discussion", "resource")


async def digest(request: Request) -> Response:
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    period = query_text(request, "period", "month")
    if period not in PERIODS:
        raise HTTPException(400, i18n.gettext("The period is week or month."))
    until = datetime.now(UTC)
    since = until - PERIODS[period]
    published = (
        await visible_items(None)
        .filter(twinning=twinning, kind__in=SECTIONS, created_at__gte=since)
        .order_by("created_at", "id")
        .prefetch_related("author", "remote_author")
        .limit(200)
    )
    sections = {kind: [i for i in published if i.kind == kind] for kind in SECTIONS}
    meetings = await upcoming(None).filter(twinning=twinning).prefetch_related("event").limit(50)
    return render(
        request,
        "digest.html",
        twinning=twinning,
        period=period,
        since=since,
        until=until,
        sections=sections,
        meetings=meetings,
    )


routes = [Route("/t/{slug:handle}/digest", digest)]
