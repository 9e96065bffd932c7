"""Creating and editing a twinning; its tabs are in ``twinning_tabs``."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import happenings
from models.errors import ModelError
from models.organisations import Organisation
from models.pictures import set_banner
from models.twinnings import (
    Twinning,
    TwinningInput,
    TwinningPartner,
    advance_phase,
    create_twinning,
    edit_twinning,
)
from models.vocab import PHASE_NAMES
from server import i18n
from server.web.forms import error_text, langmap, read_form, refusal_text, text, texts
from server.web.guards import flash, get_or_404, redirect, require_viewer
from server.web.pages.pictures import picture_form
from server.web.render import render


def _input(form: FormData) -> TwinningInput:
    return TwinningInput(
        title=langmap(form, "title"),
        summary=langmap(form, "summary"),
        description=langmap(form, "description"),
        primary_language=text(form, "primary_language"),
        fields_of_action=texts(form, "fields"),
        countries=[c for c in text(form, "countries").replace(",", " ").split() if c],
        languages=texts(form, "languages"),
        phase=text(form, "phase"),
        join_policy=text(form, "join_policy"),
        licence=text(form, "licence"),
        partner_slugs=texts(form, "partners"),
    )


def _form_values(form: FormData) -> dict[str, object]:
    data = _input(form)
    return {
        "slug": text(form, "slug"),
        "title": data.title,
        "summary": data.summary,
        "description": data.description,
        "primary_language": data.primary_language,
        "fields": data.fields_of_action,
        "countries": " ".join(data.countries),
        "languages": data.languages,
        "phase": data.phase,
        "join_policy": data.join_policy,
        "licence": data.licence,
        "partners": data.partner_slugs,
    }


async def _values_of(t: Twinning) -> dict[str, object]:
    partners = await TwinningPartner.filter(twinning=t).prefetch_related("organisation")
    return {
        "slug": t.slug,
        "title": t.title_map,
        "summary": t.summary_map,
        "description": t.description_map,
        "primary_language": t.primary_language,
        "fields": t.fields_of_action,
        "countries": " ".join(t.countries),
        "languages": t.languages,
        "phase": t.phase,
        "join_policy": t.join_policy,
        "licence": t.licence,
        "partners": [p.organisation.slug for p in partners],
    }


async def _form_page(
    request: Request,
    twinning: Twinning | None,
    values: dict[str, object],
    status: int = 200,
    error: str | None = None,
) -> Response:
    organisations = await Organisation.all().order_by("name").limit(500)
    return render(
        request,
        "twinning_form.html",
        status,
        twinning=twinning,
        form=values,
        organisations=organisations,
        error=error,
    )


async def new_twinning(request: Request) -> Response:
    viewer = require_viewer(request)
    if request.method == "GET":
        return await _form_page(request, None, {"primary_language": viewer.locale or "en"})
    form = await read_form(request)
    try:
        twinning = await create_twinning(viewer, text(form, "slug"), _input(form))
    except ModelError as exc:
        return await _form_page(request, None, _form_values(form), 400, error_text(exc))
    return redirect(f"/t/{twinning.slug}")


async def edit_twinning_page(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    if request.method == "GET":
        return await _form_page(request, twinning, await _values_of(twinning))
    form = await read_form(request)
    try:
        await edit_twinning(viewer, twinning, _input(form))
    except ModelError as exc:
        values = {**_form_values(form), "slug": twinning.slug}
        return await _form_page(request, twinning, values, exc.status, error_text(exc))
    await happenings.actor_changed("twinning", twinning.id)
    return redirect(f"/t/{twinning.slug}")


async def next_phase_page(request: Request) -> Response:
    """The moderators' "move on to the next phase"; servers that follow the twinning or hold
    members of it get its new document."""
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    await read_form(request)
    phase = await advance_phase(viewer, twinning)
    await happenings.actor_changed("twinning", twinning.id)
    name = i18n.gettext(PHASE_NAMES[phase])
    flash(request, i18n.gettext("The twinning is now in the phase: %(phase)s.", phase=name))
    return redirect(f"/t/{twinning.slug}/about")


async def twinning_picture(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    data_dir = request.app.state.settings.data_dir
    try:
        await set_banner(viewer, twinning, data_dir, await picture_form(request))
    except ModelError as exc:
        values = await _values_of(twinning)
        return await _form_page(request, twinning, values, exc.status, refusal_text(exc))
    return redirect(f"/t/{twinning.slug}/edit")


routes = [
    Route("/t/{slug:handle}/phase", next_phase_page, methods=["POST"]),
    Route("/twinnings/new", new_twinning, methods=["GET", "POST"]),
    Route("/t/{slug:handle}/edit", edit_twinning_page, methods=["GET", "POST"]),
    Route("/t/{slug:handle}/picture", twinning_picture, methods=["POST"]),
]
