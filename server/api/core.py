"""What every API endpoint shares: the bearer token and its scopes, parameters from the query,
a form or JSON alike, Mastodon's error shape and its id-based pagination."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.queryset import QuerySet

from federation.errors import FederationError
from models.accounts import Account
from models.errors import ModelError
from models.lookup import MAX_ID
from models.oauth import OAuthToken, covers, token_of
from models.storage_full import is_storage_full
from server import i18n
from server.params import checked_text

log = logging.getLogger(__name__)
DEFAULT_LIMIT = 20
MAX_LIMIT = 40
MAX_TEXT = 100_000  # a status is at most 20,000 characters; the body at most 1 MB


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str, **extra: str) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


@dataclass
class Call:
    """One API request: who asks (``account`` is None for app-only tokens and anonymous
    calls) and its parameters."""

    request: Request
    token: OAuthToken | None
    account: Account | None
    params: Params

    @property
    def user(self) -> Account:
        if self.account is None:
            raise ApiError(422, "This method requires an authenticated user")
        return self.account

    @property
    def settings(self) -> Any:
        return self.request.app.state.settings


class Params:
    """Query string, urlencoded or multipart form, or JSON body, read the same way. Arrays come
    as ``name[]=a&name[]=b`` from forms and as lists from JSON."""

    def __init__(self, values: dict[str, Any], form: FormData | None = None) -> None:
        self.values = values
        self.form = form

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name, default)
        if isinstance(value, list | dict):
            raise ApiError(422, f"Validation failed: {name} must be a string")
        if value is None:
            return default
        return checked_text(
            name, value if isinstance(value, str) else json.dumps(value).strip('"'), MAX_TEXT
        )

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("true", "1", "on", "yes"):
            return True
        if text in ("false", "0", "off", "no"):
            return False
        raise ApiError(422, f"Validation failed: {name} must be true or false")

    def number(self, name: str, default: int, lowest: int = 0, highest: int = 10**9) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ApiError(422, f"Validation failed: {name} must be a number") from None
        return max(lowest, min(highest, number))

    def items(self, name: str) -> list[str]:
        value = self.values.get(name)
        if value is None:
            value = self.values.get(name + "[]")
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        return [checked_text(name, str(v), MAX_TEXT) for v in value]

    def has(self, name: str) -> bool:
        return name in self.values or name + "[]" in self.values


async def read_params(request: Request) -> Params:
    values: dict[str, Any] = {}
    for key in request.query_params:
        items = request.query_params.getlist(key)
        values[key] = items if key.endswith("[]") or len(items) > 1 else items[0]
    if request.method in ("GET", "HEAD", "DELETE") and not request.headers.get("content-type"):
        return Params(values)
    content_type = request.headers.get("content-type", "")
    form = None
    if content_type.startswith("application/json"):
        try:
            body = await request.json() if await request.body() else {}
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be a JSON object")
        values.update(body)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form(max_part_size=17 * 1024 * 1024)
        for key in form:
            items = [v for v in form.getlist(key) if isinstance(v, str)]
            if items:
                values[key] = items if key.endswith("[]") or len(items) > 1 else items[0]
    return Params(values, form)


def bearer_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate(request: Request) -> tuple[OAuthToken | None, Account | None]:
    """A given token must be valid and its account active; no token means anonymous."""
    bearer = bearer_of(request)
    if bearer is None:
        return None, None
    token = await token_of(bearer)
    if token is None:
        raise ApiError(401, "The access token is invalid")
    account = token.account if token.account_id else None
    if account is not None and not account.is_active:
        raise ApiError(401, "Your login is currently disabled")
    return token, account


Handler = Callable[[Call], Awaitable[Any]]


def endpoint(
    scope: str | None = None, user: bool = True, public: bool = False
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wraps a handler: token and ``scope`` checks (``public`` endpoints also answer anonymous
    callers; ``user`` ones need a token of a person, not of an app alone), then JSON out and
    Mastodon-shaped errors for anything that goes wrong."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                token, account = await authenticate(request)
                if token is None and not public:
                    raise ApiError(401, "The access token is invalid")
                if token is not None and scope and not covers(token.scope_set, scope):
                    raise ApiError(403, "This action is outside the authorized scopes")
                call = Call(request, token, account, await read_params(request))
                if user and not public:
                    _ = call.user
                result = await handler(call)
            except ApiError as exc:
                return error_response(exc.status, exc.message)
            except ModelError as exc:
                status = 422 if exc.status == 400 else exc.status
                return error_response(status, _model_message(exc))
            except FederationError as exc:
                return error_response(exc.status if exc.status < 500 else 502, exc.message)
            except HTTPException as exc:
                return error_response(exc.status_code, str(exc.detail))
            except Exception as exc:
                if is_storage_full(exc):
                    raise  # answered 503 by server.storage_full
                log.exception("unhandled API error on %s %s", request.method, request.url.path)
                return error_response(500, "Internal error")
            if isinstance(result, Response):
                return result
            return JSONResponse(result)

        return run

    return wrap


def _model_message(exc: ModelError) -> str:
    return f"Validation failed: {exc.field} {i18n.gettext(exc.message, **exc.params)}"


def not_found() -> ApiError:
    return ApiError(404, "Record not found")


def page_bounds(params: Params) -> tuple[int | None, int | None, int | None, int]:
    """(max_id, since_id, min_id, limit) from Mastodon's pagination parameters."""

    def bound(name: str) -> int | None:
        value = params.text(name)
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            raise ApiError(422, f"Validation failed: {name} must be an id")
        # Beyond the last possible id: no upper bound for max_id, nothing above for the others.
        number = int(value) if len(value) <= len(str(MAX_ID)) else MAX_ID + 1
        if number > MAX_ID:
            return None if name == "max_id" else MAX_ID
        return number

    limit = params.number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    return bound("max_id"), bound("since_id"), bound("min_id"), limit


async def id_page(query: QuerySet[Any], params: Params, field: str = "id") -> list[Any]:
    """Newest first between the bounds; with ``min_id`` the page just above it."""
    max_id, since_id, min_id, limit = page_bounds(params)
    if max_id is not None:
        query = query.filter(**{f"{field}__lt": max_id})
    if since_id is not None:
        query = query.filter(**{f"{field}__gt": since_id})
    if min_id is not None:
        rows = await query.filter(**{f"{field}__gt": min_id}).order_by(field).limit(limit)
        return list(reversed(rows))
    return list(await query.order_by(f"-{field}").limit(limit))


def paged(call: Call, items: list[Any], ids: list[int | str]) -> JSONResponse:
    """The JSON list with Mastodon's ``Link`` header (next: older, prev: newer). The links
    start with the configured public address, never the request's Host header (which anyone
    may set, and which a reverse proxy may rewrite) nor the scheme the proxy spoke."""
    response = JSONResponse(items)
    if ids:
        url = call.request.url.remove_query_params(["max_id", "min_id", "since_id"])
        base = call.settings.base_url + url.path + (f"?{url.query}" if url.query else "")
        sep = "&" if "?" in base else "?"
        response.headers["Link"] = (
            f'<{base}{sep}max_id={ids[-1]}>; rel="next", <{base}{sep}min_id={ids[0]}>; rel="prev"'
        )
    return response
