"""Reporting and moderation pages: the report form on an item or a person, the moderators'
list of open reports for a twinning, the actions on a report, the moderation log, and the
admins' list of silenced accounts (where a silence is lifted)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.accounts import Account
from models.content import ContentItem
from models.moderation import (
    REASONS,
    ModerationEntry,
    log_for,
    may_act,
    moderated_twinnings,
    report_account,
    report_item,
    reports_for,
)
from models.moderation_actions import (
    act,
    forward_by_reporter,
    lift_silence,
    silenced_accounts,
    subject_of,
)
from models.reactions import Report
from models.remote import RemoteActor
from models.twinnings import Twinning
from models.visibility import may_view
from server import i18n
from server.web.forms import read_form, text
from server.web.guards import flash, get_or_404, int_param, redirect, require_viewer, safe_next
from server.web.render import render

LOG_LIMIT = 200


async def _item_href(item: ContentItem) -> str:
    """Where the reporter goes back to after reporting."""
    if item.in_reply_to_id is not None:
        root = await ContentItem.get_or_none(id=item.in_reply_to_id).prefetch_related("twinning")
        if root is not None and root.twinning is not None:
            return f"/t/{root.twinning.slug}/updates/{root.id}#reply-{item.id}"
    if item.twinning_id is not None:
        twinning = await Twinning.get(id=item.twinning_id)
        return f"/t/{twinning.slug}/updates/{item.id}"
    return "/feed" if item.remote_twinning_id is not None else "/"


async def report_item_page(request: Request) -> Response:
    """A 404, not a 403, for an item one may not see: the page does not say it exists."""
    viewer = require_viewer(request)
    item = await get_or_404(ContentItem, id=int_param(request, "item_id"))
    if not await may_view(viewer, item):
        raise HTTPException(404)
    back = await _item_href(item)
    author = await RemoteActor.get_or_none(id=item.remote_author_id or 0)

    async def send(reason: str, comment: str, forward: bool) -> object:
        report = await report_item(viewer, item, reason, comment)
        if forward and author is not None:
            await forward_by_reporter(viewer, [report])
        return report

    return await _report_form(request, back, None, send, author)


async def report_person_page(request: Request) -> Response:
    viewer = require_viewer(request)
    account = await get_or_404(Account, username=request.path_params["username"], state="active")

    async def send(reason: str, comment: str, forward: bool) -> object:
        return await report_account(viewer, account, reason, comment)

    return await _report_form(request, f"/u/{account.username}", account, send)


async def _report_form(
    request: Request,
    back: str,
    person: Account | None,
    send: Callable[[str, str, bool], Awaitable[object]],
    remote: RemoteActor | None = None,
) -> Response:
    """The report form (GET), or the report sent and the reader back where she was (POST).
    About a person of another server, the reporter may have it forwarded there too."""
    if request.method == "POST":
        form = await read_form(request)
        await send(text(form, "reason"), text(form, "comment"), text(form, "forward") == "1")
        flash(request, i18n.gettext("Thank you: the moderators will look at your report."))
        return redirect(back)
    domain = remote.domain if remote is not None else ""
    return render(
        request, "report_form.html", reasons=REASONS, back=back, person=person, domain=domain
    )


async def act_on_report(request: Request) -> Response:
    viewer = require_viewer(request)
    report = await get_or_404(Report, id=int_param(request, "report_id"))
    if not await may_act(viewer, report):
        raise HTTPException(404)
    form = await read_form(request)
    await act(viewer, report, text(form, "action"), text(form, "note"))
    flash(request, i18n.gettext("Done: the moderation log keeps it."))
    return redirect(safe_next(text(form, "next") or "/admin"))


async def twinning_reports(request: Request) -> Response:
    """The twinning's open reports and its log, for its moderators (and instance admins)."""
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    if not viewer.is_admin and twinning.id not in await moderated_twinnings(viewer):
        raise HTTPException(404)
    reports = await (await reports_for(viewer, twinning.id)).order_by("-id").limit(100)
    log = await (await log_for(viewer, twinning.id)).order_by("-id").limit(LOG_LIMIT)
    return render(
        request,
        "moderation.html",
        twinning=twinning,
        reports=await described(reports),
        log=await described_log(log),
        here=f"/t/{twinning.slug}/reports",
    )


async def admin_log(request: Request) -> Response:
    viewer = require_viewer(request)
    if not viewer.is_admin:
        raise HTTPException(404)
    log = await (await log_for(viewer)).order_by("-id").limit(LOG_LIMIT)
    return render(
        request, "moderation.html", twinning=None, reports=None, log=await described_log(log)
    )


async def described(reports: list[Report]) -> list[Report]:
    """Reports with their reporter, account, item and subject (whom the actions reach)
    loaded for the list."""
    for r in reports:
        await r.fetch_related("reporter", "account", "twinning")
        subject = await subject_of(r)
        r.subject = subject  # type: ignore[attr-defined]
        r.local_subject = subject if isinstance(subject, Account) else None  # type: ignore[attr-defined]
        r.remote_subject = subject if isinstance(subject, RemoteActor) else None  # type: ignore[attr-defined]
        r.href = ""  # type: ignore[attr-defined]
        if r.item_id is not None:
            item = await ContentItem.get_or_none(id=r.item_id)
            r.href = await _item_href(item) if item is not None else ""  # type: ignore[attr-defined]
    return reports


async def silenced_page(request: Request) -> Response:
    """Silenced accounts, ours and other servers', each with a button to lift the silence."""
    viewer = require_viewer(request)
    if not viewer.is_admin:
        raise HTTPException(404)
    local, remote = await silenced_accounts()
    return render(request, "silenced.html", local=local, remote=remote)


async def lift_silence_page(request: Request) -> Response:
    viewer = require_viewer(request)
    if not viewer.is_admin:
        raise HTTPException(404)
    form = await read_form(request)
    number = int_param(request, "silenced_id")
    subject: Account | RemoteActor | None
    if request.url.path.startswith("/admin/silenced/people/"):
        subject = await Account.get_or_none(id=number)
    else:
        subject = await RemoteActor.get_or_none(id=number)
    if subject is None:
        raise HTTPException(404)
    await lift_silence(viewer, subject, text(form, "note"))
    flash(request, i18n.gettext("Done: the moderation log keeps it."))
    return redirect("/admin/silenced")


async def described_log(entries: list[ModerationEntry]) -> list[ModerationEntry]:
    for e in entries:
        await e.fetch_related("actor", "twinning")
    return entries


routes = [
    Route("/report/items/{item_id:id}", report_item_page, methods=["GET", "POST"]),
    Route("/report/people/{username:handle}", report_person_page, methods=["GET", "POST"]),
    Route("/reports/{report_id:id}", act_on_report, methods=["POST"]),
    Route("/t/{slug:handle}/reports", twinning_reports),
    Route("/admin/log", admin_log),
    Route("/admin/silenced", silenced_page),
    Route("/admin/silenced/people/{silenced_id:id}/lift", lift_silence_page, methods=["POST"]),
    Route("/admin/silenced/remote/{silenced_id:id}/lift", lift_silence_page, methods=["POST"]),
]
