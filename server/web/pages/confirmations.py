"""Asking first before what cannot be undone: leaving a twinning, deleting an item, removing a
member. Each question is a page of its own (so it works without script) whose form posts to the
action's address; the buttons that lead here are links, so nothing is lost by a stray click."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.content import ContentItem
from models.lookup import record_id
from models.posting import may_edit
from models.remote import RemoteMembership
from models.twinnings import Membership, Twinning, membership_of, require_moderator
from models.visibility import may_view
from server import i18n
from server.params import query_text
from server.web.guards import get_or_404, int_param, require_viewer
from server.web.pages.twinning_tabs import tab_path
from server.web.render import render


async def _twinning(request: Request) -> Twinning:
    return await get_or_404(Twinning, slug=request.path_params["slug"])


def _confirm(
    request: Request,
    twinning: Twinning,
    question: str,
    consequence: str,
    action: str,
    button: str,
    back: str,
    fields: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "confirm.html",
        twinning=twinning,
        question=question,
        consequence=consequence,
        action=action,
        button=button,
        back=back,
        fields=fields or {},
    )


async def confirm_leave(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await _twinning(request)
    mine = await membership_of(viewer, twinning)
    if mine is None or mine.state != "accepted":
        raise HTTPException(404)
    return _confirm(
        request,
        twinning,
        i18n.gettext("Leave this twinning?"),
        i18n.gettext(
            "You will no longer see its partner-only items. To come back, you will have to "
            "join again (and, depending on the twinning, be accepted)."
        ),
        f"/t/{twinning.slug}/leave",
        i18n.gettext("Leave the twinning"),
        tab_path(twinning.slug, "feed"),
    )


async def confirm_delete(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await _twinning(request)
    item = await get_or_404(ContentItem, id=int_param(request, "item_id"), twinning=twinning)
    if not await may_view(viewer, item) or not await may_edit(viewer, item):
        raise HTTPException(404)
    address = f"/t/{twinning.slug}/updates/{item.id}"
    return _confirm(
        request,
        twinning,
        i18n.gettext("Delete this item?"),
        i18n.gettext(
            "It is removed with its replies, and the servers it was sent to are told to "
            "remove it. This cannot be undone."
        ),
        f"{address}/delete",
        i18n.gettext("Delete"),
        address,
    )


async def confirm_removal(request: Request) -> Response:
    """``?username=`` for a member of this server, ``?remote_id=`` for one of another."""
    viewer = require_viewer(request)
    twinning = await _twinning(request)
    await require_moderator(viewer, twinning)
    username = query_text(request, "username")
    remote_id = record_id(query_text(request, "remote_id"))
    if username:
        member = await get_or_404(Membership, twinning=twinning, account__username=username)
        await member.fetch_related("account")
        name, fields = member.account.name, {"action": "remove", "username": username}
    elif remote_id is not None:
        remote = await get_or_404(RemoteMembership, twinning=twinning, id=remote_id)
        await remote.fetch_related("actor")
        name = remote.actor.name or remote.actor.handle
        fields = {"action": "remove_remote", "remote_id": str(remote_id)}
    else:
        raise HTTPException(400, i18n.gettext("Say whom to remove."))
    members = tab_path(twinning.slug, "members")
    return _confirm(
        request,
        twinning,
        i18n.gettext("Remove %(name)s from this twinning?", name=name),
        i18n.gettext("They will no longer see its partner-only items. What they wrote stays."),
        members,
        i18n.gettext("Remove"),
        members,
        fields,
    )


routes = [
    Route("/t/{slug:handle}/leave", confirm_leave, methods=["GET"]),
    Route("/t/{slug:handle}/updates/{item_id:id}/delete", confirm_delete, methods=["GET"]),
    Route("/t/{slug:handle}/members/remove", confirm_removal, methods=["GET"]),
]
