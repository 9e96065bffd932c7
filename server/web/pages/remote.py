"""Twinnings of other servers: find one by its handle, follow it or ask to join it, and read
what it shares with you."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.errors import FederationError
from federation.subscriptions import (
    answer_invitation,
    resolve,
    subscribe,
    subscribed_groups,
    unsubscribe,
)
from models.lookup import record_id
from models.pagination import paginate
from models.remote import RemoteActor, Subscription
from models.visibility import visible_items
from server import i18n
from server.activitypub import federation_of
from server.params import query_text
from server.web.forms import page_number, read_form, text
from server.web.guards import flash, get_or_404, redirect, require_viewer
from server.web.render import render


async def remote_page(request: Request) -> Response:
    viewer = require_viewer(request)
    handle = query_text(request, "handle", "").strip()[:300]
    found, error = None, None
    if handle:
        try:
            found = await resolve(federation_of(request), handle)
        except FederationError as exc:
            error = i18n.gettext("Could not find this twinning: %(reason)s", reason=exc.message)
    return render(
        request,
        "remote.html",
        400 if error else 200,
        handle=handle,
        found=found,
        error=error,
        subscriptions=await subscribed_groups(viewer),
    )


async def subscribe_page(request: Request) -> Response:
    viewer = require_viewer(request)
    form = await read_form(request)
    group_id = record_id(text(form, "group_id"))
    if group_id is None:
        raise HTTPException(400, i18n.gettext("Unknown action."))
    group = await get_or_404(RemoteActor, id=group_id, actor_type="Group")
    kind = "join" if text(form, "kind") == "join" else "follow"
    await subscribe(federation_of(request), viewer, group, kind)
    flash(
        request,
        i18n.gettext("Your request was sent to the twinning's admins.")
        if kind == "join"
        else i18n.gettext("You follow this twinning now; its news will appear here."),
    )
    return redirect("/remote")


async def unsubscribe_page(request: Request) -> Response:
    """Leaving a twinning of another server (or no longer following it): its partner-only
    items are no longer shown here, and the twinning hears it."""
    viewer = require_viewer(request)
    form = await read_form(request)
    number = record_id(text(form, "subscription_id"))
    found = (
        await Subscription.get_or_none(id=number, account=viewer).prefetch_related("group")
        if number is not None
        else None
    )
    if found is None:
        raise HTTPException(404)
    await unsubscribe(federation_of(request), viewer, found.group, found.kind)
    flash(
        request,
        i18n.gettext("You left this twinning.")
        if found.kind == "join"
        else i18n.gettext("You no longer follow this twinning."),
    )
    return redirect("/remote")


async def invitation_page(request: Request) -> Response:
    """Accepting or declining a twinning's invitation from another server."""
    viewer = require_viewer(request)
    form = await read_form(request)
    number = record_id(text(form, "subscription_id"))
    invitation = (
        await Subscription.get_or_none(id=number, account=viewer, state="invited")
        if number is not None
        else None
    )
    if invitation is None:
        raise HTTPException(404)
    accept = text(form, "decision") == "accept"
    await answer_invitation(federation_of(request), viewer, invitation, accept)
    flash(
        request,
        i18n.gettext("You joined this twinning.")
        if accept
        else i18n.gettext("You declined the invitation."),
    )
    return redirect("/remote")


async def feed_page(request: Request) -> Response:
    """What twinnings of other servers shared with the viewer, through the visibility rule."""
    viewer = require_viewer(request)
    items = visible_items(viewer).filter(remote_twinning_id__not_isnull=True)
    page = await paginate(
        items.prefetch_related("author", "remote_author", "remote_twinning", "event", "media"),
        page_number(request),
    )
    return render(request, "feed.html", page=page)


routes = [
    Route("/remote", remote_page),
    Route("/remote/subscribe", subscribe_page, methods=["POST"]),
    Route("/remote/invitation", invitation_page, methods=["POST"]),
    Route("/remote/unsubscribe", unsubscribe_page, methods=["POST"]),
    Route("/feed", feed_page),
]
