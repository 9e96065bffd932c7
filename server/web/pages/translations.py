"""Translating an item: a member writes (or corrects) one language, or asks the configured
machine translation service, whose result is kept with a label; a reader asks for her
language, and a member who translates that pair answers the request."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.content import ContentItem
from models.errors import ModelError
from models.langmap import pick
from models.translation_requests import (
    answer_translation,
    ask_translation,
    give_translation,
    may_ask,
    request_to_answer,
)
from models.translations import keep_machine_translation, may_translate
from models.twinnings import Twinning
from server import i18n
from server.machine_translation import TranslationUnavailable, machine_translate
from server.web.forms import error_text, read_form, refusal_text, text
from server.web.guards import flash, get_or_404, int_param, redirect, require_viewer
from server.web.render import render


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
    language = text(form, "language")
    try:
        await give_translation(viewer, item, language, text(form, "content"), text(form, "title"))
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


async def ask(request: Request) -> Response:
    """A reader asks for the item in a language (hers, as the page offers); an unknown
    language is refused with its reason (400)."""
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    item = await get_or_404(ContentItem, id=int_param(request, "item_id"), twinning=twinning)
    if not await may_ask(viewer, item):
        raise HTTPException(404)
    form = await read_form(request)
    if await ask_translation(viewer, item, text(form, "language")):
        flash(request, i18n.gettext("Your request was sent to the translators of the twinning."))
    else:
        flash(request, i18n.gettext("This translation has already been asked for."))
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


async def answer(request: Request) -> Response:
    """The form a translator answers a request with: the item's text beside the fields."""
    viewer = require_viewer(request)
    wanted = await request_to_answer(viewer, int_param(request, "request_id"))
    if wanted is None:
        raise HTTPException(404)
    item: ContentItem = wanted.item
    twinning = await Twinning.get(id=item.twinning_id)
    error, values = None, {"title": "", "content": ""}
    if request.method == "POST":
        form = await read_form(request)
        values = {"title": text(form, "title"), "content": text(form, "content")}
        try:
            await answer_translation(viewer, wanted, values["content"], values["title"])
        except ModelError as exc:
            error = refusal_text(exc)
        else:
            flash(request, i18n.gettext("Thank you: your translation was saved."))
            return redirect(f"/t/{twinning.slug}/updates/{item.id}")
    return render(
        request,
        "translation_answer.html",
        400 if error else 200,
        twinning=twinning,
        item=item,
        wanted=wanted,
        values=values,
        error=error,
    )


T = "/t/{slug:handle}/updates/{item_id:id}/translations"
routes = [
    Route(T, by_hand, methods=["POST"]),
    Route(T + "/machine", by_machine, methods=["POST"]),
    Route(T + "/ask", ask, methods=["POST"]),
    Route("/translations/{request_id:id}", answer, methods=["GET", "POST"]),
]
