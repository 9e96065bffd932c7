"""Twinning membership: join or accept an invitation, leave, and the moderators' side (approve,
refuse, invite, roles, removal)."""

from __future__ import annotations

import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.actors import twinning_uri
from federation.errors import FederationError
from federation.subscriptions import resolve_actor
from models.accounts import Account
from models.errors import N_, Invalid, ModelError
from models.lookup import record_id
from models.memberships import decide_request, invite, remove_member, request_to_join, set_role
from models.pagination import paginate
from models.reactions import Report
from models.remote import RemoteMembership
from models.remote_members import (
    decide_remote_request,
    invite_remote,
    remove_remote_member,
    set_remote_role,
)
from models.twinnings import Membership, Twinning, TwinningPartner
from models.visibility import may_see_members
from server import i18n
from server.activitypub import federation_of, members_collection, wants_actor
from server.web.forms import page_number, read_form, refusal_text, text
from server.web.guards import flash, get_or_404, redirect, require_viewer, viewer_of
from server.web.pages.twinning_tabs import frame
from server.web.render import render


async def _twinning(request: Request) -> Twinning:
    return await get_or_404(Twinning, slug=request.path_params["slug"])


async def join(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await _twinning(request)
    await read_form(request)
    m = await request_to_join(viewer, twinning)
    flash(
        request,
        i18n.gettext("Welcome to the twinning!")
        if m.state == "accepted"
        else i18n.gettext("Your request was sent to the twinning's admins."),
    )
    return redirect(f"/t/{twinning.slug}")


async def leave(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await _twinning(request)
    await read_form(request)
    await remove_member(viewer, twinning, viewer.username)
    flash(request, i18n.gettext("You left the twinning."))
    return redirect(f"/t/{twinning.slug}")


async def members_page(request: Request) -> Response:
    if wants_actor(request):
        return await members_collection(request)
    return await _members_page(request, await _twinning(request))


async def _members_page(
    request: Request, twinning: Twinning, status: int = 200, error: str | None = None
) -> Response:
    """The Members tab. Everyone sees how many they are and which organisations take part;
    the people themselves are listed for those who may see them (members, instance admins)."""
    viewer = viewer_of(request)
    context = await frame(request, twinning, "members")
    partners = await TwinningPartner.filter(twinning=twinning).prefetch_related("organisation")
    context |= {"partners": [p.organisation for p in partners], "error": error}
    if not await may_see_members(viewer, twinning):
        return render(request, "twinning_members.html", status, **context, may_list=False)
    mine = context["membership"]
    is_moderator = bool(viewer and (viewer.is_admin or (mine and mine.is_moderator)))
    accepted = Membership.filter(twinning=twinning, state="accepted").order_by("id")
    page = await paginate(accepted.prefetch_related("account"), page_number(request))
    waiting, remote_waiting, open_reports = [], [], 0
    if is_moderator:
        open_reports = await Report.filter(twinning=twinning, resolved=False).count()
        waiting = (
            await Membership.filter(twinning=twinning, state__in=["pending", "invited"])
            .prefetch_related("account")
            .order_by("id")
            .limit(200)
        )
        remote_waiting = await _remote(twinning, "pending") + await _remote(twinning, "invited")
    return render(
        request,
        "twinning_members.html",
        status,
        **context,
        may_list=True,
        page=page,
        waiting=waiting,
        is_moderator=is_moderator,
        mine=mine,
        remote=await _remote(twinning, "accepted"),
        remote_waiting=remote_waiting,
        open_reports=open_reports,
    )


async def _remote(twinning: Twinning, state: str) -> list[RemoteMembership]:
    return (
        await RemoteMembership.filter(twinning=twinning, state=state)
        .prefetch_related("actor")
        .order_by("id")
        .limit(500)
    )


async def manage(request: Request) -> Response:
    """One endpoint for the moderators' forms; the model functions check the role."""
    viewer = require_viewer(request)
    twinning = await _twinning(request)
    form = await read_form(request)
    action, username = text(form, "action"), text(form, "username").strip().lower()
    try:
        if action == "invite_remote":
            await _invite_remote(request, viewer, twinning, text(form, "handle"))
        elif action.endswith("_remote"):
            remote_id = text(form, "remote_id")
            await _manage_remote(viewer, twinning, action, remote_id, text(form, "role"))
        else:
            await _manage(viewer, twinning, action, username, text(form, "role"))
    except ModelError as exc:
        return await _members_page(request, twinning, exc.status, refusal_text(exc))
    if action == "invite":
        flash(request, i18n.gettext("Invitation sent to %(name)s.", name=username))
    return redirect(f"/t/{twinning.slug}/members")


async def _manage(
    viewer: Account, twinning: Twinning, action: str, username: str, role: str
) -> None:
    if action in ("approve", "refuse"):
        await decide_request(viewer, twinning, username, accept=action == "approve")
    elif action == "invite":
        await invite(viewer, twinning, username)
    elif action == "role":
        await set_role(viewer, twinning, username, role)
    elif action == "remove":
        await remove_member(viewer, twinning, username)
    else:
        raise HTTPException(400, i18n.gettext("Unknown action."))


async def _invite_remote(
    request: Request, viewer: Account, twinning: Twinning, handle: str
) -> None:
    """A person of another server, found by handle, invited; they answer from their server."""
    fed = federation_of(request)
    try:
        actor = await resolve_actor(fed, handle)
    except FederationError as exc:
        raise Invalid("handle", N_("no one was found at this address")) from exc
    group = twinning_uri(fed.settings, twinning.slug)
    await invite_remote(viewer, twinning, actor, f"{group}#invites/{uuid.uuid4().hex}")
    flash(request, i18n.gettext("Invitation sent to %(name)s.", name=handle))


async def _manage_remote(
    viewer: Account, twinning: Twinning, action: str, remote_id: str, role: str
) -> None:
    """Members from other servers: decisions on their Join go back as Accept or Reject, a
    removal as Remove; they take roles like anyone."""
    number = record_id(remote_id)
    if number is None:
        raise HTTPException(400, i18n.gettext("Unknown action."))
    if action in ("approve_remote", "refuse_remote"):
        accepted = action == "approve_remote"
        await decide_remote_request(viewer, twinning, number, accepted)
    elif action == "remove_remote":
        await remove_remote_member(viewer, twinning, number)
    elif action == "role_remote":
        await set_remote_role(viewer, twinning, number, role)
    else:
        raise HTTPException(400, i18n.gettext("Unknown action."))


routes = [
    Route("/t/{slug:handle}/join", join, methods=["POST"]),
    Route("/t/{slug:handle}/leave", leave, methods=["POST"]),
    Route("/t/{slug:handle}/members", members_page),
    Route("/t/{slug:handle}/members", manage, methods=["POST"]),
]
