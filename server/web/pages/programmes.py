"""Programmes: the list (``/programmes``), a new one, and a programme's page (``/p/<slug>``,
also its ActivityPub actor) with each twinning's phase, latest items and figures, the
combined report of its local twinnings, and the same figures as CSV.

Figures follow the usage reports' rules (``server.web.pages.usage``): items counted through
the visibility rule for the reader, servers named one by one for the instance's admins only.
A twinning of another server shows what it publishes (``federation.programmes``)."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.errors import FederationError
from federation.programmes import programme_document, refresh, resolve_twinning
from models.accounts import Account
from models.errors import ModelError
from models.lookup import record_id
from models.organisations import Organisation, OrganisationMember
from models.programmes import (
    Programme,
    ProgrammeInput,
    ProgrammeTwinning,
    TwinningFigures,
    add_local_twinning,
    add_remote_twinning,
    combined_report,
    create_programme,
    entries_of,
    local_figures,
    may_manage,
    remove_twinning,
)
from models.usage import KINDS
from server import i18n
from server.activitypub import activity_response, federation_of, wants_actor
from server.web.forms import error_text, langmap, read_form, refusal_text, text, texts
from server.web.guards import flash, get_or_404, redirect, require_viewer, viewer_of
from server.web.pages.usage import (
    CSV_COLUMNS,
    csv_rows,
    kind_names,
    month_name,
    reach_shown,
    report_charts,
    server_name,
)
from server.web.render import render

MAX_LISTED = 200


async def _organisations_for(viewer: Account) -> list[Organisation]:
    """The organisations the viewer may make a programme for."""
    if viewer.is_admin:
        return await Organisation.all().order_by("name").limit(MAX_LISTED)
    rows = OrganisationMember.filter(account=viewer, role="admin").prefetch_related("organisation")
    return [r.organisation for r in await rows]


async def list_page(request: Request) -> Response:
    viewer = viewer_of(request)
    programmes = await Programme.all().order_by("-id").limit(MAX_LISTED)
    may_create = (
        viewer is not None
        and viewer.is_active
        and (viewer.is_admin or bool(await _organisations_for(viewer)))
    )
    return render(request, "programmes.html", programmes=programmes, may_create=may_create)


def _input(form: FormData) -> ProgrammeInput:
    return ProgrammeInput(
        title=langmap(form, "title"),
        description=langmap(form, "description"),
        starts_on=text(form, "starts_on"),
        ends_on=text(form, "ends_on"),
        languages=texts(form, "languages"),
    )


async def _form(
    request: Request,
    viewer: Account,
    form: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "programme_form.html",
        status,
        form=form,
        error=error,
        organisations=await _organisations_for(viewer),
    )


async def new_page(request: Request) -> Response:
    viewer = require_viewer(request)
    if request.method == "GET":
        return await _form(request, viewer, {})
    form = await read_form(request)
    values = {
        "slug": text(form, "slug"),
        "title": langmap(form, "title"),
        "description": langmap(form, "description"),
        "starts_on": text(form, "starts_on"),
        "ends_on": text(form, "ends_on"),
        "languages": texts(form, "languages"),
        "organisation": text(form, "organisation"),
    }
    org = None
    if values["organisation"]:
        org = await Organisation.get_or_none(slug=str(values["organisation"])[:30].lower())
        if org is None:
            return await _form(request, viewer, values, i18n.gettext("Unknown organisation."), 400)
    try:
        programme = await create_programme(viewer, text(form, "slug"), _input(form), org)
    except ModelError as exc:
        message = refusal_text(exc) if exc.status == 403 else error_text(exc)
        return await _form(request, viewer, values, message, exc.status)
    return redirect(f"/p/{programme.slug}")


async def _figures(
    viewer: Account | None, programme: Programme
) -> tuple[list[TwinningFigures], list[ProgrammeTwinning]]:
    """(our twinnings with their figures for this reader, the other servers' twinnings)."""
    local, remote = [], []
    for entry in await entries_of(programme):
        if entry.twinning is not None:
            local.append(await local_figures(viewer, entry))
        else:
            remote.append(entry)
    return local, remote


async def _context(request: Request, programme: Programme) -> dict[str, Any]:
    viewer = viewer_of(request)
    local, remote = await _figures(viewer, programme)
    report = combined_report([f.report for f in local])
    by_server = viewer is not None and viewer.is_active and viewer.is_admin
    reach = reach_shown(report, by_server)
    host = request.app.state.settings.domain
    org = await Organisation.get_or_none(id=programme.organisation_id or 0)
    return {
        "programme": programme,
        "organisation": org,
        "local": local,
        "remote": remote,
        "report": report,
        "reach": reach,
        "by_server": by_server,
        "charts": report_charts(report, reach, host),
        "kinds": KINDS,
        "kind_names": kind_names(),
        "server_name": lambda s: server_name(s, host),
        "share": lambda part, whole: round(100 * part / whole) if whole else 0,
        "month_name": month_name,
        "may_manage": await may_manage(viewer, programme),
        "csv_url": f"/p/{programme.slug}/report.csv",
    }


async def programme_page(request: Request) -> Response:
    programme = await get_or_404(Programme, slug=request.path_params["slug"])
    if wants_actor(request):
        settings = request.app.state.settings
        return activity_response(await programme_document(settings, programme))
    return await _show(request, programme)


async def _show(
    request: Request, programme: Programme, status: int = 200, error: str | None = None
) -> Response:
    context = await _context(request, programme)
    return render(request, "programme.html", status, error=error, **context)


async def add_page(request: Request) -> Response:
    """Adds a twinning: its name alone for one of ours, ``@slug@domain`` for another server's."""
    viewer = require_viewer(request)
    programme = await get_or_404(Programme, slug=request.path_params["slug"])
    form = await read_form(request)
    handle = text(form, "handle").strip()[:300]
    try:
        if "@" in handle.lstrip("@") or handle.startswith(("https://", "http://")):
            if not await may_manage(viewer, programme):  # before asking another server
                raise HTTPException(403, i18n.gettext("Only the programme's managers may do this."))
            group, snapshot = await resolve_twinning(federation_of(request), handle)
            await add_remote_twinning(viewer, programme, group, snapshot)
        else:
            await add_local_twinning(viewer, programme, handle)
    except ModelError as exc:
        message = refusal_text(exc) if exc.status == 403 else error_text(exc)
        return await _show(request, programme, exc.status, message)
    except FederationError as exc:
        reason = i18n.gettext("Could not find this twinning: %(reason)s", reason=exc.message)
        return await _show(request, programme, 400, reason)
    flash(request, i18n.gettext("The twinning is part of the programme now."))
    return redirect(f"/p/{programme.slug}")


async def _entry(request: Request, viewer: Account, programme: Programme) -> ProgrammeTwinning:
    if not await may_manage(viewer, programme):
        raise HTTPException(403, i18n.gettext("Only the programme's managers may do this."))
    form = await read_form(request)
    number = record_id(text(form, "entry_id"))
    entry = (
        await ProgrammeTwinning.get_or_none(id=number, programme=programme).prefetch_related(
            "remote"
        )
        if number is not None
        else None
    )
    if entry is None:
        raise HTTPException(404)
    return entry


async def remove_page(request: Request) -> Response:
    viewer = require_viewer(request)
    programme = await get_or_404(Programme, slug=request.path_params["slug"])
    entry = await _entry(request, viewer, programme)
    await remove_twinning(viewer, programme, entry.id)
    flash(request, i18n.gettext("The twinning is no longer part of the programme."))
    return redirect(f"/p/{programme.slug}")


async def refresh_page(request: Request) -> Response:
    """Reads again what a twinning of another server publishes."""
    viewer = require_viewer(request)
    programme = await get_or_404(Programme, slug=request.path_params["slug"])
    entry = await _entry(request, viewer, programme)
    if entry.remote_id is None:
        raise HTTPException(400, i18n.gettext("This twinning is on this server."))
    try:
        await refresh(federation_of(request), entry)
    except FederationError as exc:
        reason = i18n.gettext("Could not find this twinning: %(reason)s", reason=exc.message)
        return await _show(request, programme, 502, reason)
    flash(request, i18n.gettext("The figures were read again."))
    return redirect(f"/p/{programme.slug}")


def _twinning_rows(context: dict[str, Any]) -> list[tuple[object, ...]]:
    """One line per twinning and measure: ``name`` is its handle (``slug@domain`` elsewhere)."""
    rows: list[tuple[object, ...]] = []
    for f in context["local"]:
        for measure, value in (
            ("phase", f.twinning.phase),
            ("items", f.report.total_items),
            ("members", f.members),
            ("followers", f.followers),
        ):
            rows.append(("twinnings", "", f.twinning.slug, "", measure, value))
    for entry in context["remote"]:
        name = entry.remote.acct
        for measure in ("phase", "items", "members", "followers"):
            value = entry.snapshot.get(measure)
            rows.append(("twinnings", "", name, "", measure, "" if value is None else value))
    return rows


async def download(request: Request) -> Response:
    programme = await get_or_404(Programme, slug=request.path_params["slug"])
    context = await _context(request, programme)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_twinning_rows(context))
    host = request.app.state.settings.domain
    writer.writerows(csv_rows(context["report"], context["reach"], host))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="programme-{programme.slug}.csv"',
            "Cache-Control": "private, no-store",
            "Vary": "Cookie",
        },
    )


routes = [
    Route("/programmes", list_page),
    Route("/programmes/new", new_page, methods=["GET", "POST"]),
    Route("/p/{slug:handle}", programme_page),
    Route("/p/{slug:handle}/report.csv", download),
    Route("/p/{slug:handle}/twinnings", add_page, methods=["POST"]),
    Route("/p/{slug:handle}/remove", remove_page, methods=["POST"]),
    Route("/p/{slug:handle}/refresh", refresh_page, methods=["POST"]),
]
