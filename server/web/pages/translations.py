"""Translating an item: a member writes (or corrects) one language, or asks the configured
machine translation service, whose result is kept with a label."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.content import ContentItem
from models.errors import ModelError
from models.langmap import pick
from models.translations import keep_machine_translation, may_translate, translate
from models.twinnings import Twinning
from server import i18n
from server.machine_translation import TranslationUnavailable, machine_translate
from server.web.forms import error_text, read_form, refusal_text, text
from server.web.guards import flash, get_or_404, int_param, redirect, require_viewer


async def _translatable(request: Request) -> tuple[Twinning, ContentItem]:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    item = await get_or_404(ContentItem, id=int_param(request, "item_id"), twinning=twinning)
    if not await may_translate(viewer, item):
        raise HTTPException(404)
    return twinning, item


async def by_hand(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning, item = await _translatable(request)
    form = await read_form(request)
    try:
        await translate(
            viewer, item, text(form, "language"), text(form, "content"), text(form, "title")
        )
    except ModelError as exc:
        flash(request, refusal_text(exc))
        return redirect(f"/t/{twinning.slug}/updates/{item.id}#translate")
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


async def by_machine(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning, item = await _translatable(request)
    form = await read_form(request)
    target = text(form, "language")
    settings = request.app.state.settings
    source, content = pick(item.content_map, item.primary_language, item.primary_language)
    _, title = pick(item.title_map, source, item.primary_language)
    html = item.content_format == "html"
    try:
        texts = {
            "content": await machine_translate(settings, content, source, target, html),
            "title": await machine_translate(settings, title, source, target),
        }
        await keep_machine_translation(viewer, item, target, texts)
    except TranslationUnavailable as exc:
        flash(request, i18n.gettext("Machine translation failed: %(why)s", why=str(exc)))
        return redirect(f"/t/{twinning.slug}/updates/{item.id}#translate")
    except ModelError as exc:
        flash(request, error_text(exc))
        return redirect(f"/t/{twinning.slug}/updates/{item.id}#translate")
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


T = "/t/{slug:handle}/updates/{item_id:id}/translations"
routes = [
    Route(T, by_hand, methods=["POST"]),
    Route(T + "/machine", by_machine, methods=["POST"]),
]
