"""Small shared steps of page handlers: who must be signed in, what to load or 404, where to go."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from tortoise.exceptions import ValidationError
from tortoise.models import Model

from models.accounts import Account
from models.lookup import record_id

M = TypeVar("M", bound=Model)


class LoginRequired(Exception):
    """Raised by pages that need an account; answered with a redirect to the log-in page."""


def viewer_of(request: Request) -> Account | None:
    return getattr(request.state, "viewer", None)


def require_viewer(request: Request) -> Account:
    viewer = viewer_of(request)
    if viewer is None or not viewer.is_active:
        raise LoginRequired
    return viewer


def require_admin(request: Request) -> Account:
    viewer = require_viewer(request)
    if not viewer.is_admin:
        raise HTTPException(404)
    return viewer


async def get_or_404(model: type[M], **filters: Any) -> M:
    """The row the filters name; 404 when none does, or none could (tortoise refuses to
    compare a column with a value longer than it can hold, with a ``ValidationError``)."""
    try:
        obj = await model.get_or_none(**filters)
    except ValidationError:
        obj = None
    if obj is None:
        raise HTTPException(404)
    return obj


def int_param(request: Request, name: str) -> int:
    """An id from the path; the route's ``id`` convertor only lets through ids a row can have."""
    number = record_id(request.path_params[name])
    if number is None:
        raise HTTPException(404)
    return number


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def flash(request: Request, message: str) -> None:
    request.session.setdefault("flash", []).append(message)


def take_flashes(request: Request) -> list[str]:
    return request.session.pop("flash", []) if "session" in request.scope else []


def safe_next(target: str | None) -> str:
    """Only local paths, so a crafted link cannot send a visitor elsewhere after log-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/login?next={quote(target, safe='')}")
