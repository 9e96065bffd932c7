"""A twinning's evaluations page: each partner organisation's answers to the method's
questions, phase by phase, the form for those who answer for an organisation, and the
moderators' publish / withdraw buttons. Reached from the About tab."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.config import LOCALES
from models.errors import ModelError
from models.evaluations import (
    QUESTIONS,
    Evaluation,
    answer,
    answering_for,
    phases_entered,
    set_published,
    visible_evaluations,
)
from models.twinnings import Twinning, membership_of
from server import i18n
from server.web.forms import read_form, refusal_text, text
from server.web.guards import flash, get_or_404, int_param, redirect, require_viewer, viewer_of
from server.web.pages.twinning_tabs import frame
from server.web.render import render


async def _page(
    request: Request,
    twinning: Twinning,
    status: int = 200,
    form: Mapping[str, str] | None = None,
    error: str | None = None,
) -> Response:
    viewer = viewer_of(request)
    membership = await membership_of(viewer, twinning)
    moderates = bool(viewer and viewer.is_admin) or bool(
        membership and membership.state == "accepted" and membership.is_moderator
    )
    phases = await phases_entered(twinning)
    context: dict[str, Any] = {
        "evaluations": await visible_evaluations(viewer, twinning),
        "organisations": await answering_for(viewer, twinning),
        "phases": phases,
        "questions": QUESTIONS,
        "languages": LOCALES,
        "moderates": moderates,
        "form": form or {"phase": twinning.phase, "language": i18n.current_locale()},
        "error": error,
    }
    around = await frame(request, twinning, "about")
    return render(request, "twinning_evaluations.html", status, **around, **context)


async def evaluations_page(request: Request) -> Response:
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    if request.method == "GET":
        return await _page(request, twinning)
    viewer = require_viewer(request)
    form = await read_form(request)
    values = {name: text(form, name) for name in ("phase", "organisation", "language", *QUESTIONS)}
    organisation = values["organisation"]
    try:
        await answer(
            viewer,
            twinning,
            values["phase"],
            int(organisation) if organisation.isascii() and organisation.isdigit() else 0,
            values["language"],
            {q: values[q] for q in QUESTIONS},
        )
    except ModelError as exc:
        return await _page(request, twinning, exc.status, values, refusal_text(exc))
    flash(request, i18n.gettext("Your organisation's evaluation is saved."))
    return redirect(f"/t/{twinning.slug}/evaluations")


async def publish_page(request: Request) -> Response:
    """Publishing makes the answers public (and their proposals part of the white paper);
    withdrawing makes them partners-only again."""
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    evaluation = await get_or_404(
        Evaluation, id=int_param(request, "evaluation_id"), twinning=twinning
    )
    form = await read_form(request)
    await set_published(viewer, evaluation, text(form, "publish") == "1")
    return redirect(f"/t/{twinning.slug}/evaluations#evaluation-{evaluation.id}")


routes = [
    Route("/t/{slug:handle}/evaluations", evaluations_page, methods=["GET", "POST"]),
    Route(
        "/t/{slug:handle}/evaluations/{evaluation_id:id}/publish", publish_page, methods=["POST"]
    ),
]
