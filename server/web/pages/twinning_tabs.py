"""A twinning as a place with tabs: Feed, Discussions, Meetings, Resources, Members and About,
each at its own address, so links, the back button and pagination work without script.

Every tab shares one frame (the twinning's name, the viewer's place in it, the tabs with their
counts). Counts go through the visibility rule like the lists do, so a non-member's count never
reveals a partner-only item. A form refused on a tab renders that same tab again, at the tab's
own address (the forms post there), with its lists and what was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.actors import twinning_document
from models.accounts import Account
from models.discussions import threads
from models.errors import ModelError
from models.events import upcoming
from models.listing import listed
from models.pagination import paginate
from models.phases import history as phase_history
from models.phases import next_phase
from models.remote import RemoteMembership
from models.resources import RESOURCE_KINDS, resources
from models.seen import mark_seen
from models.storage_full import is_storage_full
from models.twinnings import Membership, Twinning, TwinningPartner, membership_of
from models.visibility import visible_items
from server.activitypub import activity_response, wants_actor
from server.web.calendars import calendar_path
from server.web.forms import error_text, page_number
from server.web.guards import get_or_404, redirect, viewer_of
from server.web.pages.polls import poll_views
from server.web.render import render

TABS = ("feed", "discussions", "meetings", "resources", "members", "about")
COUNTED_KINDS = {"feed": "update", "discussions": "discussion", "resources": "resource"}


def tab_path(slug: str, tab: str) -> str:
    return f"/t/{slug}" if tab == "feed" else f"/t/{slug}/{tab}"


SPACE_OF_TAB = {
    "feed": "updates",
    "discussions": "discussions",
    "meetings": "meetings",
    "resources": "resources",
}


async def _mark_seen(viewer: Account, twinning_id: int, space: str) -> None:
    """What the member opens is no longer new to them. A full disk must not keep anyone from
    reading: the marker then moves on a later visit."""
    try:
        await mark_seen(viewer, twinning_id, [space])
    except Exception as exc:
        if not is_storage_full(exc):
            raise


async def partner_count(twinning: Twinning) -> int:
    """Everyone a partner-only item of the twinning reaches: its accepted members, here and on
    other servers."""
    local = await Membership.filter(twinning=twinning, state="accepted").count()
    remote = await RemoteMembership.filter(twinning=twinning, state="accepted").count()
    return local + remote


async def frame(request: Request, twinning: Twinning, tab: str) -> dict[str, Any]:
    """What every tab shows around its own content."""
    viewer = viewer_of(request)
    membership = await membership_of(viewer, twinning)
    is_member = membership is not None and membership.state == "accepted"
    counts = {
        tab_name: await visible_items(viewer).filter(twinning=twinning, kind=kind).count()
        for tab_name, kind in COUNTED_KINDS.items()
    }
    counts["meetings"] = await upcoming(viewer).filter(twinning=twinning).count()
    counts["members"] = await partner_count(twinning)
    secret = request.app.state.settings.secret_key
    return {
        "twinning": twinning,
        "tab": tab,
        "tabs": TABS,
        "tab_path": tab_path,
        "membership": membership,
        "is_member": is_member,
        "counts": counts,
        "partner_count": counts["members"],
        # The private calendar holds partner-only meetings: offered to members only.
        "calendar": calendar_path(secret, viewer) if viewer and is_member else None,
    }


async def _render_tab(
    request: Request,
    twinning: Twinning,
    tab: str,
    status: int,
    form: Mapping[str, object] | None,
    error: str | None,
    **context: Any,
) -> Response:
    around = await frame(request, twinning, tab)
    viewer, space = viewer_of(request), SPACE_OF_TAB.get(tab)
    if around["is_member"] and viewer is not None and space is not None and status == 200:
        await _mark_seen(viewer, twinning.id, space)
    return render(
        request,
        f"twinning_{tab}.html",
        status,
        **around,
        form=form or {},
        error=error,
        **context,
    )


async def feed_tab(
    request: Request,
    twinning: Twinning,
    status: int = 200,
    form: Mapping[str, object] | None = None,
    error: str | None = None,
) -> Response:
    viewer = viewer_of(request)
    items = (
        listed(visible_items(viewer), viewer)
        .filter(twinning=twinning, kind="update")
        .prefetch_related("author", "remote_author")
    )
    page = await paginate(items, page_number(request))
    polls = await poll_views(viewer, page.items)
    return await _render_tab(request, twinning, "feed", status, form, error, page=page, polls=polls)


async def discussions_tab(
    request: Request,
    twinning: Twinning,
    status: int = 200,
    form: Mapping[str, object] | None = None,
    error: str | None = None,
) -> Response:
    found = await threads(viewer_of(request), twinning)
    return await _render_tab(request, twinning, "discussions", status, form, error, threads=found)


async def meetings_tab(
    request: Request,
    twinning: Twinning,
    status: int = 200,
    form: Mapping[str, object] | None = None,
    error: str | None = None,
) -> Response:
    query = upcoming(viewer_of(request)).filter(twinning=twinning).prefetch_related("event")
    page = await paginate(query, page_number(request))
    return await _render_tab(request, twinning, "meetings", status, form, error, page=page)


async def resources_tab(
    request: Request,
    twinning: Twinning,
    status: int = 200,
    form: Mapping[str, object] | None = None,
    error: str | None = None,
) -> Response:
    query = resources(viewer_of(request)).filter(twinning=twinning).prefetch_related("resource")
    page = await paginate(query, page_number(request))
    return await _render_tab(
        request, twinning, "resources", status, form, error, page=page, kinds=RESOURCE_KINDS
    )


async def about_tab(request: Request, twinning: Twinning) -> Response:
    partners = await TwinningPartner.filter(twinning=twinning).prefetch_related("organisation")
    organisations = [p.organisation for p in partners]
    return await _render_tab(
        request,
        twinning,
        "about",
        200,
        None,
        None,
        partners=organisations,
        phases=await phase_history(twinning.id),
        following=next_phase(twinning.phase),
    )


Renderer = Callable[..., Awaitable[Response]]
FORM_TABS: dict[str, Renderer] = {
    "feed": feed_tab,
    "discussions": discussions_tab,
    "meetings": meetings_tab,
    "resources": resources_tab,
}


async def refused_form(
    request: Request,
    twinning: Twinning,
    tab: str,
    exc: ModelError,
    values: Mapping[str, object],
) -> Response:
    """A tab's form was refused: that tab again, with what was typed and the reason."""
    return await FORM_TABS[tab](request, twinning, exc.status, values, error_text(exc))


async def _twinning(request: Request) -> Twinning:
    return await get_or_404(Twinning, slug=request.path_params["slug"])


async def show_twinning(request: Request) -> Response:
    """The twinning's address: its Group actor for ActivityPub clients, its feed for people."""
    twinning = await _twinning(request)
    if wants_actor(request):
        settings = request.app.state.settings
        return activity_response(await twinning_document(settings, twinning))
    return await feed_tab(request, twinning)


async def show_discussions(request: Request) -> Response:
    return await discussions_tab(request, await _twinning(request))


async def show_meetings(request: Request) -> Response:
    return await meetings_tab(request, await _twinning(request))


async def show_resources(request: Request) -> Response:
    return await resources_tab(request, await _twinning(request))


async def show_about(request: Request) -> Response:
    return await about_tab(request, await _twinning(request))


async def to_tab(request: Request) -> Response:
    """Addresses forms used to post to, sent to the tab they belong to (never a dead end)."""
    slug = request.path_params["slug"]
    tab = "meetings" if request.url.path.endswith("/events") else "feed"
    return redirect(tab_path(slug, tab))


routes = [
    Route("/t/{slug:handle}", show_twinning, methods=["GET"]),
    Route("/t/{slug:handle}/discussions", show_discussions, methods=["GET"]),
    Route("/t/{slug:handle}/meetings", show_meetings, methods=["GET"]),
    Route("/t/{slug:handle}/resources", show_resources, methods=["GET"]),
    Route("/t/{slug:handle}/about", show_about, methods=["GET"]),
    Route("/t/{slug:handle}/updates", to_tab, methods=["GET"]),
    Route("/t/{slug:handle}/events", to_tab, methods=["GET"]),
]
