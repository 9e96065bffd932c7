"""The admin page: pending sign-ups, suspensions and invitation links."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.accounts import Account, Invitation, create_invitation
from models.pagination import paginate
from server import i18n
from server.web.forms import page_number, read_form, text
from server.web.guards import flash, get_or_404, redirect, require_admin
from server.web.render import render


async def admin_page(request: Request) -> Response:
    require_admin(request)
    q = request.query_params.get("q", "").strip().lower()[:60]
    accounts = Account.exclude(state="pending").order_by("username")
    if q:
        accounts = accounts.filter(username__icontains=q)
    pending = await Account.filter(state="pending").order_by("created_at").limit(200)
    invitations = await Invitation.filter(used_by_id=None).order_by("-created_at").limit(50)
    return render(
        request,
        "admin.html",
        q=q,
        pending=pending,
        invitations=invitations,
        page=await paginate(accounts, page_number(request)),
        base_url=request.app.state.settings.base_url,
    )


async def admin_account(request: Request) -> Response:
    admin = require_admin(request)
    form = await read_form(request)
    account = await get_or_404(Account, username=request.path_params["username"])
    action = text(form, "action")
    if account.id == admin.id:
        raise HTTPException(400, i18n.gettext("You cannot change your own account here."))
    if action in ("approve", "unsuspend"):
        account.state = "active"
    elif action == "suspend":
        account.state = "suspended"
    elif action == "refuse" and account.state == "pending":
        await account.delete()
        return redirect("/admin")
    else:
        raise HTTPException(400, i18n.gettext("Unknown action."))
    await account.save(update_fields=["state"])
    flash(request, i18n.gettext("Saved."))
    return redirect("/admin")


async def admin_invitation(request: Request) -> Response:
    admin = require_admin(request)
    await read_form(request)
    await create_invitation(admin)
    return redirect("/admin")


routes = [
    Route("/admin", admin_page),
    Route("/admin/accounts/{username}", admin_account, methods=["POST"]),
    Route("/admin/invitations", admin_invitation, methods=["POST"]),
]
