"""The admin's view of the federation queues: what waits and since when, which hosts fail and
why, and for each failing host "try now" or "give up"."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.queue_admin import failing_hosts, give_up, queue_figures, retry_now
from models.remote import Host
from server import i18n
from server.web.forms import read_form, text
from server.web.guards import flash, redirect, require_admin
from server.web.render import render


async def queues_page(request: Request) -> Response:
    require_admin(request)
    return render(
        request,
        "admin_queues.html",
        figures=await queue_figures(),
        hosts=await failing_hosts(),
    )


async def host_action(request: Request) -> Response:
    require_admin(request)
    form = await read_form(request)
    host, action = text(form, "host").strip().lower()[:255], text(form, "action")
    if not await Host.filter(host=host).exists():
        raise HTTPException(400, i18n.gettext("No host of that name has failed."))
    if action == "retry":
        n = await retry_now(host)
        done = i18n.gettext("%(host)s: %(n)s deliveries will be tried now.", host=host, n=n)
    elif action == "give_up":
        n = await give_up(host)
        done = i18n.gettext("%(host)s: %(n)s deliveries given up.", host=host, n=n)
    else:
        raise HTTPException(400, i18n.gettext("Choose to retry now or to give up."))
    flash(request, done)
    return redirect("/admin/queues")


routes = [
    Route("/admin/queues", queues_page),
    Route("/admin/queues/hosts", host_action, methods=["POST"]),
]
