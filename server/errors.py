"""The one place where errors become HTTP responses: a localized page, never a stack trace."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from federation.errors import FederationError
from models.errors import ModelError
from server import i18n
from server.web.forms import error_text
from server.web.guards import LoginRequired, login_redirect
from server.web.render import render

log = logging.getLogger(__name__)


def _title(status: int) -> str:
    titles = {
        400: i18n.gettext("Bad request"),
        403: i18n.gettext("Not allowed"),
        404: i18n.gettext("Page not found"),
        405: i18n.gettext("Method not allowed"),
        413: i18n.gettext("Too large"),
        429: i18n.gettext("Too many attempts"),
    }
    return titles.get(status, i18n.gettext("Something went wrong"))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail and exc.status_code not in (404, 405) else ""
    return render(
        request, "error.html", exc.status_code, title=_title(exc.status_code), detail=detail
    )


async def model_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ModelError)
    detail = error_text(exc)
    return render(request, "error.html", exc.status, title=_title(exc.status), detail=detail)


async def federation_error(request: Request, exc: Exception) -> Response:
    """A remote server could not be reached or answered wrongly while serving a page."""
    assert isinstance(exc, FederationError)
    log.warning("federation error on %s: %s", request.url.path, exc.detail)
    return render(request, "error.html", exc.status, title=_title(exc.status), detail=exc.message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return render(request, "error.html", 500, title=_title(500), detail="")


async def login_required(request: Request, exc: Exception) -> Response:
    return login_redirect(request)


HANDLERS = {
    HTTPException: http_error,
    ModelError: model_error,
    FederationError: federation_error,
    LoginRequired: login_required,
    Exception: server_error,
}
