"""The notifications page: the same notifications the Mastodon API serves (through the
visibility rule), read where apps read them. Opening the page moves the ``notifications``
marker, so apps see them read; dismissing one removes it for apps too."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.accounts import Account
from models.content import ContentItem
from models.notifications import (
    Notification,
    dismiss,
    last_read_id,
    mark_read,
    newest_id,
    visible_notifications,
)
from models.pagination import paginate
from models.remote import RemoteActor
from server import i18n
from server.web.forms import page_number, read_form
from server.web.guards import flash, int_param, redirect, require_viewer
from server.web.render import render

DRAWN_WITH = (
    "from_account",
    "from_remote",
    "item",
    "item__twinning",
    "item__remote_twinning",
    "item__author",
    "report",
)


@dataclass
class Shown:
    """A notification as the page draws it: who, what, and whether it is new to the reader."""

    row: Notification
    person: Account | None
    remote: RemoteActor | None
    item: ContentItem | None
    is_new: bool


def _shown(rows: list[Notification], read_up_to: int) -> list[Shown]:
    shown = []
    for row in rows:
        person: Account | None = row.from_account  # type: ignore[assignment]
        if person is not None and not person.is_active:
            continue  # as the API: a suspended author's notifications are not shown
        remote: RemoteActor | None = row.from_remote  # type: ignore[assignment]
        item: ContentItem | None = row.item  # type: ignore[assignment]
        shown.append(Shown(row, person, remote, item, row.id > read_up_to))
    return shown


async def notifications_page(request: Request) -> Response:
    viewer = require_viewer(request)
    read_up_to = await last_read_id(viewer)
    query = visible_notifications(viewer).order_by("-id").prefetch_related(*DRAWN_WITH)
    page = await paginate(query, page_number(request))
    shown = _shown(page.items, read_up_to)
    await mark_read(viewer, await newest_id(viewer))
    request.state.bell = 0
    return render(request, "notifications.html", page=page, shown=shown)


async def dismiss_page(request: Request) -> Response:
    viewer = require_viewer(request)
    await read_form(request)
    if not await dismiss(viewer, int_param(request, "notification_id")):
        raise HTTPException(404)
    flash(request, i18n.gettext("Notification dismissed."))
    return redirect("/notifications")


routes = [
    Route("/notifications", notifications_page),
    Route("/notifications/{notification_id:id}/dismiss", dismiss_page, methods=["POST"]),
]
