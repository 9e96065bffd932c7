"""Organisation pages: create, show, edit, members."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.actors import organisation_document
from models.errors import ModelError
from models.organisations import (
    Organisation,
    OrganisationInput,
    OrganisationMember,
    add_organisation_member,
    create_organisation,
    edit_organisation,
    is_organisation_admin,
    remove_organisation_member,
)
from models.pagination import paginate
from models.pictures import set_logo
from models.twinnings import TwinningPartner
from server.activitypub import activity_response, wants_actor
from server.web.forms import error_text, langmap, page_number, read_form, refusal_text, text, texts
from server.web.guards import get_or_404, redirect, require_viewer, viewer_of
from server.web.pages.pictures import picture_form
from server.web.render import render

MAX_LISTED = 100  # twinnings of one organisation shown on its page


def _input(form: FormData) -> OrganisationInput:
    return OrganisationInput(
        name=text(form, "name"),
        country=text(form, "country"),
        city=text(form, "city"),
        website=text(form, "website"),
        languages=texts(form, "languages"),
        fields_of_action=texts(form, "fields"),
        description=langmap(form, "description"),
    )


def _form_values(form: FormData) -> dict[str, object]:
    return {
        "slug": text(form, "slug"),
        "name": text(form, "name"),
        "country": text(form, "country"),
        "city": text(form, "city"),
        "website": text(form, "website"),
        "languages": texts(form, "languages"),
        "fields": texts(form, "fields"),
        "description": langmap(form, "description"),
    }


def _org_values(org: Organisation) -> dict[str, object]:
    return {
        "slug": org.slug,
        "name": org.name,
        "country": org.country,
        "city": org.city,
        "website": org.website,
        "languages": org.languages,
        "fields": org.fields_of_action,
        "description": org.description_map,
    }


async def new_organisation(request: Request) -> Response:
    viewer = require_viewer(request)
    if request.method == "GET":
        return render(request, "organisation_form.html", org=None, form={}, error=None)
    form = await read_form(request)
    try:
        org = await create_organisation(viewer, text(form, "slug"), _input(form))
    except ModelError as exc:
        return render(
            request,
            "organisation_form.html",
            400,
            org=None,
            form=_form_values(form),
            error=error_text(exc),
        )
    return redirect(f"/o/{org.slug}")


async def organisation_page(
    request: Request, org: Organisation, status: int = 200, error: str | None = None
) -> Response:
    members = await paginate(
        OrganisationMember.filter(organisation=org).order_by("id").prefetch_related("account"),
        page_number(request),
    )
    partners = (
        await TwinningPartner.filter(organisation=org)
        .order_by("-id")
        .limit(MAX_LISTED)
        .prefetch_related("twinning")
    )
    return render(
        request,
        "organisation.html",
        status,
        org=org,
        members=members,
        twinnings=[p.twinning for p in partners],
        is_admin=await is_organisation_admin(viewer_of(request), org),
        error=error,
    )


async def show_organisation(request: Request) -> Response:
    org = await get_or_404(Organisation, slug=request.path_params["slug"])
    if wants_actor(request):
        settings = request.app.state.settings
        return activity_response(await organisation_document(settings, org))
    return await organisation_page(request, org)


async def edit_organisation_page(request: Request) -> Response:
    viewer = require_viewer(request)
    org = await get_or_404(Organisation, slug=request.path_params["slug"])
    if request.method == "GET":
        return render(request, "organisation_form.html", org=org, form=_org_values(org), error=None)
    form = await read_form(request)
    try:
        await edit_organisation(viewer, org, _input(form))
    except ModelError as exc:
        values = {**_form_values(form), "slug": org.slug}
        return _edit_page(request, org, values, exc.status, error_text(exc))
    return redirect(f"/o/{org.slug}")


def _edit_page(
    request: Request, org: Organisation, values: dict[str, object], status: int, error: str
) -> Response:
    """The organisation's form again, at its own address, with what was refused and why."""
    return render(request, "organisation_form.html", status, org=org, form=values, error=error)


async def organisation_logo(request: Request) -> Response:
    viewer = require_viewer(request)
    org = await get_or_404(Organisation, slug=request.path_params["slug"])
    try:
        await set_logo(
            viewer, org, request.app.state.settings.data_dir, await picture_form(request)
        )
    except ModelError as exc:
        return _edit_page(request, org, _org_values(org), exc.status, refusal_text(exc))
    return redirect(f"/o/{org.slug}/edit")


async def organisation_members(request: Request) -> Response:
    viewer = require_viewer(request)
    org = await get_or_404(Organisation, slug=request.path_params["slug"])
    form = await read_form(request)
    username = text(form, "username")
    try:
        if text(form, "action") == "remove":
            await remove_organisation_member(viewer, org, username)
        else:
            await add_organisation_member(viewer, org, username, text(form, "role") or "member")
    except ModelError as exc:
        return await organisation_page(request, org, exc.status, refusal_text(exc))
    return redirect(f"/o/{org.slug}")


routes = [
    Route("/organisations/new", new_organisation, methods=["GET", "POST"]),
    Route("/o/{slug:handle}", show_organisation),
    Route("/o/{slug:handle}/edit", edit_organisation_page, methods=["GET", "POST"]),
    Route("/o/{slug:handle}/members", organisation_members, methods=["POST"]),
    Route("/o/{slug:handle}/logo", organisation_logo, methods=["POST"]),
]
