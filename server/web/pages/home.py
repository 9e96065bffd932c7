"""The home page. Visitors see what the instance is, the twinning method and the latest public
activity; a signed-in member sees their own home: their twinnings with what is new in each
space, one feed, their upcoming meetings and what waits for their answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Subquery

from models.accounts import Account
from models.errors import ModelError
from models.events import upcoming
from models.home import home_items, member_twinning_ids, waiting_for, your_tasks
from models.listing import listed
from models.pages import edit_page, page_text
from models.pagination import paginate
from models.remote import Subscription
from models.seen import SPACES, mark_seen, unread_counts
from models.social import followed_ids
from models.twinnings import Membership, Twinning
from models.visibility import visible_items
from server import i18n
from server.web.forms import error_text, langmap, page_number, read_form, text
from server.web.guards import flash, redirect, require_admin, require_viewer, viewer_of
from server.web.render import render

UPCOMING = 5
# Where each space of a twinning is read (its tab).
SPACE_PATHS = {
    "updates": "",
    "discussions": "/discussions",
    "meetings": "/meetings",
    "resources": "/resources",
}


@dataclass
class MyTwinning:
    """One of the member's twinnings, with their role and what is new in each space."""

    twinning: Twinning
    role: str
    unread: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.unread.values())


async def home(request: Request) -> Response:
    viewer = viewer_of(request)
    if viewer is not None and viewer.is_active:
        return await member_home(request, viewer)
    return await presentation(request)


async def presentation(request: Request) -> Response:
    """What the instance is: the visitors' home, and ``/about`` for members."""
    viewer = viewer_of(request)
    twinnings = await Twinning.all().order_by("-created_at").limit(6)
    updates = (
        await listed(visible_items(viewer), viewer)
        .filter(twinning_id__not_isnull=True)
        .prefetch_related("twinning", "author", "remote_author")
        .limit(8)
    )
    return render(
        request, "home.html", twinnings=twinnings, updates=updates, method=await page_text("method")
    )


async def _my_twinnings(viewer: Account) -> list[MyTwinning]:
    memberships = (
        await Membership.filter(account=viewer, state="accepted")
        .prefetch_related("twinning")
        .order_by("twinning__slug")
        .limit(200)
    )
    counts = await unread_counts(viewer, [m.twinning_id for m in memberships])
    mine = [MyTwinning(m.twinning, m.role, counts.get(m.twinning_id, {})) for m in memberships]
    return sorted(mine, key=lambda t: -t.total)


async def member_home(request: Request, viewer: Account) -> Response:
    """Everything here goes through the visibility rule (``home_items``, ``upcoming``,
    ``unread_counts``), so a count or a line never reveals what the member may not see."""
    feed = await home_items(viewer)
    meetings = (
        await upcoming(viewer)
        .filter(id__in=Subquery(feed.values("id")))
        .prefetch_related("event", "twinning", "remote_twinning")
        .limit(UPCOMING)
    )
    page = await paginate(
        feed.filter(in_reply_to_id=None).prefetch_related(
            "twinning", "author", "remote_author", "remote_twinning", "event"
        ),
        page_number(request),
    )
    followed = set(await followed_ids(viewer, "twinning")) - set(await member_twinning_ids(viewer))
    return render(
        request,
        "member_home.html",
        mine=await _my_twinnings(viewer),
        followed=await Twinning.filter(id__in=sorted(followed)).order_by("slug").limit(50),
        elsewhere=await Subscription.filter(
            account=viewer, state="accepted", group__actor_type="Group"
        )
        .prefetch_related("group")
        .order_by("-id")
        .limit(50),
        page=page,
        meetings=meetings,
        waiting=await waiting_for(viewer),
        tasks=await your_tasks(viewer),
        today=datetime.now(UTC).date(),
        spaces=list(SPACES),
        space_paths=SPACE_PATHS,
    )


async def mark_twinning_seen(request: Request) -> Response:
    """The member's "mark as read" for one twinning (every space), from their home."""
    viewer = require_viewer(request)
    form = await read_form(request)
    slug = text(form, "twinning")
    twinning = await Twinning.get_or_none(slug=slug)
    if twinning is None or twinning.id not in await member_twinning_ids(viewer):
        raise HTTPException(404)
    await mark_seen(viewer, twinning.id)
    flash(request, i18n.gettext("Marked as read."))
    return redirect("/#my-twinnings")


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
    return redirect("/about#method")


routes = [
    Route("/", home),
    Route("/about", presentation),
    Route("/home/seen", mark_twinning_seen, methods=["POST"]),
    Route("/method/edit", edit_method, methods=["GET", "POST"]),
]
