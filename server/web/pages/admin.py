"""The admin page: pending sign-ups, suspensions, invitation links and domain blocks."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.accounts import Account, Invitation, create_invitation
from models.domain_blocks import BlockEffects, block_domain, effects_of_blocks, lift_block
from models.moderation import reports_for
from models.moderation_actions import act
from models.pagination import paginate
from models.reactions import Report
from models.remote import BLOCK_SEVERITIES, DomainBlock
from server import i18n
from server.params import query_text
from server.web.forms import page_number, read_form, text
from server.web.guards import flash, get_or_404, int_param, redirect, require_admin
from server.web.pages.moderation import described
from server.web.render import render

_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


async def admin_page(request: Request) -> Response:
    admin = require_admin(request)
    q = query_text(request, "q", "").strip().lower()[:60]
    accounts = Account.exclude(state="pending").order_by("username")
    if q:
        accounts = accounts.filter(username__icontains=q)
    pending = await Account.filter(state="pending").order_by("created_at").limit(200)
    invitations = await Invitation.filter(used_by_id=None).order_by("-created_at").limit(50)
    blocks = await DomainBlock.all().order_by("domain").limit(500)
    effects = await effects_of_blocks([b.domain for b in blocks])
    reports = await described(await (await reports_for(admin)).order_by("-id").limit(100))
    return render(
        request,
        "admin.html",
        q=q,
        pending=pending,
        invitations=invitations,
        blocks=[(b, describe_held_back(effects[b.domain])) for b in blocks],
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


def describe_held_back(effects: BlockEffects) -> str:
    """What a standing block holds back, in the reader's language."""
    return ", ".join(
        [
            i18n.ngettext(
                "%(num)s membership suspended", "%(num)s memberships suspended", effects.memberships
            ),
            i18n.ngettext("%(num)s follow held back", "%(num)s follows held back", effects.follows),
        ]
    )


def _blocked_message(domain: str, effects: BlockEffects) -> str:
    given_up = i18n.ngettext(
        "%(num)s pending delivery given up",
        "%(num)s pending deliveries given up",
        effects.deliveries,
    )
    return i18n.gettext(
        "%(domain)s is blocked: %(effects)s.",
        domain=domain,
        effects=f"{describe_held_back(effects)}, {given_up}",
    )


def _lifted_message(domain: str, effects: BlockEffects) -> str:
    restored = i18n.ngettext(
        "%(num)s membership active again", "%(num)s memberships active again", effects.memberships
    )
    return i18n.gettext(
        "%(domain)s is no longer blocked: %(effects)s.", domain=domain, effects=restored
    )


async def admin_domains(request: Request) -> Response:
    """Blocks apply to the inbox (403), to signed requests (403), to fetches and to deliveries
    (given up, never queued) at once; the admin is told what the block did."""
    require_admin(request)
    form = await read_form(request)
    domain = text(form, "domain").strip().lower().rstrip(".")
    if text(form, "action") == "unblock":
        lifted = await lift_block(domain)
        if lifted is not None:
            flash(request, _lifted_message(domain, lifted))
        return redirect("/admin")
    if not _DOMAIN.match(domain):
        raise HTTPException(400, i18n.gettext("Write a domain name such as example.org."))
    severity = text(form, "severity")
    effects = await block_domain(
        domain,
        severity if severity in BLOCK_SEVERITIES else "suspend",
        text(form, "reason").strip(),
    )
    flash(request, _blocked_message(domain, effects))
    return redirect("/admin")


async def admin_report(request: Request) -> Response:
    """ "Mark as handled" dismisses the report, and the log keeps it."""
    admin = require_admin(request)
    form = await read_form(request)
    report = await get_or_404(Report, id=int_param(request, "report_id"))
    await act(admin, report, "dismiss", text(form, "note"))
    return redirect("/admin")


routes = [
    Route("/admin/reports/{report_id:id}", admin_report, methods=["POST"]),
    Route("/admin/domains", admin_domains, methods=["POST"]),
    Route("/admin", admin_page),
    Route("/admin/accounts/{username:handle}", admin_account, methods=["POST"]),
    Route("/admin/invitations", admin_invitation, methods=["POST"]),
]
