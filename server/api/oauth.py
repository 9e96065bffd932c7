"""OAuth 2 endpoints as Mastodon serves them: app registration, the consent page, the token
endpoint (authorization code with PKCE, password, client credentials, refresh) and revocation.
Token errors use RFC 6749's ``error``/``error_description`` shape, which Mastodon keeps."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from models.accounts import Account, password_matches
from models.errors import ModelError
from models.oauth import (
    OOB,
    TOP_SCOPES,
    OAuthApp,
    OAuthToken,
    app_of,
    issue_code,
    issue_token,
    parse_scopes,
    redeem_code,
    refresh_token,
    register_app,
    revoke,
    within,
)
from models.push import vapid_public_key
from models.ratelimits import login_allowed
from server.api.core import ApiError, Call, endpoint, read_params
from server.clients import client_address
from server.params import query_text
from server.web.forms import read_form, text
from server.web.guards import require_viewer
from server.web.render import render


def app_entity(app: OAuthApp, vapid_key: str, secret: str | None = None) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": str(app.id),
        "name": app.name,
        "website": app.website or None,
        "scopes": app.scopes.split(),
        "redirect_uri": "\n".join(app.redirect_uris),
        "redirect_uris": app.redirect_uris,
        "vapid_key": vapid_key,
    }
    if secret is not None:
        entity |= {"client_id": app.client_id, "client_secret": secret}
    return entity


@endpoint(public=True)
async def create_app(call: Call) -> Any:
    p = call.params
    redirect = p.text("redirect_uris") or "\n".join(p.items("redirect_uris"))
    app, secret = await register_app(
        p.text("client_name"), redirect, p.text("scopes", "read"), p.text("website")
    )
    return app_entity(app, vapid_public_key(call.settings.vapid_private_key), secret)


@endpoint(user=False)
async def verify_app(call: Call) -> Any:
    assert call.token is not None
    vapid_key = vapid_public_key(call.settings.vapid_private_key)
    return app_entity(await OAuthApp.get(id=call.token.app_id), vapid_key)


def _token_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def token_entity(row: OAuthToken, access: str, refresh: str) -> dict[str, Any]:
    return {
        "access_token": access,
        "token_type": "Bearer",
        "scope": row.scopes,
        "created_at": int(row.created_at.timestamp()),
        "refresh_token": refresh,
    }


async def _password_grant(request: Request, app: OAuthApp, username: str, password: str) -> Any:
    """Name or e-mail with the password, rate-limited like the log-in page."""
    username = username.strip().lower()
    if not await login_allowed(client_address(request), username):
        return _token_error("invalid_grant", "Too many attempts, try again later", 429)
    account = await Account.get_or_none(username=username) or await Account.get_or_none(
        email=username
    )
    if account is None or not password_matches(account, password):
        return _token_error("invalid_grant", "The user name or password is wrong")
    if not account.is_active:
        return _token_error("invalid_grant", "This account is not active")
    return account


async def token(request: Request) -> Response:
    try:
        params = await read_params(request)
        p = params
        app = await app_of(p.text("client_id"), p.text("client_secret"))
        if app is None:
            return _token_error("invalid_client", "Unknown client or wrong secret", 401)
        grant = p.text("grant_type")
        scopes = parse_scopes(p.text("scope") or p.text("scopes"), default=app.scopes)
        if not within(scopes, app.scope_set):
            return _token_error("invalid_scope", "The app did not register these scopes")
        if grant == "authorization_code":
            code = await redeem_code(
                app, p.text("code"), p.text("redirect_uri"), p.text("code_verifier")
            )
            account = await Account.get(id=code.account_id)
            row, access, refresh = await issue_token(app, account, code.scopes)
        elif grant == "password":
            found = await _password_grant(request, app, p.text("username"), p.text("password"))
            if isinstance(found, Response):
                return found
            row, access, refresh = await issue_token(app, found, scopes)
        elif grant == "client_credentials":
            row, access, refresh = await issue_token(app, None, scopes)
        elif grant == "refresh_token":
            row, access, refresh = await refresh_token(app, p.text("refresh_token"))
        else:
            return _token_error("unsupported_grant_type", "Unknown grant_type")
    except ModelError as exc:
        return _token_error("invalid_grant", f"{exc.field}: {exc.message % exc.params}")
    except ApiError as exc:  # parameters of the wrong shape
        return _token_error("invalid_request", exc.message)
    return JSONResponse(token_entity(row, access, refresh))


async def revoke_token(request: Request) -> Response:
    try:
        p = await read_params(request)
        app = await app_of(p.text("client_id"), p.text("client_secret"))
        token = p.text("token")
    except ApiError as exc:
        return _token_error("invalid_request", exc.message)
    if app is None:
        return _token_error("invalid_client", "Unknown client or wrong secret", 401)
    await revoke(app, token)
    return JSONResponse({})


async def _authorization(request: Request, values: dict[str, str]) -> tuple[OAuthApp, str, str]:
    """Checks the request an app sends the browser with: (app, redirect URI, scopes)."""
    app = await app_of(values.get("client_id", ""))
    if app is None:
        raise _Refused("Unknown client")
    redirect_uri = values.get("redirect_uri") or app.redirect_uris[0]
    if redirect_uri not in app.redirect_uris:
        raise _Refused("The redirect URI is not one the app registered")
    if values.get("response_type", "code") != "code":
        raise _Refused("Only response_type=code is supported")
    method = values.get("code_challenge_method", "")
    if values.get("code_challenge") and method != "S256":
        raise _Refused("Only the S256 code challenge method is supported")
    try:
        scopes = parse_scopes(values.get("scope", ""), default=app.scopes)
    except ModelError as exc:
        raise _Refused(exc.message % exc.params) from None
    if not within(scopes, app.scope_set):
        raise _Refused("The app did not register these scopes")
    return app, redirect_uri, scopes


class _Refused(Exception):
    pass


FIELDS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


async def authorize(request: Request) -> Response:
    """The consent page: who asks, for what, and a button to allow or deny."""
    viewer = require_viewer(request)
    if request.method == "GET":
        values = {name: query_text(request, name) for name in FIELDS}
    else:
        form = await read_form(request)
        values = {name: text(form, name) for name in FIELDS}
    try:
        app, redirect_uri, scopes = await _authorization(request, values)
    except _Refused as exc:
        return render(request, "error.html", 400, title="OAuth", detail=str(exc))
    if request.method == "GET":
        return render(
            request,
            "oauth_authorize.html",
            app=app,
            scopes=[s for s in scopes.split()],
            top_scopes=TOP_SCOPES,
            values=values,
        )
    if text(form, "decision") != "allow":
        return _back(redirect_uri, {"error": "access_denied", "state": values["state"]})
    code = await issue_code(app, viewer, redirect_uri, scopes, values["code_challenge"])
    if redirect_uri == OOB:
        return render(request, "oauth_code.html", app=app, code=code)
    return _back(redirect_uri, {"code": code, "state": values["state"]})


def _back(redirect_uri: str, query: dict[str, str]) -> Response:
    query = {k: v for k, v in query.items() if v}
    sep = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{sep}{urlencode(query)}", status_code=303)


async def server_metadata(request: Request) -> Response:
    base = request.app.state.settings.base_url
    scopes = [*TOP_SCOPES]
    return JSONResponse(
        {
            "issuer": base + "/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": scopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": [
                "authorization_code",
                "password",
                "client_credentials",
                "refresh_token",
            ],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


routes = [
    Route("/api/v1/apps", create_app, methods=["POST"]),
    Route("/api/v1/apps/verify_credentials", verify_app),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke_token, methods=["POST"]),
    Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
    Route("/.well-known/oauth-authorization-server", server_metadata),
]
