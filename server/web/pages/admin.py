"""The admin page: pending sign-ups, suspensions, invitation links and domain blocks."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.accounts import Account, Invitation, create_invitation
from models.pagination import paginate
from models.reactions import Report
from models.remote import BLOCK_SEVERITIES, DomainBlock
from server import i18n
from server.params import query_text
from server.web.forms import page_number, read_form, text
from server.web.guards import flash, get_or_404, int_param, redirect, require_admin
from server.web.render import render

_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


async def admin_page(request: Request) -> Response:
    require_admin(request)
    q = query_text(request, "q", "").strip().lower()[:60]
    accounts = Account.exclude(state="pending").order_by("username")
    if q:
        accounts = accounts.filter(username__icontains=q)
    pending = await Account.filter(state="pending").order_by("created_at").limit(200)
    invitations = await Invitation.filter(used_by_id=None).order_by("-created_at").limit(50)
    blocks = await DomainBlock.all().order_by("domain").limit(500)
    reports = await Report.filter(resolved=False).order_by("-id").limit(100)
    return render(
        request,
        "admin.html",
        q=q,
        pending=pending,
        invitations=invitations,
        blocks=blocks,
        reports=reports,
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


async def admin_domains(request: Request) -> Response:
    """Blocks apply to the inbox (403) and to deliveries (never queued) at once."""
    require_admin(request)
    form = await read_form(request)
    domain = text(form, "domain").strip().lower().rstrip(".")
    if text(form, "action") == "unblock":
        await DomainBlock.filter(domain=domain).delete()
        return redirect("/admin")
    if not _DOMAIN.match(domain):
        raise HTTPException(400, i18n.gettext("Write a domain name such as example.org."))
    severity = text(form, "severity")
    await DomainBlock.update_or_create(
        domain=domain,
        defaults={
            "severity": severity if severity in BLOCK_SEVERITIES else "suspend",
            "reason": text(form, "reason").strip()[:500],
        },
    )
    flash(request, i18n.gettext("Saved."))
    return redirect("/admin")


async def admin_report(request: Request) -> Response:
    require_admin(request)
    await read_form(request)
    report = await get_or_404(Report, id=int_param(request, "report_id"))
    report.resolved = True
    await report.save(update_fields=["resolved"])
    return redirect("/admin")


routes = [
    Route("/admin/reports/{report_id:id}", admin_report, methods=["POST"]),
    Route("/admin/domains", admin_domains, methods=["POST"]),
    Route("/admin", admin_page),
    Route("/admin/accounts/{username:handle}", admin_account, methods=["POST"]),
    Route("/admin/invitations", admin_invitation, methods=["POST"]),
]
